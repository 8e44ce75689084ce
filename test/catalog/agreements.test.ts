import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { compactVerify, createLocalJWKSet } from 'jose';
import { activeAgreements } from '../../src/catalog/index.js';
import { evaluate, parsePolicy } from '../../src/catalog/odrl/index.js';
import { createKey, makeWorld, type World } from '../governance/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { backends } from '../helpers/db.js';

const OFFER = {
  '@context': 'http://www.w3.org/ns/odrl.jsonld',
  '@type': 'Offer',
  assigner: 'urn:org:haropa',
  permission: [
    {
      action: 'use',
      constraint: [{ leftOperand: 'purpose', operator: 'isAnyOf', rightOperand: ['research', 'logistics'] }],
    },
  ],
  prohibition: [{ action: 'distribute' }],
};

for (const backend of backends()) {
  describe(`catalog agreements (${backend})`, () => {
    let t: TestApp;
    let w: World;
    let datasetId: string;
    let agreementId: string;
    before(async () => {
      t = await startTestApp(backend);
      w = await makeWorld(t);
      const r = await t.call({
        method: 'POST',
        url: '/api/catalog/datasets',
        json: {
          orgId: w.orgA,
          title: { en: 'Gate waiting times' },
          description: { en: 'Truck waiting times per terminal and hour.' },
          access: 'restricted',
          policy: OFFER,
        },
        as: w.aliceAdminA,
      });
      assert.equal(r.statusCode, 201, r.body);
      datasetId = r.json().id;
    });
    after(() => t?.dispose());

    it('lets a consumer organisation request access to a restricted dataset', async () => {
      const url = `/api/catalog/datasets/${datasetId}/agreements`;
      assert.equal(
        (await t.call({ method: 'POST', url, json: { orgId: w.orgB }, as: null })).statusCode,
        401,
      );
      assert.equal(
        (await t.call({ method: 'POST', url, json: { orgId: w.orgA }, as: w.carolAdminB })).statusCode,
        403,
      );
      assert.equal(
        (await t.call({ method: 'POST', url, json: { orgId: w.orgA }, as: w.aliceAdminA })).statusCode,
        400,
      );
      const r = await t.call({
        method: 'POST',
        url,
        json: { orgId: w.orgB, purpose: 'research' },
        as: w.carolAdminB,
      });
      assert.equal(r.statusCode, 201, r.body);
      agreementId = r.json().id;
      assert.equal(r.json().state, 'REQUESTED');
      assert.equal(r.json().providerOrgId, w.orgA);
      assert.equal(r.json().signature, undefined);
      const open = await t.call({
        method: 'POST',
        url: '/api/catalog/datasets',
        json: { orgId: w.orgA, title: { en: 'Open' }, description: { en: 'Open data' }, access: 'open' },
        as: w.aliceAdminA,
      });
      const needless = await t.call({
        method: 'POST',
        url: `/api/catalog/datasets/${open.json().id}/agreements`,
        json: { orgId: w.orgB },
        as: w.carolAdminB,
      });
      assert.equal(needless.statusCode, 400);
    });

    it('only an editor of the owner agrees; nothing moves out of order', async () => {
      const url = `/api/catalog/agreements/${agreementId}`;
      assert.equal(
        (await t.call({ method: 'POST', url: `${url}/finalize`, as: w.carolAdminB })).statusCode,
        422,
      );
      assert.equal(
        (await t.call({ method: 'POST', url: `${url}/agree`, as: w.carolAdminB })).statusCode,
        403,
      );
      assert.equal((await t.call({ method: 'POST', url: `${url}/agree`, as: w.bobMemberA })).statusCode, 403);
      const outsider = await t.call({
        method: 'POST',
        url: '/api/organisations',
        json: { slug: 'outsider', name: 'Outsider', kind: 'other' },
      });
      const key = await createKey(t, outsider.json().id, ['catalog:read', 'catalog:write']);
      assert.equal((await t.call({ method: 'GET', url, as: key.key })).statusCode, 404);
      assert.equal((await t.call({ method: 'POST', url: `${url}/agree`, as: key.key })).statusCode, 404);
      assert.equal((await t.call({ method: 'GET', url, as: null })).statusCode, 401);
    });

    it('signs the agreed ODRL Agreement with the platform key', async () => {
      const r = await t.call({
        method: 'POST',
        url: `/api/catalog/agreements/${agreementId}/agree`,
        as: w.aliceAdminA,
      });
      assert.equal(r.statusCode, 200, r.body);
      const a = r.json();
      assert.equal(a.state, 'AGREED');
      assert.equal(a.policy['@type'], 'Agreement');
      assert.equal(a.policy.assignee, `urn:uuid:${w.orgB}`);
      assert.equal(a.policy.assigner, `urn:uuid:${w.orgA}`);
      const jwks = await t.call({ method: 'GET', url: '/api/catalog/jwks', as: null });
      assert.equal(jwks.statusCode, 200);
      assert.equal(jwks.json().keys.length, 1);
      assert.equal(jwks.json().keys[0].d, undefined, 'no private key material');
      const { payload, protectedHeader } = await compactVerify(a.signature, createLocalJWKSet(jwks.json()));
      assert.equal(protectedHeader.alg, 'EdDSA');
      const signed = JSON.parse(new TextDecoder().decode(payload));
      assert.deepEqual(signed.policy, a.policy);
      assert.equal(signed.consumer, w.orgB);
      const tampered = `${a.signature.split('.')[0]}.${Buffer.from(JSON.stringify({ ...signed, consumer: w.orgA })).toString('base64url')}.${a.signature.split('.')[2]}`;
      await assert.rejects(compactVerify(tampered, createLocalJWKSet(jwks.json())));
      const parsed = parsePolicy(a.policy);
      assert.ok(parsed.ok);
      if (parsed.ok) {
        const ctx = { action: 'read', purpose: 'research', now: new Date(), target: a.policy.target };
        assert.equal(evaluate(parsed.policy, { ...ctx, assignee: `urn:uuid:${w.orgB}` }).decision, 'permit');
        assert.equal(
          evaluate(parsed.policy, { ...ctx, assignee: `urn:uuid:${w.orgA}` }).decision,
          'not-applicable',
        );
      }
      assert.equal(
        (
          await t.call({
            method: 'POST',
            url: `/api/catalog/agreements/${agreementId}/agree`,
            as: w.aliceAdminA,
          })
        ).statusCode,
        422,
      );
    });

    it('the consumer finalises; both parties list it; access is active', async () => {
      const r = await t.call({
        method: 'POST',
        url: `/api/catalog/agreements/${agreementId}/finalize`,
        as: w.carolAdminB,
      });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json().state, 'FINALIZED');
      assert.equal((await activeAgreements(t.db(), w.orgB, datasetId)).length, 1);
      for (const who of [w.carolAdminB, w.bobMemberA]) {
        const list = await t.call({ method: 'GET', url: '/api/catalog/agreements', as: who });
        assert.equal(list.json().total, 1);
      }
      const finalized = await t.call({
        method: 'GET',
        url: '/api/catalog/agreements?state=FINALIZED',
        as: w.carolAdminB,
      });
      assert.equal(finalized.json().items[0].id, agreementId);
    });

    it('the owner terminates it: access stops, the record stays, the dataset cannot be deleted', async () => {
      const url = `/api/catalog/agreements/${agreementId}/terminate`;
      assert.equal((await t.call({ method: 'POST', url, json: {}, as: w.bobMemberA })).statusCode, 403);
      const r = await t.call({
        method: 'POST',
        url,
        json: { reason: 'end of the pilot' },
        as: w.aliceAdminA,
      });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json().state, 'TERMINATED');
      assert.equal(r.json().terminatedBy, 'provider');
      assert.equal(r.json().reason, 'end of the pilot');
      assert.ok(r.json().signature);
      assert.equal((await activeAgreements(t.db(), w.orgB, datasetId)).length, 0);
      assert.equal((await t.call({ method: 'POST', url, json: {}, as: w.aliceAdminA })).statusCode, 422);
      const del = await t.call({
        method: 'DELETE',
        url: `/api/catalog/datasets/${datasetId}`,
        as: w.aliceAdminA,
      });
      assert.equal(del.statusCode, 422);
      const audit = await t.call({ method: 'GET', url: `/api/audit?orgId=${w.orgA}&limit=100` });
      assert.equal(audit.statusCode, 200, audit.body);
      const events = JSON.stringify(audit.json());
      for (const e of [
        'catalog.policy.changed',
        'agreement.requested',
        'agreement.agreed',
        'agreement.finalized',
        'agreement.terminated',
      ]) {
        assert.ok(events.includes(`"${e}"`), `audit has ${e}`);
      }
    });

    it('the consumer may withdraw its own request', async () => {
      const r = await t.call({
        method: 'POST',
        url: `/api/catalog/datasets/${datasetId}/agreements`,
        json: { orgId: w.orgB, purpose: 'logistics' },
        as: w.carolAdminB,
      });
      const end = await t.call({
        method: 'POST',
        url: `/api/catalog/agreements/${r.json().id}/terminate`,
        json: {},
        as: w.carolAdminB,
      });
      assert.equal(end.statusCode, 200, end.body);
      assert.equal(end.json().terminatedBy, 'consumer');
    });
  });
}
