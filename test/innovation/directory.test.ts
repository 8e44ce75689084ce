import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seedInnovationDemo } from '../../src/innovation/index.js';
import { seedObservatoryDemo } from '../../src/observatory/index.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { backends } from '../helpers/db.js';
import { organisation, type Person, person } from './helpers.js';

const P = '/api/innovation';
type J = Record<string, unknown>;

for (const backend of backends()) {
  describe(`innovation: partners directory and knowledge base (${backend})`, () => {
    let t: TestApp;
    let haropaOrg: string;
    let haropaEditor: Person;
    let stranger: Person;
    let coord: Person;
    let ownCommunity: string;

    before(async () => {
      t = await startTestApp(backend);
      await seedObservatoryDemo(t.db());
      await seedInnovationDemo(t.db());
      haropaOrg = await organisation(t, 'haropa-port', 'port-authority');
      haropaEditor = await person(t, 'innovation@haropa.example', haropaOrg, 'editor');
      stranger = await person(t, 'someone@else.example');
      const lhsm = await organisation(t, 'lhsm');
      coord = await person(t, 'coord@lhsm.example', lhsm, 'editor');
      const c = await t.call({
        method: 'POST',
        url: `${P}/communities`,
        as: coord.token,
        json: { slug: 'blue-economy', name: 'Blue economy', orgId: lhsm },
      });
      assert.equal(c.statusCode, 201, c.body);
      ownCommunity = c.json().id;
    });
    after(async () => t?.dispose());

    const anon = (url: string) => t.call({ method: 'GET', url, as: null });

    it('lists the programme partners to anyone, searchable by name, sector and role', async () => {
      const all = await anon(`${P}/partners?limit=100`);
      assert.equal(all.statusCode, 200, all.body);
      assert.equal(all.json().total, 15);
      const names = all.json().items.map((p: J) => p.name);
      for (const n of [
        'HAROPA Port',
        'Le Havre Seine Métropole',
        'AURH',
        'Soget',
        'Université Le Havre Normandie',
      ])
        assert.ok(names.includes(n), n);
      const q = (await anon(`${P}/partners?q=smart%20data`)).json();
      assert.deepEqual(q.items.map((p: J) => p.name).sort(), [
        'Cisco',
        'HAROPA Port',
        'Le Havre Seine Métropole',
        'Orange',
        'Soget',
      ]);
      const digital = (await anon(`${P}/partners?sector=digital`)).json();
      assert.deepEqual(
        digital.items.map((p: J) => p.name),
        ['Cisco', 'Orange', 'Soget'],
      );
      const founders = (await anon(`${P}/partners?role=founding-partner&size=large`)).json();
      assert.deepEqual(
        founders.items.map((p: J) => p.name),
        ['HAROPA Port', 'Université Le Havre Normandie'],
      );
      const facets = (await anon(`${P}/partners/facets`)).json();
      assert.deepEqual(
        facets.sectors.find((f: J) => f.value === 'digital'),
        { value: 'digital', count: 3 },
      );
      assert.equal((await anon(`${P}/partners?role=king`)).statusCode, 400);
      assert.equal((await anon(`${P}/partners?limit=501`)).statusCode, 400);
    });

    it("shows a partner's projects from the Observatory", async () => {
      const haropa = (await anon(`${P}/partners?q=HAROPA`)).json().items[0];
      const one = await anon(`${P}/partners/${haropa.id}`);
      assert.equal(one.statusCode, 200, one.body);
      const projects = one.json().observatoryProjects as { code: string; role: string }[];
      assert.ok(projects.some((p) => p.code === 'SDS' && p.role === 'lead'));
      assert.ok(projects.some((p) => p.code === 'CYBERMAR' && p.role === 'partner'));
      assert.equal(projects[0].role, 'lead', 'projects it leads come first');
    });

    it('platform administrators maintain the directory; a partner edits its own entry', async () => {
      const body = {
        slug: 'towt',
        name: 'TOWT',
        sector: 'port-logistics',
        size: 'small',
        roles: ['project-partner'],
        city: 'Le Havre',
        description: 'Transport of goods under sail.',
        contact: { email: 'contact@towt.example' },
      };
      const denied = await t.call({ method: 'POST', url: `${P}/partners`, as: stranger.token, json: body });
      assert.equal(denied.statusCode, 403);
      const anonymous = await t.call({ method: 'POST', url: `${P}/partners`, as: null, json: body });
      assert.equal(anonymous.statusCode, 401);
      const bad = await t.call({ method: 'POST', url: `${P}/partners`, json: { ...body, size: 'huge' } });
      assert.equal(bad.statusCode, 400);
      const r = await t.call({ method: 'POST', url: `${P}/partners`, json: body });
      assert.equal(r.statusCode, 201, r.body);
      assert.equal(r.json().contact.email, 'contact@towt.example');
      const dup = await t.call({ method: 'POST', url: `${P}/partners`, json: body });
      assert.equal(dup.statusCode, 409);

      const haropa = (await anon(`${P}/partners?q=HAROPA`)).json().items[0];
      const notYet = await t.call({
        method: 'PATCH',
        url: `${P}/partners/${haropa.id}`,
        as: haropaEditor.token,
        json: { description: 'Port of Le Havre, Rouen and Paris.' },
      });
      assert.equal(notYet.statusCode, 403, 'not linked to its organisation yet');
      const link = await t.call({
        method: 'PATCH',
        url: `${P}/partners/${haropa.id}`,
        json: { orgId: haropaOrg },
      });
      assert.equal(link.statusCode, 200, link.body);
      const own = await t.call({
        method: 'PATCH',
        url: `${P}/partners/${haropa.id}`,
        as: haropaEditor.token,
        json: { description: 'Port of Le Havre, Rouen and Paris.', contact: { name: 'Innovation desk' } },
      });
      assert.equal(own.statusCode, 200, own.body);
      assert.equal(own.json().description, 'Port of Le Havre, Rouen and Paris.');
      const relink = await t.call({
        method: 'PATCH',
        url: `${P}/partners/${haropa.id}`,
        as: haropaEditor.token,
        json: { orgId: null },
      });
      assert.equal(relink.statusCode, 403);
      const del = await t.call({
        method: 'DELETE',
        url: `${P}/partners/${r.json().id}`,
        as: haropaEditor.token,
      });
      assert.equal(del.statusCode, 403);
      assert.equal((await t.call({ method: 'DELETE', url: `${P}/partners/${r.json().id}` })).statusCode, 204);
      assert.equal((await anon(`${P}/partners/${r.json().id}`)).statusCode, 404);
    });

    it('searches the knowledge base by text and tags, and by linked community', async () => {
      const bench = (await anon(`${P}/practices?q=benchmark`)).json();
      assert.ok(bench.items.some((p: J) => p.slug === 'icc-innovative-procurement-benchmark'));
      const peers = (await anon(`${P}/practices?tag=procurement&tag=peer%20city&limit=50`)).json();
      assert.deepEqual(peers.items.map((p: J) => p.city).sort(), [
        'Antwerp',
        'Bordeaux',
        'Metz',
        'Pori',
        'Toulouse',
      ]);
      const tools = (await anon(`${P}/practices?tag=procurement&kind=tool`)).json();
      assert.equal(tools.total, 2);
      const bordeaux = (await anon(`${P}/practices?city=bordeaux`)).json();
      assert.equal(bordeaux.items[0].title, 'Innovative public procurement in Bordeaux');
      const smartPort = (await anon(`${P}/communities?q=Smart%20Port`)).json().items[0];
      const linked = (await anon(`${P}/practices?communityId=${smartPort.id}`)).json();
      assert.deepEqual(linked.items.map((p: J) => p.slug).sort(), [
        'antwerp-port-city-ecosystem',
        'pori-innovative-procurement',
        'transat-jacques-vabre-challenge',
      ]);
      const tags = (await anon(`${P}/practices/tags`)).json().items;
      assert.deepEqual(tags[0], { value: 'procurement', count: 8 });
    });

    it('coordinators add practices to their communities; others may not', async () => {
      const body = {
        slug: 'sail-cargo',
        kind: 'case-study',
        title: 'Sail cargo between Le Havre and the Americas',
        summaryEn: 'Decarbonised transport of goods under sail.',
        tags: ['Blue Economy', 'decarbonisation'],
        links: [{ title: 'Programme', url: 'https://example.org/sail' }],
        communityIds: [ownCommunity],
      };
      const stray = await t.call({ method: 'POST', url: `${P}/practices`, as: stranger.token, json: body });
      assert.equal(stray.statusCode, 403);
      const unlinked = await t.call({
        method: 'POST',
        url: `${P}/practices`,
        as: coord.token,
        json: { ...body, communityIds: [] },
      });
      assert.equal(unlinked.statusCode, 403, 'an unlinked practice is for platform administrators');
      const badUrl = await t.call({
        method: 'POST',
        url: `${P}/practices`,
        as: coord.token,
        json: { ...body, links: [{ title: 'x', url: 'javascript:alert(1)' }] },
      });
      assert.equal(badUrl.statusCode, 400);
      const r = await t.call({ method: 'POST', url: `${P}/practices`, as: coord.token, json: body });
      assert.equal(r.statusCode, 201, r.body);
      assert.deepEqual(r.json().tags, ['blue economy', 'decarbonisation']);
      assert.equal(r.json().createdBy, `user:${coord.id}`);
      const found = (await anon(`${P}/practices?tag=blue%20economy`)).json();
      assert.deepEqual(found.items.map((p: J) => p.slug).sort(), [
        'sail-cargo',
        'transat-jacques-vabre-challenge',
      ]);
      const smartPort = (await anon(`${P}/communities?q=Smart%20Port`)).json().items[0];
      const steal = await t.call({
        method: 'PATCH',
        url: `${P}/practices/${r.json().id}`,
        as: coord.token,
        json: { communityIds: [ownCommunity, smartPort.id] },
      });
      assert.equal(steal.statusCode, 403, 'a coordinator cannot link a community they do not coordinate');
      const edit = await t.call({
        method: 'PATCH',
        url: `${P}/practices/${r.json().id}`,
        as: coord.token,
        json: { year: 2023 },
      });
      assert.equal(edit.json().year, 2023);
      const seeded = (await anon(`${P}/practices?q=Bordeaux`)).json().items[0];
      const notTheirs = await t.call({
        method: 'DELETE',
        url: `${P}/practices/${seeded.id}`,
        as: coord.token,
      });
      assert.equal(notTheirs.statusCode, 403);
      const gone = await t.call({ method: 'DELETE', url: `${P}/practices/${r.json().id}`, as: coord.token });
      assert.equal(gone.statusCode, 204);
    });
  });
}
