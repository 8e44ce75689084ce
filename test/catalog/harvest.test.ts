import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeWorld, type World } from '../governance/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { backends } from '../helpers/db.js';

for (const backend of backends()) {
  describe(`DCAT harvesting (${backend})`, () => {
    let remote: TestApp;
    let local: TestApp;
    let w: World;
    let remoteUrl: string;
    const remoteIds: string[] = [];
    before(async () => {
      // Another Escale serving its own /catalog on the loopback interface.
      remote = await startTestApp(backend);
      const rw = await makeWorld(remote);
      for (const [title, access] of [
        ['Berth occupancy', 'open'],
        ['Air quality', 'open'],
        ['Gate transactions', 'account'],
      ]) {
        const r = await remote.call({
          method: 'POST',
          url: '/api/catalog/datasets',
          json: {
            orgId: rw.orgA,
            title: { en: title, fr: `${title} (fr)` },
            description: { en: `${title}, every hour.` },
            keywords: ['port', 'le-havre'],
            themes: ['TRAN'],
            license: 'https://www.etalab.gouv.fr/licence-ouverte-open-licence',
            access,
          },
        });
        assert.equal(r.statusCode, 201, r.body);
        remoteIds.push(r.json().id);
      }
      const dist = await remote.call({
        method: 'POST',
        url: `/api/catalog/datasets/${remoteIds[0]}/distributions`,
        json: { kind: 'file', url: 'https://data.example/berths.csv', mediaType: 'text/csv' },
      });
      assert.equal(dist.statusCode, 201, dist.body);
      remoteUrl = `${await remote.app.listen({ port: 0, host: '127.0.0.1' })}/catalog`;
      // This platform may reach 127.0.0.1 only because the test allows it explicitly.
      const saved = process.env.ESCALE_OUTBOUND_ALLOW;
      process.env.ESCALE_OUTBOUND_ALLOW = '127.0.0.1';
      try {
        local = await startTestApp(backend);
      } finally {
        if (saved === undefined) delete process.env.ESCALE_OUTBOUND_ALLOW;
        else process.env.ESCALE_OUTBOUND_ALLOW = saved;
      }
      w = await makeWorld(local);
    });
    after(async () => {
      await local?.dispose();
      await remote?.dispose();
    });

    it('refuses loopback and private URLs by default', async () => {
      for (const url of [
        remoteUrl,
        'http://10.0.0.8/catalog',
        'http://[::1]/catalog',
        'http://169.254.169.254/',
      ]) {
        const r = await remote.call({
          method: 'POST',
          url: '/api/catalog/harvest-sources',
          json: {
            orgId: (await remote.call({ method: 'GET', url: '/api/organisations' })).json().items[0].id,
            url,
          },
        });
        assert.equal(r.statusCode, 400, `${url}: ${r.body}`);
        assert.match(r.json().detail, /refused/);
      }
    });

    it('harvests a remote DCAT-AP catalog (JSON-LD), then follows its changes', async () => {
      const reg = await local.call({
        method: 'POST',
        url: '/api/catalog/harvest-sources',
        json: { orgId: w.orgA, url: remoteUrl, title: 'Remote Escale' },
        as: w.aliceAdminA,
      });
      assert.equal(reg.statusCode, 201, reg.body);
      const id = reg.json().id;
      // Only editors of the organisation run it; outsiders do not learn it exists.
      const foreign = await local.call({
        method: 'POST',
        url: `/api/catalog/harvest-sources/${id}/run`,
        as: w.carolAdminB,
      });
      assert.equal(foreign.statusCode, 404);
      const member = await local.call({
        method: 'POST',
        url: `/api/catalog/harvest-sources/${id}/run`,
        as: w.bobMemberA,
      });
      assert.equal(member.statusCode, 403);
      const run = await local.call({
        method: 'POST',
        url: `/api/catalog/harvest-sources/${id}/run`,
        as: w.aliceAdminA,
      });
      assert.equal(run.statusCode, 200, run.body);
      assert.deepEqual(
        { ...(run.json() as Record<string, unknown>), source: undefined },
        { source: undefined, status: 'ok', harvested: 2, created: 2, updated: 0, removed: 0, kept: 0 },
      );
      const list = await local.call({ method: 'GET', url: `/api/catalog/datasets?publisher=${w.orgA}` });
      const items = list.json().items as {
        title: { en: string; fr: string };
        source: { id: string; iri: string };
        orgId: string;
        keywords: string[];
        themes: string[];
        license: string;
        access: string;
        distributions: { kind: string; url: string; mediaType: string }[];
      }[];
      assert.deepEqual(items.map((d) => d.title.en).sort(), ['Air quality', 'Berth occupancy']);
      const berths = items.find((d) => d.title.en === 'Berth occupancy')!;
      assert.equal(berths.title.fr, 'Berth occupancy (fr)');
      assert.equal(berths.source.id, id);
      assert.match(berths.source.iri, new RegExp(`/api/catalog/datasets/${remoteIds[0]}$`));
      assert.deepEqual(berths.keywords.sort(), ['le-havre', 'port']);
      assert.deepEqual(berths.themes, ['TRAN']);
      assert.equal(berths.access, 'open');
      assert.equal(berths.license, 'https://www.etalab.gouv.fr/licence-ouverte-open-licence');
      assert.deepEqual(
        berths.distributions.map((d) => [d.kind, d.url, d.mediaType]),
        [['file', 'https://data.example/berths.csv', 'text/csv']],
      );

      // The remote removes a dataset and renames another: the next run follows.
      assert.equal(
        (await remote.call({ method: 'DELETE', url: `/api/catalog/datasets/${remoteIds[1]}` })).statusCode,
        204,
      );
      await remote.call({
        method: 'PATCH',
        url: `/api/catalog/datasets/${remoteIds[0]}`,
        json: { title: { en: 'Berth occupancy (hourly)' } },
      });
      const again = await local.call({
        method: 'POST',
        url: `/api/catalog/harvest-sources/${id}/run`,
        as: w.aliceAdminA,
      });
      assert.equal(again.statusCode, 200, again.body);
      assert.equal(again.json().updated, 1);
      assert.equal(again.json().removed, 1);
      const now = await local.call({ method: 'GET', url: `/api/catalog/datasets?publisher=${w.orgA}` });
      assert.deepEqual(
        now.json().items.map((d: { title: { en: string } }) => d.title.en),
        ['Berth occupancy (hourly)'],
      );
      const src = await local.call({
        method: 'GET',
        url: `/api/catalog/harvest-sources/${id}`,
        as: w.aliceAdminA,
      });
      assert.equal(src.json().lastStatus, 'ok');
      assert.equal(src.json().harvested, 1);
    });

    it('harvests Turtle too', async () => {
      const reg = await local.call({
        method: 'POST',
        url: '/api/catalog/harvest-sources',
        json: { orgId: w.orgB, url: `${remoteUrl}?format=ttl` },
        as: w.carolAdminB,
      });
      assert.equal(reg.statusCode, 201, reg.body);
      const run = await local.call({
        method: 'POST',
        url: `/api/catalog/harvest-sources/${reg.json().id}/run`,
        as: w.carolAdminB,
      });
      assert.equal(run.statusCode, 200, run.body);
      assert.equal(run.json().created, 1);
      const list = await local.call({ method: 'GET', url: `/api/catalog/datasets?publisher=${w.orgB}` });
      assert.deepEqual(
        list.json().items.map((d: { title: { en: string } }) => d.title.en),
        ['Berth occupancy (hourly)'],
      );
      const mine = await local.call({
        method: 'GET',
        url: '/api/catalog/harvest-sources',
        as: w.carolAdminB,
      });
      assert.equal(mine.json().total, 1);
    });

    it('records a failed run', async () => {
      const reg = await local.call({
        method: 'POST',
        url: '/api/catalog/harvest-sources',
        json: { orgId: w.orgA, url: `${remoteUrl.replace('/catalog', '/api/no-such-catalog')}` },
        as: w.aliceAdminA,
      });
      const run = await local.call({
        method: 'POST',
        url: `/api/catalog/harvest-sources/${reg.json().id}/run`,
        as: w.aliceAdminA,
      });
      assert.equal(run.statusCode, 422, run.body);
      const src = await local.call({
        method: 'GET',
        url: `/api/catalog/harvest-sources/${reg.json().id}`,
        as: w.aliceAdminA,
      });
      assert.equal(src.json().lastStatus, 'failed');
      assert.match(src.json().lastError, /404/);
    });
  });
}
