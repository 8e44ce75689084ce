import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createEntityBatcher, type EntityBatcher } from '../../src/ingest/batcher.js';
import { createReplayFeed, tagBlockTime } from '../../src/ingest/feeds/replay.js';
import { brokerWriter, createIngest, type IngestRuntime, type IngestStatus } from '../../src/ingest/index.js';
import { backends } from '../helpers/db.js';
import { type Harness, openHarness } from '../mobility/harness.js';

const fixture = fileURLToPath(new URL('../fixtures/ais/channel-excerpt.nmea', import.meta.url));

describe('tag-block times', () => {
  it('reads c: in milliseconds or seconds', () => {
    const line = '\\s:sample,c:1331724614000*08\\!AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0*23';
    assert.equal(tagBlockTime(line), 1331724614000);
    assert.equal(tagBlockTime('\\c:1331724614,s:x*00\\!AIVDM'), 1331724614000);
    assert.equal(tagBlockTime('!AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0*23'), undefined);
  });
});

for (const backend of backends()) {
  describe(`replay of the Channel excerpt into the broker on ${backend}`, () => {
    let h: Harness;
    let ingest: IngestRuntime;
    let batcher: EntityBatcher;
    before(async () => {
      h = await openHarness(
        backend,
        {},
        {
          ingest: (broker) => {
            // No flush timer: everything the replay produced is written by close(), in batches of 500.
            batcher = createEntityBatcher({
              write: brokerWriter(broker),
              intervalMs: 60_000,
              maxEntities: 500,
            });
            ingest = createIngest(
              {
                aisTcp: [],
                aisUdp: [],
                aisClassB: 'coarsen',
                aisFlushMs: 1000,
                aisFlushMax: 500,
                demo: false,
                demoAisSpeed: 1,
              },
              { batcher },
            );
            return ingest;
          },
        },
      );
      const feed = createReplayFeed({
        name: 'fixture',
        file: fixture,
        speed: 0,
        onMessage: (m, receivedAt) => ingest.pipeline.accept(m, receivedAt),
      });
      ingest.feeds.add(feed);
      feed.start();
      await feed.done();
      await batcher.close();
    });
    after(() => h.dispose());

    it('writes every vessel of the excerpt in a few batches, not one write per message', async () => {
      const status = await h.getJson<IngestStatus>('/api/ingest/feeds');
      const [feed] = status.feeds;
      assert.equal(feed.name, 'fixture');
      assert.equal(feed.kind, 'replay');
      assert.equal(feed.state, 'finished');
      assert.equal(feed.lines, 4081);
      assert.ok(feed.messages > 4000, `${feed.messages} messages`);
      assert.equal(status.vessels.tracked, 352);
      assert.equal(status.writes.entitiesWritten, 352);
      assert.equal(status.writes.upserts, 1);
      const r = await h.app.inject({
        method: 'GET',
        url: '/ngsi-ld/v1/entities?type=Vessel&count=true&limit=1',
      });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.headers['ngsild-results-count'], '352');
    });

    it('gives a vessel the name, MMSI and position of its decoded messages', async () => {
      // BENGUELA STREAM, checked by hand against `escale ais decode --native` of the fixture: type 5 on
      // line 3505, last position (type 1) on line 4065.
      const list = await h.getJson<Record<string, { value?: unknown; observedAt?: string }>[]>(
        '/ngsi-ld/v1/entities?type=Vessel&q=mmsi==244455000',
      );
      assert.equal(list.length, 1);
      const v = list[0];
      assert.equal(v.id as unknown, 'urn:ngsi-ld:Vessel:244455000');
      assert.equal(v.mmsi.value, 244455000);
      assert.equal(v.name.value, 'BENGUELA STREAM');
      assert.equal(v.callSign.value, 'PENR');
      assert.equal(v.destinationPort.value, 'FRLEH');
      assert.equal(v.length.value, 149);
      assert.deepEqual(v.location.value, { type: 'Point', coordinates: [0.15116166666666667, 49.47188] });
      assert.equal(v.location.observedAt, '2012-03-14T11:33:30.817Z');
      assert.equal(v.speedOverGround.value, 0);
      assert.equal(v.heading.value, 235);
      assert.equal(v.navigationalStatus.value, 'Under way using engine');
    });

    it("keeps the vessel's positions in the temporal API, at the AIS fix time", async () => {
      const id = encodeURIComponent('urn:ngsi-ld:Vessel:244455000');
      const r = await h.app.inject({
        method: 'GET',
        url: `/ngsi-ld/v1/temporal/entities/${id}?attrs=location,speedOverGround&timerel=after&timeAt=2012-03-14T00:00:00Z`,
      });
      assert.equal(r.statusCode, 200, r.body);
      const t = r.json() as Record<string, { value: unknown; observedAt: string }[]>;
      assert.deepEqual(
        t.location.map((i) => [i.observedAt, i.value]),
        [['2012-03-14T11:33:30.817Z', { type: 'Point', coordinates: [0.15116166666666667, 49.47188] }]],
      );
      assert.equal(t.speedOverGround[0].value, 0);
      // Nothing was observed before the recording started.
      const before = await h.app.inject({
        method: 'GET',
        url: `/ngsi-ld/v1/temporal/entities/${id}?attrs=location&timerel=before&timeAt=2012-03-14T00:00:00Z`,
      });
      assert.equal(before.statusCode, 200, before.body);
      assert.equal((before.json() as { location?: unknown[] }).location?.length ?? 0, 0);
    });

    it('answers geo-queries on vessel positions', async () => {
      const near = await h.getJson<{ id: string }[]>(
        '/ngsi-ld/v1/entities?type=Vessel&georel=near;maxDistance==300&geometry=Point&coordinates=[0.1511,49.4719]&limit=100',
      );
      assert.ok(near.some((e) => e.id === 'urn:ngsi-ld:Vessel:244455000'));
    });
  });
}
