import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { backends } from '../helpers/db.js';
import { organisation, type Person, person } from './helpers.js';

const P = '/api/innovation';
type J = Record<string, unknown>;
const inDays = (d: number, h = 16) => {
  const t = new Date(Date.now() + d * 86_400_000);
  return new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate(), h)).toISOString();
};
/** A small but real PDF document. */
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

for (const backend of backends()) {
  describe(`innovation: a community's workspace (${backend})`, () => {
    let t: TestApp;
    let coord: Person;
    let ann: Person;
    let ben: Person;
    let cid: string;

    before(async () => {
      t = await startTestApp(backend);
      const org = await organisation(t, 'french-tech-le-havre');
      coord = await person(t, 'coord@frenchtech.example', org, 'editor');
      ann = await person(t, 'ann@startup.example');
      ben = await person(t, 'ben@elsewhere.example');
      const c = await t.call({
        method: 'POST',
        url: `${P}/communities`,
        as: coord.token,
        json: { slug: 'smart-port', name: 'Smart Port', orgId: org },
      });
      cid = c.json().id;
      await t.call({ method: 'POST', url: `${P}/communities/${cid}/join`, as: ann.token, json: {} });
      const ok = await t.call({
        method: 'PATCH',
        url: `${P}/communities/${cid}/members/${ann.id}`,
        as: coord.token,
        json: { status: 'active' },
      });
      assert.equal(ok.statusCode, 200, ok.body);
    });
    after(async () => t?.dispose());

    it('publishes a roadmap the coordinators maintain', async () => {
      const add = (json: J, as = coord.token) =>
        t.call({ method: 'POST', url: `${P}/communities/${cid}/roadmap`, as, json });
      assert.equal((await add({ title: 'Launch' }, ann.token)).statusCode, 403);
      assert.equal((await add({ title: 'x', dueDate: '2026-13-01' })).statusCode, 400);
      const m2 = await add({ title: 'First challenge launched', dueDate: '2026-10-01', position: 2 });
      const m1 = await add({ title: 'Work plan agreed', dueDate: '2026-06-30', position: 1 });
      assert.equal(m1.statusCode, 201, m1.body);
      const done = await t.call({
        method: 'PATCH',
        url: `${P}/communities/${cid}/roadmap/${m1.json().id}`,
        as: coord.token,
        json: { status: 'done' },
      });
      assert.equal(done.json().status, 'done');
      const read = (await t.call({ method: 'GET', url: `${P}/communities/${cid}/roadmap`, as: null })).json();
      assert.deepEqual(
        read.items.map((m: J) => [m.title, m.dueDate, m.status]),
        [
          ['Work plan agreed', '2026-06-30', 'done'],
          ['First challenge launched', '2026-10-01', 'planned'],
        ],
      );
      const gone = await t.call({
        method: 'DELETE',
        url: `${P}/communities/${cid}/roadmap/${m2.json().id}`,
        as: coord.token,
      });
      assert.equal(gone.statusCode, 204);
    });

    it('shares links and files: public ones with everyone, the others with members only', async () => {
      const share = (json: J, as = ann.token) =>
        t.call({ method: 'POST', url: `${P}/communities/${cid}/resources`, as, json });
      const link = {
        title: 'ICC final deliverable',
        url: 'https://example.org/icc.pdf',
        visibility: 'public',
      };
      assert.equal((await share(link)).statusCode, 403, 'a plain member reads; contributors share');
      await t.call({
        method: 'PATCH',
        url: `${P}/communities/${cid}/members/${ann.id}`,
        as: coord.token,
        json: { role: 'contributor' },
      });
      assert.equal((await share(link)).statusCode, 201);
      const file = {
        filename: 'compte-rendu été.pdf',
        contentType: 'application/pdf',
        data: PDF.toString('base64'),
      };
      const f = await share({ title: 'Minutes of the June meetup', file });
      assert.equal(f.statusCode, 201, f.body);
      assert.equal(f.json().visibility, 'members');
      assert.equal(f.json().file.size, PDF.length);
      const fake = await share({
        title: 'x',
        file: { ...file, data: Buffer.from('MZ not a pdf').toString('base64') },
      });
      assert.equal(fake.statusCode, 400);
      const exe = await share({ title: 'x', file: { ...file, contentType: 'application/x-msdownload' } });
      assert.equal(exe.statusCode, 415);
      const big = Buffer.concat([PDF, Buffer.alloc(2 * 1024 * 1024)]);
      const tooBig = await share({ title: 'x', file: { ...file, data: big.toString('base64') } });
      assert.equal(tooBig.statusCode, 413);
      const both = await share({ title: 'x', url: 'https://example.org', file });
      assert.equal(both.statusCode, 400);

      const anonList = (
        await t.call({ method: 'GET', url: `${P}/communities/${cid}/resources`, as: null })
      ).json();
      assert.deepEqual(
        anonList.items.map((r: J) => r.title),
        ['ICC final deliverable'],
      );
      const memberList = (
        await t.call({ method: 'GET', url: `${P}/communities/${cid}/resources`, as: coord.token })
      ).json();
      assert.equal(memberList.total, 2);
      const url = `${P}/communities/${cid}/resources/${f.json().id}/content`;
      assert.equal((await t.call({ method: 'GET', url, as: ben.token })).statusCode, 404);
      const dl = await t.call({ method: 'GET', url, as: coord.token });
      assert.equal(dl.statusCode, 200);
      assert.equal(dl.headers['content-type'], 'application/pdf');
      assert.match(
        String(dl.headers['content-disposition']),
        /filename\*=UTF-8''compte-rendu%20%C3%A9t%C3%A9\.pdf/,
      );
      assert.deepEqual(dl.rawPayload, PDF);
      const notHis = await t.call({
        method: 'DELETE',
        url: `${P}/communities/${cid}/resources/${f.json().id}`,
        as: ben.token,
      });
      assert.equal(notHis.statusCode, 404);
      const mine = await t.call({
        method: 'DELETE',
        url: `${P}/communities/${cid}/resources/${f.json().id}`,
        as: ann.token,
      });
      assert.equal(mine.statusCode, 204);
    });

    it('holds discussions among members', async () => {
      const start = (as: string) =>
        t.call({
          method: 'POST',
          url: `${P}/communities/${cid}/threads`,
          as,
          json: { title: 'Truck waiting times', body: 'Who has data on the terminals?' },
        });
      assert.equal((await start(ben.token)).statusCode, 403);
      assert.equal(
        (await t.call({ method: 'GET', url: `${P}/communities/${cid}/threads`, as: ben.token })).statusCode,
        403,
      );
      const th = await start(ann.token);
      assert.equal(th.statusCode, 201, th.body);
      const id = th.json().id;
      const reply = await t.call({
        method: 'POST',
        url: `${P}/threads/${id}/posts`,
        as: coord.token,
        json: { body: 'The data hub has TruckGateStatistics.' },
      });
      assert.equal(reply.statusCode, 201, reply.body);
      assert.equal(
        (await t.call({ method: 'GET', url: `${P}/threads/${id}/posts`, as: ben.token })).statusCode,
        403,
      );
      const posts = (await t.call({ method: 'GET', url: `${P}/threads/${id}/posts`, as: ann.token })).json();
      assert.deepEqual(
        posts.items.map((p: J) => (p.author as J).name),
        [ann.name, coord.name],
      );
      const list = (
        await t.call({ method: 'GET', url: `${P}/communities/${cid}/threads`, as: ann.token })
      ).json();
      assert.equal(list.items[0].posts, 2);
      assert.equal(
        (await t.call({ method: 'PATCH', url: `${P}/threads/${id}`, as: ann.token, json: { locked: true } }))
          .statusCode,
        403,
      );
      const lock = await t.call({
        method: 'PATCH',
        url: `${P}/threads/${id}`,
        as: coord.token,
        json: { locked: true },
      });
      assert.equal(lock.json().locked, true);
      const late = await t.call({
        method: 'POST',
        url: `${P}/threads/${id}/posts`,
        as: ann.token,
        json: { body: 'One more thing' },
      });
      assert.equal(late.statusCode, 422);
      const coordPost = posts.items[1].id;
      const del = await t.call({ method: 'DELETE', url: `${P}/posts/${coordPost}`, as: ann.token });
      assert.equal(del.statusCode, 403);
      assert.equal(
        (await t.call({ method: 'DELETE', url: `${P}/posts/${coordPost}`, as: coord.token })).statusCode,
        204,
      );
    });

    it('reports attendance month by month', async () => {
      const ev = async (d: number) => {
        const r = await t.call({
          method: 'POST',
          url: `${P}/communities/${cid}/events`,
          as: coord.token,
          json: { title: `Meetup +${d}`, startsAt: inDays(d), endsAt: inDays(d, 18) },
        });
        assert.equal(r.statusCode, 201, r.body);
        return r.json().id as string;
      };
      const e1 = await ev(40);
      const e2 = await ev(100);
      for (const p of [ann, ben]) {
        const r = await t.call({ method: 'POST', url: `${P}/events/${e1}/registrations`, as: p.token });
        assert.equal(r.statusCode, 200, r.body);
      }
      await t.call({ method: 'POST', url: `${P}/events/${e2}/registrations`, as: ann.token });
      const att = await t.call({
        method: 'PUT',
        url: `${P}/events/${e1}/registrations/${ann.id}/attendance`,
        as: coord.token,
        json: { attended: true },
      });
      assert.equal(att.statusCode, 200, att.body);
      const series = (
        await t.call({ method: 'GET', url: `${P}/communities/${cid}/attendance`, as: null })
      ).json().items as { month: string; events: number; registered: number; attended: number }[];
      const month = (d: number) => inDays(d).slice(0, 7);
      const [y1, m1] = month(40).split('-').map(Number);
      const [y2, m2] = month(100).split('-').map(Number);
      assert.equal(
        series.length,
        (y2 - y1) * 12 + (m2 - m1) + 1,
        'every month between the first and the last',
      );
      assert.deepEqual(series[0], { month: month(40), events: 1, registered: 2, attended: 1 });
      assert.deepEqual(series[series.length - 1], {
        month: month(100),
        events: 1,
        registered: 1,
        attended: 0,
      });
      for (const between of series.slice(1, -1)) assert.equal(between.events, 0);
      const none = (
        await t.call({
          method: 'GET',
          url: `${P}/communities/${cid}/attendance?to=${encodeURIComponent(inDays(1))}`,
          as: null,
        })
      ).json();
      assert.deepEqual(none.items, []);
    });
  });
}
