import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { backends } from '../helpers/db.js';
import { organisation, type Person, person } from './helpers.js';

const P = '/api/innovation';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
const b64 = (b: Buffer) => b.toString('base64');

for (const backend of backends()) {
  describe(`innovation: eligibility, attachments and decision e-mails (${backend})`, () => {
    let t: TestApp;
    let dataDir: string;
    let manager: Person;
    let sme: Person;
    let big: Person;
    let juror: Person;
    let callId: string;
    const apps: Record<string, string> = {};

    before(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'escale-inv-'));
      t = await startTestApp(backend, {
        ESCALE_DATA_DIR: dataDir,
        ESCALE_PUBLIC_URL: 'https://escale.example',
      });
      const org = await organisation(t, 'le-havre-seine-metropole');
      manager = await person(t, 'buyer@lhsm.example', org, 'editor');
      sme = await person(t, 'founder@sme.example');
      big = await person(t, 'bids@bigcorp.example');
      juror = await person(t, 'juror@lhsm.example');
      const r = await t.call({
        method: 'POST',
        url: `${P}/calls`,
        as: manager.token,
        json: {
          kind: 'procurement',
          title: 'Innovative purchase: truck flow sensors',
          orgId: org,
          blind: true,
          form: [
            { key: 'summary', label: 'Solution', type: 'textarea', required: true },
            { key: 'employees', label: 'Employees', type: 'number', required: true },
            { key: 'price', label: 'Price (EUR excl. VAT)', type: 'number', required: true },
            { key: 'contact', label: 'Contact', type: 'email', required: true, identifying: true },
            {
              key: 'offer',
              label: 'Technical offer (PDF)',
              type: 'file',
              required: true,
              accept: ['application/pdf'],
              maxBytes: 100_000,
            },
            { key: 'cv', label: 'Team CVs', type: 'file', identifying: true },
          ],
          eligibility: [
            {
              field: 'employees',
              operator: 'lt',
              value: 250,
              message: 'SMEs only (fewer than 250 employees)',
            },
            {
              field: 'price',
              operator: 'lte',
              value: 100_000,
              message: 'innovative purchases stay under 100 000 €',
            },
          ],
          criteria: [{ key: 'value', label: 'Value', weight: 1, max: 10 }],
        },
      });
      assert.equal(r.statusCode, 201, r.body);
      callId = r.json().id;
      assert.equal(r.json().eligibility.length, 2);
      await t.call({
        method: 'PUT',
        url: `${P}/calls/${callId}/jurors`,
        as: manager.token,
        json: { userId: juror.id, name: 'Juror' },
      });
      const open = await t.call({
        method: 'POST',
        url: `${P}/calls/${callId}/phase`,
        as: manager.token,
        json: { phase: 'open' },
      });
      assert.equal(open.statusCode, 200, open.body);
    });
    after(async () => {
      await t?.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('refuses bad rules, and freezes them once open', async () => {
      const org = (await t.call({ method: 'GET', url: `${P}/calls/${callId}` })).json().orgId;
      const bad = await t.call({
        method: 'POST',
        url: `${P}/calls`,
        as: manager.token,
        json: {
          kind: 'challenge',
          title: 'x',
          orgId: org,
          form: [{ key: 'name', label: 'Name', type: 'text' }],
          eligibility: [{ field: 'name', operator: 'lt', value: 3, message: 'x' }],
        },
      });
      assert.equal(bad.statusCode, 400, bad.body);
      const noField = await t.call({
        method: 'POST',
        url: `${P}/calls`,
        as: manager.token,
        json: {
          kind: 'challenge',
          title: 'x',
          orgId: org,
          eligibility: [{ field: 'age', operator: 'eq', value: 1, message: 'x' }],
        },
      });
      assert.equal(noField.statusCode, 400);
      const frozen = await t.call({
        method: 'PATCH',
        url: `${P}/calls/${callId}`,
        as: manager.token,
        json: { eligibility: [] },
      });
      assert.equal(frozen.statusCode, 422);
    });

    it('takes files with the type and size the field allows, and checks eligibility on submission', async () => {
      for (const [who, p] of [
        ['sme', sme],
        ['big', big],
      ] as const) {
        const d = await t.call({
          method: 'POST',
          url: `${P}/calls/${callId}/applications`,
          as: p.token,
          json: {
            title: `Sensors by ${who}`,
            answers: {
              summary: 'LoRa sensors at the gates',
              employees: who === 'sme' ? 12 : 5000,
              price: 80_000,
              contact: `${who}@example.org`,
            },
          },
        });
        assert.equal(d.statusCode, 201, d.body);
        apps[who] = d.json().id;
      }
      const upload = (json: Record<string, unknown>, as = sme.token, id = apps.sme) =>
        t.call({ method: 'POST', url: `${P}/applications/${id}/attachments`, as, json });
      const sneaky = await t.call({
        method: 'PATCH',
        url: `${P}/applications/${apps.sme}`,
        as: sme.token,
        json: { answers: { offer: { attachmentId: apps.big } } },
      });
      assert.equal(sneaky.statusCode, 400, 'file answers come from uploads only');
      assert.equal(
        (await upload({ field: 'offer', filename: 'offer.png', contentType: 'image/png', data: b64(PNG) }))
          .statusCode,
        415,
      );
      const tooBig = Buffer.concat([PDF, Buffer.alloc(100_001)]);
      assert.equal(
        (
          await upload({
            field: 'offer',
            filename: 'offer.pdf',
            contentType: 'application/pdf',
            data: b64(tooBig),
          })
        ).statusCode,
        413,
      );
      assert.equal(
        (
          await upload({
            field: 'summary',
            filename: 'x.pdf',
            contentType: 'application/pdf',
            data: b64(PDF),
          })
        ).statusCode,
        400,
      );
      assert.equal(
        (
          await upload(
            { field: 'offer', filename: 'x.pdf', contentType: 'application/pdf', data: b64(PDF) },
            big.token,
          )
        ).statusCode,
        404,
        "not one's own application",
      );
      const ok = await upload({
        field: 'offer',
        filename: 'offre technique.pdf',
        contentType: 'application/pdf',
        data: b64(PDF),
      });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(ok.json().answers.offer.filename, 'offre technique.pdf');
      assert.equal(ok.json().answers.offer.size, PDF.length);
      const cv = await upload({
        field: 'cv',
        filename: 'team.png',
        contentType: 'image/png',
        data: b64(PNG),
      });
      assert.equal(cv.statusCode, 200, cv.body);

      const missing = await t.call({
        method: 'POST',
        url: `${P}/applications/${apps.big}/submit`,
        as: big.token,
      });
      assert.equal(missing.statusCode, 400);
      assert.deepEqual(missing.json().missing, ['offer']);
      await upload(
        { field: 'offer', filename: 'o.pdf', contentType: 'application/pdf', data: b64(PDF) },
        big.token,
        apps.big,
      );
      const ineligible = await t.call({
        method: 'POST',
        url: `${P}/applications/${apps.big}/submit`,
        as: big.token,
      });
      assert.equal(ineligible.statusCode, 422, ineligible.body);
      assert.deepEqual(ineligible.json().ineligible, [
        { field: 'employees', message: 'SMEs only (fewer than 250 employees)' },
      ]);
      const s = await t.call({ method: 'POST', url: `${P}/applications/${apps.sme}/submit`, as: sme.token });
      assert.equal(s.statusCode, 200, s.body);
      const replace = await upload({
        field: 'offer',
        filename: 'v2.pdf',
        contentType: 'application/pdf',
        data: b64(PDF),
      });
      assert.equal(replace.statusCode, 422, 'a submitted application no longer changes');
    });

    it('lets a blind juror download the offer but not the identifying files', async () => {
      await t.call({
        method: 'POST',
        url: `${P}/calls/${callId}/phase`,
        as: manager.token,
        json: { phase: 'review' },
      });
      const mine = (
        await t.call({ method: 'GET', url: `${P}/applications/${apps.sme}`, as: sme.token })
      ).json();
      const seen = (
        await t.call({ method: 'GET', url: `${P}/applications/${apps.sme}`, as: juror.token })
      ).json();
      assert.equal(seen.answers.cv, undefined, 'blind: identifying file hidden');
      const offer = await t.call({
        method: 'GET',
        url: `${P}/applications/${apps.sme}/attachments/${seen.answers.offer.attachmentId}`,
        as: juror.token,
      });
      assert.equal(offer.statusCode, 200);
      assert.equal(offer.headers['content-type'], 'application/pdf');
      assert.deepEqual(offer.rawPayload, PDF);
      const cv = await t.call({
        method: 'GET',
        url: `${P}/applications/${apps.sme}/attachments/${mine.answers.cv.attachmentId}`,
        as: juror.token,
      });
      assert.equal(cv.statusCode, 404);
      const stranger = await t.call({
        method: 'GET',
        url: `${P}/applications/${apps.sme}/attachments/${mine.answers.cv.attachmentId}`,
        as: big.token,
      });
      assert.equal(stranger.statusCode, 404);
      const own = await t.call({
        method: 'GET',
        url: `${P}/applications/${apps.sme}/attachments/${mine.answers.cv.attachmentId}`,
        as: sme.token,
      });
      assert.deepEqual(own.rawPayload, PNG);
    });

    it('e-mails each applicant the decision and feedback, once per decision', async () => {
      await t.call({
        method: 'POST',
        url: `${P}/calls/${callId}/phase`,
        as: manager.token,
        json: { phase: 'selection' },
      });
      const decide = (feedback: string) =>
        t.call({
          method: 'POST',
          url: `${P}/calls/${callId}/decision`,
          as: manager.token,
          json: { selected: [apps.sme], feedback: { [apps.sme]: feedback } },
        });
      const d = await decide('A convincing pilot at the Atlantique terminal.');
      assert.equal(d.statusCode, 200, d.body);
      assert.deepEqual(d.json().notifications, { sent: 1, failed: 0, unchanged: 0 });
      const outbox = join(dataDir, 'outbox');
      const mails = () => readdirSync(outbox).filter((f) => f.endsWith('.eml'));
      assert.equal(mails().length, 1, 'only submitted applications are decided');
      // quoted-printable body, decoded
      const eml = Buffer.from(
        readFileSync(join(outbox, mails()[0]), 'utf8')
          .replace(/=\r?\n/g, '')
          .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
        'latin1',
      ).toString('utf8');
      assert.match(eml, /^To: founder@sme\.example$/m);
      assert.match(eml, /Votre candidature « Sensors by sme » \(PRO-\d{4}-[0-9A-F]{8}\) à l'appel/);
      assert.match(eml, /Avis du jury :\nA convincing pilot at the Atlantique terminal\./);
      assert.match(eml, new RegExp(`https://escale\\.example/innovation/applications/${apps.sme}`));
      const again = await decide('A convincing pilot at the Atlantique terminal.');
      assert.deepEqual(again.json().notifications, { sent: 0, failed: 0, unchanged: 1 });
      const changed = await decide('A convincing pilot; start with two gates.');
      assert.deepEqual(changed.json().notifications, { sent: 1, failed: 0, unchanged: 0 });
      assert.equal(mails().length, 2);
      const log = await t.call({
        method: 'GET',
        url: `${P}/calls/${callId}/notifications`,
        as: manager.token,
      });
      assert.deepEqual(
        log.json().items.map((n: { outcome: string; applicationId: string }) => [n.applicationId, n.outcome]),
        [
          [apps.sme, 'written'],
          [apps.sme, 'written'],
        ],
      );
      assert.equal(
        (await t.call({ method: 'GET', url: `${P}/calls/${callId}/notifications`, as: sme.token }))
          .statusCode,
        403,
      );
    });
  });
}
