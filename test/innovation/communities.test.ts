import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import ical from 'node-ical';
import { seedInnovationDemo } from '../../src/innovation/index.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { backends, openTestDb } from '../helpers/db.js';
import { organisation, type Person, person } from './helpers.js';

const P = '/api/innovation';
/** The VEVENTs of an iCalendar document, parsed back by node-ical. */
const veventsOf = (body: string): ical.VEvent[] =>
  Object.values(ical.sync.parseICS(body)).filter((c): c is ical.VEvent => c?.type === 'VEVENT');
/** A text property, plain or with parameters. */
const text = (v: unknown): string =>
  typeof v === 'object' && v !== null && 'val' in v ? String((v as { val: unknown }).val) : String(v);
/** Whole minutes: iCalendar has no milliseconds. */
const inDays = (d: number, h = 0) =>
  new Date(Math.floor((Date.now() + d * 86_400_000 + h * 3_600_000) / 60_000) * 60_000).toISOString();

for (const backend of backends()) {
  describe(`innovation: communities, events and iCalendar (${backend})`, () => {
    let t: TestApp;
    let orgId: string;
    let coord: Person;
    let ann: Person;
    let ben: Person;
    let cid: string;
    let eventId: string;

    before(async () => {
      t = await startTestApp(backend, { ESCALE_PUBLIC_URL: 'https://escale.example' });
      orgId = await organisation(t, 'le-havre-seine-metropole');
      coord = await person(t, 'coord@lhsm.example', orgId, 'editor');
      ann = await person(t, 'ann@startup.example');
      ben = await person(t, 'ben@startup.example');
    });
    after(async () => t?.dispose());

    it('a coordinator creates a community; strangers may not', async () => {
      const denied = await t.call({
        method: 'POST',
        url: `${P}/communities`,
        json: { slug: 'smart-port', name: 'Smart Port', orgId },
        as: ann.token,
      });
      assert.equal(denied.statusCode, 403);
      assert.match(String(denied.headers['content-type']), /^application\/problem\+json/);
      const r = await t.call({
        method: 'POST',
        url: `${P}/communities`,
        json: { slug: 'smart-port', name: 'Smart Port', description: 'The digital port', orgId },
        as: coord.token,
      });
      assert.equal(r.statusCode, 201, r.body);
      cid = r.json().id;
      assert.deepEqual(r.json().coordinators, [{ userId: coord.id, name: coord.name }]);
      const dup = await t.call({
        method: 'POST',
        url: `${P}/communities`,
        json: { slug: 'smart-port', name: 'Again', orgId },
        as: coord.token,
      });
      assert.equal(dup.statusCode, 409);
      const bad = await t.call({
        method: 'POST',
        url: `${P}/communities`,
        json: { slug: 'Bad Slug!', name: 'x' },
      });
      assert.equal(bad.statusCode, 400);
      const list = await t.call({ method: 'GET', url: `${P}/communities?q=digital`, as: null });
      assert.equal(list.json().total, 1);
    });

    it('members ask to join; the coordinator accepts, gives roles, and keeps the last coordinator seat', async () => {
      const j = await t.call({
        method: 'POST',
        url: `${P}/communities/${cid}/join`,
        json: { message: 'We build port sensors' },
        as: ann.token,
      });
      assert.equal(j.statusCode, 200, j.body);
      assert.equal(j.json().status, 'pending');
      await t.call({ method: 'POST', url: `${P}/communities/${cid}/join`, json: {}, as: ben.token });
      // a pending member neither sees the member list nor decides
      const peek = await t.call({ method: 'GET', url: `${P}/communities/${cid}/members`, as: ann.token });
      assert.equal(peek.statusCode, 403);
      const self = await t.call({
        method: 'PATCH',
        url: `${P}/communities/${cid}/members/${ann.id}`,
        json: { status: 'active' },
        as: ann.token,
      });
      assert.equal(self.statusCode, 403);
      const pending = await t.call({
        method: 'GET',
        url: `${P}/communities/${cid}/members?status=pending`,
        as: coord.token,
      });
      assert.deepEqual(
        pending
          .json()
          .items.map((m: { userId: string }) => m.userId)
          .sort(),
        [ann.id, ben.id].sort(),
      );
      const ok = await t.call({
        method: 'PATCH',
        url: `${P}/communities/${cid}/members/${ann.id}`,
        json: { status: 'active', role: 'contributor' },
        as: coord.token,
      });
      assert.equal(ok.json().status, 'active');
      assert.equal(ok.json().role, 'contributor');
      await t.call({
        method: 'PATCH',
        url: `${P}/communities/${cid}/members/${ben.id}`,
        json: { status: 'active' },
        as: coord.token,
      });
      const seen = await t.call({ method: 'GET', url: `${P}/communities/${cid}/members`, as: ann.token });
      assert.equal(seen.statusCode, 200);
      assert.equal(seen.json().total, 3);
      const last = await t.call({
        method: 'PATCH',
        url: `${P}/communities/${cid}/members/${coord.id}`,
        json: { role: 'member' },
        as: coord.token,
      });
      assert.equal(last.statusCode, 409);
      assert.equal((await t.call({ method: 'GET', url: `${P}/communities/${cid}` })).json().members, 3);
    });

    it('registration fills the capacity, then the waiting list; a cancellation promotes the first in line', async () => {
      const e = await t.call({
        method: 'POST',
        url: `${P}/communities/${cid}/events`,
        json: {
          title: 'Smart Port meetup',
          description: 'Data sharing between port operators',
          location: 'Docks Vauban, Le Havre',
          startsAt: inDays(7),
          endsAt: inDays(7, 2),
          capacity: 1,
        },
        as: coord.token,
      });
      assert.equal(e.statusCode, 201, e.body);
      eventId = e.json().id;
      const byMember = await t.call({
        method: 'POST',
        url: `${P}/communities/${cid}/events`,
        json: { title: 'x', startsAt: inDays(1), endsAt: inDays(1, 1) },
        as: ann.token,
      });
      assert.equal(byMember.statusCode, 403);
      const backwards = await t.call({
        method: 'POST',
        url: `${P}/communities/${cid}/events`,
        json: { title: 'x', startsAt: inDays(2), endsAt: inDays(1) },
        as: coord.token,
      });
      assert.equal(backwards.statusCode, 400);

      const anon = await t.call({ method: 'POST', url: `${P}/events/${eventId}/registrations`, as: null });
      assert.equal(anon.statusCode, 401);
      const a = await t.call({ method: 'POST', url: `${P}/events/${eventId}/registrations`, as: ann.token });
      assert.equal(a.json().status, 'registered');
      const b = await t.call({ method: 'POST', url: `${P}/events/${eventId}/registrations`, as: ben.token });
      assert.equal(b.json().status, 'waitlisted');
      assert.equal(b.json().waitlistPosition, 1);
      const again = await t.call({
        method: 'POST',
        url: `${P}/events/${eventId}/registrations`,
        as: ben.token,
      });
      assert.equal(again.json().status, 'waitlisted', 'registering twice changes nothing');
      let ev = (await t.call({ method: 'GET', url: `${P}/events/${eventId}`, as: null })).json();
      assert.equal(ev.registered, 1);
      assert.equal(ev.waitlisted, 1);

      const cancel = await t.call({
        method: 'DELETE',
        url: `${P}/events/${eventId}/registrations/me`,
        as: ann.token,
      });
      assert.equal(cancel.statusCode, 204);
      const mine = await t.call({
        method: 'GET',
        url: `${P}/events/${eventId}/registrations/me`,
        as: ben.token,
      });
      assert.equal(mine.json().status, 'registered', 'promoted from the waiting list');
      // Ann comes back: the seat is taken, she waits
      const back = await t.call({
        method: 'POST',
        url: `${P}/events/${eventId}/registrations`,
        as: ann.token,
      });
      assert.equal(back.json().status, 'waitlisted');
      // a larger room lets her in
      const bigger = await t.call({
        method: 'PATCH',
        url: `${P}/events/${eventId}`,
        json: { capacity: 2 },
        as: coord.token,
      });
      assert.equal(bigger.json().registered, 2);
      assert.equal(bigger.json().waitlisted, 0);
      ev = bigger.json();
      assert.equal(ev.sequence, 1);
    });

    it('the coordinator records attendance; only managers see the registrations', async () => {
      const hidden = await t.call({
        method: 'GET',
        url: `${P}/events/${eventId}/registrations`,
        as: ann.token,
      });
      assert.equal(hidden.statusCode, 403);
      const r = await t.call({
        method: 'PUT',
        url: `${P}/events/${eventId}/registrations/${ben.id}/attendance`,
        json: { attended: true },
        as: coord.token,
      });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json().attended, true);
      const list = await t.call({
        method: 'GET',
        url: `${P}/events/${eventId}/registrations`,
        as: coord.token,
      });
      assert.equal(list.json().total, 2);
      assert.equal((await t.call({ method: 'GET', url: `${P}/events/${eventId}` })).json().attended, 1);
    });

    it('exports the event and a subscribable feed as iCalendar that parses back', async () => {
      const one = await t.call({ method: 'GET', url: `${P}/events/${eventId}/calendar.ics`, as: null });
      assert.equal(one.statusCode, 200);
      assert.match(String(one.headers['content-type']), /^text\/calendar/);
      const vevents = veventsOf(one.body);
      assert.equal(vevents.length, 1);
      const v = vevents[0];
      assert.equal(v.uid, `${eventId}@escale`);
      assert.equal(text(v.summary), 'Smart Port meetup');
      assert.equal(text(v.location), 'Docks Vauban, Le Havre');
      const ev = (await t.call({ method: 'GET', url: `${P}/events/${eventId}` })).json();
      assert.equal(new Date(v.start).toISOString(), ev.startsAt);
      assert.equal(new Date(v.end ?? 0).toISOString(), ev.endsAt);
      assert.ok(text(v.url ?? '').startsWith(`https://escale.example/innovation/events/${eventId}`));

      await t.call({
        method: 'POST',
        url: `${P}/events`,
        json: { title: 'Programme open day', startsAt: inDays(10), endsAt: inDays(10, 8) },
      });
      const feed = await t.call({ method: 'GET', url: `${P}/calendar.ics`, as: null });
      const all = veventsOf(feed.body);
      assert.deepEqual(all.map((x) => text(x.summary)).sort(), ['Programme open day', 'Smart Port meetup']);
      const community = await t.call({
        method: 'GET',
        url: `${P}/calendar.ics?communityId=${cid}`,
        as: null,
      });
      const only = veventsOf(community.body);
      assert.equal(only.length, 1);

      // cancelling the event reaches subscribers as STATUS:CANCELLED with a higher SEQUENCE
      await t.call({
        method: 'PATCH',
        url: `${P}/events/${eventId}`,
        json: { status: 'cancelled' },
        as: coord.token,
      });
      const again = await t.call({ method: 'GET', url: `${P}/events/${eventId}/calendar.ics` });
      const [c] = veventsOf(again.body);
      assert.equal(c.status, 'CANCELLED');
      assert.match(again.body, /SEQUENCE:2/);
      const late = await t.call({
        method: 'POST',
        url: `${P}/events/${eventId}/registrations`,
        as: coord.token,
      });
      assert.equal(late.statusCode, 422);
    });

    it('pages the agenda and refuses bad paging', async () => {
      const r = await t.call({ method: 'GET', url: `${P}/events?limit=1`, as: null });
      assert.equal(r.json().items.length, 1);
      assert.equal(r.json().total, 2);
      const bad = await t.call({ method: 'GET', url: `${P}/events?limit=100000`, as: null });
      assert.equal(bad.statusCode, 400);
    });

    it('seeds the three communities of the programme with events, once', async () => {
      const fresh = await openTestDb(backend);
      try {
        const first = await seedInnovationDemo(fresh.db);
        assert.deepEqual(first, { skipped: false, communities: 3, events: 5, partners: 15, practices: 10 });
        const names = await fresh.db.query<{ name: string }>(
          'SELECT name FROM inv_communities ORDER BY name',
        );
        assert.deepEqual(
          names.rows.map((r) => r.name),
          ['Innovations and Industries', 'Smart Building Normandie', 'Smart Port'],
        );
        assert.deepEqual(await seedInnovationDemo(fresh.db), {
          skipped: true,
          communities: 0,
          events: 0,
          partners: 0,
          practices: 0,
        });
      } finally {
        await fresh.dispose();
      }
    });
  });
}
