import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ApplicantMessage } from '../../src/innovation/index.js';
import { sendEventReminders } from '../../src/innovation/reminders.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { backends } from '../helpers/db.js';
import { organisation, type Person, person } from './helpers.js';

const P = '/api/innovation';
const inHours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();

for (const backend of backends()) {
  describe(`innovation: event reminders (${backend})`, () => {
    let t: TestApp;
    let dataDir: string;
    let coord: Person;
    let ann: Person;
    let ben: Person;
    let cid: string;
    const sent: ApplicantMessage[] = [];
    const spy = async (m: ApplicantMessage) => {
      sent.push(m);
      return { outcome: 'written' as const, detail: 'test' };
    };
    const event = async (title: string, hours: number, reminderHours?: number | null) => {
      const r = await t.call({
        method: 'POST',
        url: `${P}/communities/${cid}/events`,
        as: coord.token,
        json: { title, startsAt: inHours(hours), endsAt: inHours(hours + 2), reminderHours },
      });
      assert.equal(r.statusCode, 201, r.body);
      return r.json();
    };
    const registerAll = async (id: string) => {
      for (const p of [ann, ben]) {
        const r = await t.call({ method: 'POST', url: `${P}/events/${id}/registrations`, as: p.token });
        assert.equal(r.statusCode, 200, r.body);
      }
    };

    before(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'escale-rem-'));
      t = await startTestApp(backend, {
        ESCALE_DATA_DIR: dataDir,
        ESCALE_PUBLIC_URL: 'https://escale.example',
      });
      const org = await organisation(t, 'french-tech-le-havre');
      coord = await person(t, 'coord@ft.example', org, 'editor');
      ann = await person(t, 'ann@startup.example');
      ben = await person(t, 'ben@startup.example');
      cid = (
        await t.call({
          method: 'POST',
          url: `${P}/communities`,
          as: coord.token,
          json: { slug: 'smart-port', name: 'Smart Port', orgId: org },
        })
      ).json().id;
    });
    after(async () => {
      await t?.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('reminds the people holding a seat once the event enters its reminder window, once', async () => {
      const soon = await event('Meetup tomorrow', 10);
      assert.equal(soon.reminderHours, 24, 'a day before by default');
      const later = await event('Workshop next week', 24 * 6);
      const none = await event('No reminder', 5, null);
      for (const e of [soon, later, none]) await registerAll(e.id);
      await t.call({ method: 'DELETE', url: `${P}/events/${soon.id}/registrations/me`, as: ben.token });

      const r = await sendEventReminders(t.db(), spy, 'https://escale.example');
      assert.deepEqual(r, { sent: 1, failed: 0 });
      assert.deepEqual(
        sent.map((m) => m.userId),
        [ann.id],
        'only the seat holders of the event within its window',
      );
      assert.match(sent[0].subject, /Meetup tomorrow/);
      assert.match(sent[0].text, new RegExp(`https://escale\\.example/innovation/events/${soon.id}`));
      assert.deepEqual(await sendEventReminders(t.db(), spy, 'https://escale.example'), {
        sent: 0,
        failed: 0,
      });
      // a week later the workshop is due
      const nextWeek = new Date(Date.now() + 24 * 5.5 * 3_600_000);
      const r2 = await sendEventReminders(t.db(), spy, 'https://escale.example', { now: nextWeek });
      assert.deepEqual(r2, { sent: 2, failed: 0 });

      // rescheduled: reminded again
      sent.length = 0;
      const moved = await t.call({
        method: 'PATCH',
        url: `${P}/events/${soon.id}`,
        as: coord.token,
        json: { startsAt: inHours(12), endsAt: inHours(14) },
      });
      assert.equal(moved.statusCode, 200, moved.body);
      assert.deepEqual(await sendEventReminders(t.db(), spy, 'https://escale.example'), {
        sent: 1,
        failed: 0,
      });
      assert.match(sent[0].text, /Meetup tomorrow/);
    });

    it('lets managers remind now, by e-mail', async () => {
      const e = await event('Demo day', 24 * 20);
      await registerAll(e.id);
      const denied = await t.call({ method: 'POST', url: `${P}/events/${e.id}/reminders`, as: ann.token });
      assert.equal(denied.statusCode, 403);
      const r = await t.call({ method: 'POST', url: `${P}/events/${e.id}/reminders`, as: coord.token });
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual(r.json(), { sent: 2, failed: 0 });
      assert.equal(readdirSync(join(dataDir, 'outbox')).filter((f) => f.endsWith('.eml')).length, 2);
      const again = await t.call({ method: 'POST', url: `${P}/events/${e.id}/reminders`, as: coord.token });
      assert.deepEqual(again.json(), { sent: 0, failed: 0 });
    });
  });
}
