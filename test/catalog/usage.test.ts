import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { charge } from '../../src/catalog/usage.js';
import { makeWorld, type World } from '../governance/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { backends } from '../helpers/db.js';
import { offer, publish } from './fixtures.js';

describe('plans', () => {
  const nov = new Date('2026-11-01T00:00:00Z');
  const dec = new Date('2026-12-01T00:00:00Z');
  it('charges free, per 1,000 calls, monthly subscriptions and one-off purchases', () => {
    const a = { finalizedAt: new Date('2026-10-15T00:00:00Z') };
    assert.equal(charge(undefined, 5000, a, nov, dec), 0);
    assert.equal(charge({ kind: 'free' }, 5000, a, nov, dec), 0);
    assert.equal(charge({ kind: 'perCall', price: 2.5 }, 1500, a, nov, dec), 3.75);
    assert.equal(charge({ kind: 'monthly', price: 49 }, 0, a, nov, dec), 49);
    // Terminated before the month: not charged; finalised after it: not yet.
    assert.equal(
      charge(
        { kind: 'monthly', price: 49 },
        0,
        { ...a, terminatedAt: new Date('2026-10-20T00:00:00Z') },
        nov,
        dec,
      ),
      0,
    );
    assert.equal(charge({ kind: 'monthly', price: 49 }, 0, { finalizedAt: dec }, nov, dec), 0);
    assert.equal(charge({ kind: 'oneOff', price: 500 }, 10, a, nov, dec), 0);
    assert.equal(
      charge({ kind: 'oneOff', price: 500 }, 10, { finalizedAt: new Date('2026-11-03T00:00:00Z') }, nov, dec),
      500,
    );
  });
});

for (const backend of backends()) {
  describe(`automatic acceptance and statements (${backend})`, () => {
    let t: TestApp;
    let w: World;
    before(async () => {
      t = await startTestApp(backend);
      w = await makeWorld(t);
    });
    after(() => t?.dispose());

    it('agrees at once to requests whose purpose the policy permits, and only those', async () => {
      const owner = { orgId: w.orgA, token: w.aliceAdminA };
      const id = await publish(t, owner, {
        entityType: 'BerthOccupancy',
        autoAgree: true,
        plan: { kind: 'monthly', price: 49, currency: 'EUR' },
        policy: offer([{ leftOperand: 'purpose', operator: 'isAnyOf', rightOperand: ['research'] }]),
      });
      const ask = (purpose: string) =>
        t.call({
          method: 'POST',
          url: `/api/catalog/datasets/${id}/agreements`,
          json: { orgId: w.orgB, purpose },
          as: w.carolAdminB,
        });
      const yes = await ask('research');
      assert.equal(yes.statusCode, 201, yes.body);
      assert.equal(yes.json().state, 'AGREED');
      assert.ok(yes.json().signature);
      const no = await ask('marketing');
      assert.equal(no.json().state, 'REQUESTED');
      const fin = await t.call({
        method: 'POST',
        url: `/api/catalog/agreements/${yes.json().id}/finalize`,
        as: w.carolAdminB,
      });
      assert.equal(fin.statusCode, 200, fin.body);
      const month = new Date().toISOString().slice(0, 7);
      const s = await t.call({
        method: 'GET',
        url: `/api/catalog/statements?month=${month}&orgId=${w.orgB}&format=json`,
        as: w.carolAdminB,
      });
      assert.equal(s.statusCode, 200, s.body);
      assert.equal(s.json().consumption.total, 49);
      assert.equal(s.json().consumption.lines[0].plan, 'monthly');
      // The owner can switch automatic acceptance off.
      const off = await t.call({
        method: 'PATCH',
        url: `/api/catalog/datasets/${id}`,
        json: { autoAgree: false },
        as: owner.token,
      });
      assert.equal(off.json().autoAgree, false);
      assert.equal((await ask('research')).json().state, 'REQUESTED');
      // A bad month is a clear error.
      const bad = await t.call({
        method: 'GET',
        url: `/api/catalog/statements?month=2026-13&orgId=${w.orgB}`,
        as: w.carolAdminB,
      });
      assert.equal(bad.statusCode, 400);
    });
  });
}
