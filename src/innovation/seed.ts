import type { Db } from '../db/db.js';
import { seedDirectory } from './seed-directory.js';
import { createCommunity, createEvent } from './service.js';

export interface InnovationSeed {
  skipped: boolean;
  communities: number;
  events: number;
  /** Partners and practices added (the directory is completed on every start, by slug). */
  partners: number;
  practices: number;
}

/**
 * The communities of practice created by Le Havre Seine Métropole, French Tech Le Havre and HAROPA (programme
 * documents), each with a few coming events, and one programme-wide event. Only fills an empty hub. The
 * communities have no coordinator yet: a platform administrator names them (PATCH .../members/{userId}).
 */
export async function seedInnovationDemo(db: Db, now = new Date()): Promise<InnovationSeed> {
  const n = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM inv_communities');
  if (Number(n.rows[0].n) > 0)
    return { skipped: true, communities: 0, events: 0, ...(await seedDirectory(db)) };
  const day = (d: number, h: number) => {
    const t = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + d, h));
    return t.toISOString();
  };
  const communities = [
    {
      slug: 'smart-port',
      name: 'Smart Port',
      description:
        'Port operators, logistics companies and start-ups working on the digital port: data sharing, port calls, truck flows, energy.',
      events: [
        {
          title: 'Smart Port meetup: data sharing between port operators',
          d: 14,
          location: 'Le Havre, Docks Vauban',
          capacity: 60,
        },
        {
          title: 'Workshop: truck waiting times at the terminals',
          d: 42,
          location: 'HAROPA, Le Havre',
          capacity: 25,
        },
      ],
    },
    {
      slug: 'innovations-et-industries',
      name: 'Innovations and Industries',
      description:
        'Industrial companies of the estuary and innovators: industrial processes, decarbonisation, maintenance.',
      events: [
        {
          title: 'Industry 4.0 afternoon: predictive maintenance',
          d: 21,
          location: 'Le Havre, Zone industrialo-portuaire',
          capacity: 40,
        },
      ],
    },
    {
      slug: 'smart-building-normandie',
      name: 'Smart Building Normandie',
      description:
        'Green and connected buildings: energy performance, building information modelling, sensors.',
      events: [
        {
          title: 'Smart Building Normandie: energy monitoring in public buildings',
          d: 28,
          location: 'Le Havre, Hôtel de ville',
          capacity: 50,
        },
      ],
    },
  ];
  let events = 0;
  for (const c of communities) {
    const created = await createCommunity(
      db,
      { slug: c.slug, name: c.name, description: c.description, joinPolicy: 'approval' },
      null,
    );
    for (const e of c.events) {
      await createEvent(db, created.id, {
        title: e.title,
        location: e.location,
        startsAt: day(e.d, 16),
        endsAt: day(e.d, 18),
        capacity: e.capacity,
      });
      events++;
    }
  }
  await createEvent(db, null, {
    title: 'Le Havre Smart Port City: programme open day',
    description:
      'Results of the year, projects of the intrapreneurship programme, open-innovation challenges.',
    location: 'Le Havre',
    startsAt: day(35, 9),
    endsAt: day(35, 17),
    capacity: 200,
  });
  events++;
  return { skipped: false, communities: communities.length, events, ...(await seedDirectory(db)) };
}
