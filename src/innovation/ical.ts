import ical, { ICalEventStatus } from 'ical-generator';
import type { EventOut } from './service.js';

export interface CalendarOptions {
  name: string;
  /** Public base URL: each calendar entry links back to its event (users of Decidim asked for it). */
  baseUrl: string;
  /** Refresh interval suggested to subscribers, seconds. */
  ttl?: number;
}

/** An iCalendar (RFC 5545) document of the given events, made with `ical-generator`. */
export function toICalendar(events: EventOut[], opts: CalendarOptions): string {
  const cal = ical({
    name: opts.name,
    prodId: { company: 'Escale', product: 'innovation-hub', language: 'EN' },
    ttl: opts.ttl ?? 3600,
  });
  for (const e of events) {
    const link = `${opts.baseUrl}/innovation/events/${e.id}`;
    cal.createEvent({
      id: `${e.id}@escale`,
      start: new Date(e.startsAt),
      end: new Date(e.endsAt),
      summary: e.title,
      description: e.description ? `${e.description}\n\n${link}` : link,
      location: e.location ?? null,
      url: link,
      sequence: e.sequence,
      lastModified: new Date(e.updatedAt),
      status: e.status === 'cancelled' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
      ...(e.communityName ? { categories: [{ name: e.communityName }] } : {}),
    });
  }
  return cal.toString();
}
