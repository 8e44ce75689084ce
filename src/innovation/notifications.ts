import { createHash } from 'node:crypto';
import type { Db, Queryable } from '../db/db.js';

/**
 * E-mails to applicants about the decision on their application (selected or not, with the jury's feedback).
 * The hub has no mailer and no addresses of its own: the composition root passes a `Notifier` (governance
 * knows the address, the Observatory's mailer sends it). Each message is recorded; the same decision is not
 * sent twice, a changed one (new feedback) is.
 */

export interface ApplicantMessage {
  userId: string;
  subject: string;
  text: string;
}

export interface NotifyOutcome {
  outcome: 'sent' | 'written' | 'failed' | 'no-address';
  detail: string;
  recipient?: string;
}

export type Notifier = (m: ApplicantMessage) => Promise<NotifyOutcome>;

export interface NotificationSummary {
  sent: number;
  failed: number;
  /** Applicants already told this very decision. */
  unchanged: number;
}

type Row = Record<string, unknown>;

function message(a: Row, call: Row, link: string): { subject: string; text: string } {
  const selected = a.status === 'selected';
  const ref = a.reference ? ` (${a.reference})` : '';
  const feedback = (a.feedback as string | null) ?? '';
  const subject = `${call.title} – ${selected ? 'candidature retenue / application selected' : 'décision / decision'}${ref}`;
  const fr = selected
    ? `Votre candidature « ${a.title} »${ref} à l'appel « ${call.title} » a été retenue.`
    : `Votre candidature « ${a.title} »${ref} à l'appel « ${call.title} » n'a pas été retenue.`;
  const en = selected
    ? `Your application "${a.title}"${ref} to the call "${call.title}" has been selected.`
    : `Your application "${a.title}"${ref} to the call "${call.title}" has not been selected.`;
  const text = [
    `Bonjour ${a.applicant_name},`,
    '',
    fr,
    ...(feedback ? ['', 'Avis du jury :', feedback] : []),
    '',
    `Votre candidature : ${link}`,
    '',
    '---',
    '',
    `Hello ${a.applicant_name},`,
    '',
    en,
    ...(feedback ? ['', "The jury's feedback:", feedback] : []),
    '',
    `Your application: ${link}`,
    '',
    'Le Havre Smart Port City',
  ].join('\n');
  return { subject, text };
}

/** Tells every decided applicant of the call; returns what was sent. */
export async function notifyDecision(
  db: Db,
  callId: string,
  notify: Notifier,
  baseUrl: string,
): Promise<NotificationSummary> {
  const call = (await db.query<Row>('SELECT title FROM inv_calls WHERE id = $1', [callId])).rows[0];
  const apps = await db.query<Row>(
    `SELECT * FROM inv_applications WHERE call_id = $1 AND status IN ('selected', 'rejected') ORDER BY submitted_at, id`,
    [callId],
  );
  const out: NotificationSummary = { sent: 0, failed: 0, unchanged: 0 };
  for (const a of apps.rows) {
    const digest = createHash('sha256')
      .update(`${a.status}\n${a.feedback ?? ''}`)
      .digest('hex');
    const told = await db.query(
      `SELECT 1 FROM inv_notifications WHERE application_id = $1 AND kind = 'decision' AND digest = $2
          AND outcome IN ('sent', 'written')`,
      [a.id, digest],
    );
    if (told.rows.length) {
      out.unchanged++;
      continue;
    }
    const m = message(a, call, `${baseUrl}/innovation/applications/${a.id}`);
    let r: NotifyOutcome;
    try {
      r = await notify({ userId: String(a.applicant_id), ...m });
    } catch (err) {
      r = { outcome: 'failed', detail: (err as Error).message.slice(0, 500) };
    }
    await db.query(
      `INSERT INTO inv_notifications (application_id, kind, digest, recipient, outcome, detail)
       VALUES ($1, 'decision', $2, $3, $4, $5)`,
      [a.id, digest, r.recipient ?? null, r.outcome, r.detail.slice(0, 1000)],
    );
    if (r.outcome === 'sent' || r.outcome === 'written') out.sent++;
    else out.failed++;
  }
  return out;
}

export interface NotificationOut {
  applicationId: string;
  kind: string;
  outcome: string;
  sentAt: string;
}

export async function listNotifications(
  db: Queryable,
  callId: string,
  limit: number,
  offset: number,
): Promise<{ items: NotificationOut[]; total: number }> {
  const r = await db.query<Row>(
    `SELECT n.*, count(*) OVER () AS total FROM inv_notifications n JOIN inv_applications a ON a.id = n.application_id
      WHERE a.call_id = $1 ORDER BY n.id LIMIT $2 OFFSET $3`,
    [callId, limit, offset],
  );
  return {
    total: Number(r.rows[0]?.total ?? 0),
    items: r.rows.map((x) => ({
      applicationId: String(x.application_id),
      kind: String(x.kind),
      outcome: String(x.outcome),
      sentAt: (x.sent_at instanceof Date ? x.sent_at : new Date(String(x.sent_at))).toISOString(),
    })),
  };
}
