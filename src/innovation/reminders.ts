import type { Db } from '../db/db.js';
import type { Notifier, NotifyOutcome } from './notifications.js';

/**
 * Event reminders: an e-mail to each person holding a seat, `reminderHours` before the start (24 by default).
 * Each (event, person, version of the event) is claimed by inserting its row first, so two nodes never send the
 * same reminder; a failed send releases the claim for the next round. A rescheduled event is reminded again.
 */

type Row = Record<string, unknown>;

const when = (d: Date, locale: string) =>
  new Intl.DateTimeFormat(locale, { timeZone: 'Europe/Paris', dateStyle: 'full', timeStyle: 'short' }).format(
    d,
  );

function message(e: Row, baseUrl: string): { subject: string; text: string } {
  const start = new Date(e.starts_at as string | Date);
  const link = `${baseUrl}/innovation/events/${e.id}`;
  const place = e.location ? `\n${e.location}` : '';
  return {
    subject: `Rappel / Reminder: ${e.title} – ${when(start, 'fr-FR')}`,
    text: [
      `Rappel : vous êtes inscrit(e) à « ${e.title} », ${when(start, 'fr-FR')} (heure de Paris).${place}`,
      `Si vous ne pouvez pas venir, libérez votre place : ${link}`,
      '',
      `Reminder: you are registered for "${e.title}", ${when(start, 'en-GB')} (Paris time).${place}`,
      `If you cannot come, please free your seat: ${link}`,
      '',
      `Calendar / agenda: ${baseUrl}/api/innovation/events/${e.id}/calendar.ics`,
    ].join('\n'),
  };
}

/**
 * Sends the reminders due at `now` (events starting within their reminder window), or every pending one of
 * `eventId` when given (a manager's "remind now").
 */
export async function sendEventReminders(
  db: Db,
  notify: Notifier,
  baseUrl: string,
  opts: { now?: Date; eventId?: string } = {},
): Promise<{ sent: number; failed: number }> {
  const now = opts.now ?? new Date();
  const due = await db.query<Row>(
    `SELECT e.id, e.title, e.location, e.starts_at, e.sequence, g.user_id
       FROM inv_events e JOIN inv_registrations g ON g.event_id = e.id AND g.status = 'registered'
      WHERE e.status = 'scheduled' AND e.starts_at > $1
        AND (CASE WHEN $2::uuid IS NULL
                  THEN e.reminder_hours IS NOT NULL AND e.starts_at <= $1 + make_interval(hours => e.reminder_hours)
                  ELSE e.id = $2 END)
        AND NOT EXISTS (SELECT 1 FROM inv_event_reminders x
                         WHERE x.event_id = e.id AND x.user_id = g.user_id AND x.sequence = e.sequence)
      ORDER BY e.starts_at, e.id, g.seq LIMIT 5000`,
    [now, opts.eventId ?? null],
  );
  const out = { sent: 0, failed: 0 };
  for (const r of due.rows) {
    const claim = await db.query(
      `INSERT INTO inv_event_reminders (event_id, user_id, sequence) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING event_id`,
      [r.id, r.user_id, r.sequence],
    );
    if (claim.rows.length === 0) continue;
    let res: NotifyOutcome;
    try {
      res = await notify({ userId: String(r.user_id), ...message(r, baseUrl) });
    } catch (err) {
      res = { outcome: 'failed', detail: (err as Error).message };
    }
    if (res.outcome === 'failed') {
      await db.query(
        'DELETE FROM inv_event_reminders WHERE event_id = $1 AND user_id = $2 AND sequence = $3',
        [r.id, r.user_id, r.sequence],
      );
      out.failed++;
      continue;
    }
    await db.query(
      `UPDATE inv_event_reminders SET outcome = $4, detail = $5, sent_at = now()
        WHERE event_id = $1 AND user_id = $2 AND sequence = $3`,
      [r.id, r.user_id, r.sequence, res.outcome, res.detail.slice(0, 1000)],
    );
    if (res.outcome === 'no-address') out.failed++;
    else out.sent++;
  }
  return out;
}
