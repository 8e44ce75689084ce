import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { seedObservatoryDemo } from '../../src/observatory/index.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { backends } from '../helpers/db.js';

// biome-ignore lint/suspicious/noExplicitAny: JSON answers of the API, read field by field
type J = Record<string, any>;

/** The answer token of the newest message sent to an address, read from the .eml outbox. */
function linkFrom(
  outbox: string,
  to: string,
  kind: 'invitation' | 'reminder',
): { token: string; count: number } {
  const files = readdirSync(outbox)
    .sort()
    .map((f) => readFileSync(join(outbox, f), 'utf8'))
    .filter((m) => m.includes(`To: ${to}`) && (kind === 'reminder') === /Subject:.*Rappel/.test(m));
  assert.ok(files.length > 0, `no ${kind} for ${to}`);
  const raw = files[files.length - 1];
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const body = rest.join('\n\n');
  const text = /Content-Transfer-Encoding: base64/i.test(head)
    ? Buffer.from(body, 'base64').toString('utf8')
    : body.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
  const m = /\?token=([A-Za-z0-9_.-]+)/.exec(text);
  assert.ok(m, 'the e-mail carries a personal link');
  return { token: m[1], count: files.length };
}

for (const backend of backends()) {
  describe(`observatory: the end-to-end story (${backend})`, () => {
    let t: TestApp;
    let dataDir: string;
    let outbox: string;
    let staffToken: string;
    let outsiderToken: string;
    let programmeId: string;
    const ids: Record<string, string> = {};
    let campaignId: string;

    before(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'escale-obs-'));
      outbox = join(dataDir, 'outbox');
      t = await startTestApp(backend, {
        ESCALE_DATA_DIR: dataDir,
        ESCALE_PUBLIC_URL: 'https://escale.example',
      });
      // An AURH staff member: an organisation registered as observatory staff, the user an editor there.
      const org = await t.call({
        method: 'POST',
        url: '/api/organisations',
        json: { slug: 'aurh', name: 'AURH', kind: 'research' },
      });
      assert.equal(org.statusCode, 201, org.body);
      const staff = await t.app.governance.createUser({ email: 'analyst@aurh.example', name: 'Analyst' });
      const outsider = await t.app.governance.createUser({ email: 'someone@else.example', name: 'Someone' });
      const add = await t.call({
        method: 'POST',
        url: `/api/organisations/${org.json().id}/members`,
        json: { email: 'analyst@aurh.example', role: 'editor' },
      });
      assert.ok(add.statusCode < 300, add.body);
      const reg = await t.call({
        method: 'PUT',
        url: `/api/observatory/staff-organisations/${org.json().id}`,
      });
      assert.equal(reg.statusCode, 204);
      staffToken = (await t.app.governance.tokens.sign(staff!.id)).token;
      outsiderToken = (await t.app.governance.tokens.sign(outsider!.id)).token;
      const seeded = await seedObservatoryDemo(t.db());
      assert.equal(seeded.skipped, false);
      assert.ok(seeded.projects >= 30);
    });
    after(async () => {
      await t?.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    });

    const staffCall = (o: Parameters<TestApp['call']>[0]) => t.call({ ...o, as: staffToken });

    it('serves the seeded Le Havre programme: three topics, the four ICC actions, ~30 projects, to staff only', async () => {
      const list = await staffCall({ method: 'GET', url: '/api/observatory/programmes' });
      assert.equal(list.statusCode, 200);
      programmeId = list.json().items.find((p: J) => p.code === 'LHSPC').id;
      const tree = (
        await staffCall({ method: 'GET', url: `/api/observatory/programmes/${programmeId}` })
      ).json();
      assert.deepEqual(
        tree.topics.map((x: J) => x.code),
        ['T1', 'T2', 'T3'],
      );
      const actions = tree.topics.flatMap((x: J) => x.actions.map((a: J) => a.code));
      for (const icc of ['ICC1', 'ICC2', 'ICC3', 'ICC4']) assert.ok(actions.includes(icc));
      const projects = tree.topics.flatMap((x: J) => x.actions.flatMap((a: J) => a.projects));
      assert.ok(projects.length >= 30);
      const sds = projects.find((p: J) => p.code === 'SDS');
      assert.deepEqual(sds.location.type, 'Point');
      ids.projectA = sds.id;
      ids.projectB = projects.find((p: J) => p.code === 'TRUCK_GATES').id;
      assert.equal(
        (
          await t.call({
            method: 'GET',
            url: `/api/observatory/programmes/${programmeId}`,
            as: outsiderToken,
          })
        ).statusCode,
        403,
      );
      assert.equal(
        (await t.call({ method: 'GET', url: `/api/observatory/programmes/${programmeId}`, as: null }))
          .statusCode,
        401,
      );
      // The ICC deliverable's reported figures are public from the start.
      const pub = (
        await t.call({ method: 'GET', url: '/api/observatory/public/programmes/LHSPC', as: null })
      ).json();
      const comm = pub.indicators.find((i: J) => i.code === 'COMM_LAUNCHED');
      assert.deepEqual(comm.latest, { period: '2022', value: 3, target: 5 });
    });

    it('keeps who changed a project, what and when', async () => {
      const r = await staffCall({
        method: 'PATCH',
        url: `/api/observatory/projects/${ids.projectA}`,
        json: { status: 'delayed', budget: 7_000_000 },
      });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json().status, 'delayed');
      const h = (
        await staffCall({ method: 'GET', url: `/api/observatory/projects/${ids.projectA}/history` })
      ).json();
      assert.deepEqual(
        h.items.map((x: J) => x.op),
        ['create', 'update'],
      );
      assert.deepEqual(h.items[1].changes.status, { from: 'ongoing', to: 'delayed' });
      assert.match(h.items[1].actor, /^user:/);
      assert.equal(
        (
          await t.call({
            method: 'PATCH',
            url: `/api/observatory/projects/${ids.projectA}`,
            json: { status: 'ongoing' },
            as: outsiderToken,
          })
        ).statusCode,
        403,
      );
    });

    it('staff defines indicators: entered, a formula, a data hub computation; bad formulas are refused', async () => {
      const base = `/api/observatory/programmes/${programmeId}/indicators`;
      const mk = async (body: J) => {
        const r = await staffCall({ method: 'POST', url: base, json: body });
        assert.equal(r.statusCode, 201, r.body);
        return r.json().id as string;
      };
      ids.trained = await mk({
        code: 'E2E_TRAINED',
        nameFr: 'Personnes formées',
        nameEn: 'People trained',
        level: 'output',
        valueType: 'number',
        unit: 'people',
        disaggregations: [
          { code: 'gender', nameFr: 'Genre', nameEn: 'Gender', categories: ['female', 'male'] },
        ],
        baseline: { period: '2025', value: 100 },
        targets: [
          { period: '2026-Q1', value: 40, projectId: ids.projectA },
          { period: '2026-Q1', value: 80 },
        ],
      });
      ids.women = await mk({
        code: 'E2E_WOMEN',
        nameFr: 'Femmes formées',
        nameEn: 'Women trained',
        level: 'output',
        valueType: 'number',
        unit: 'people',
      });
      ids.share = await mk({
        code: 'E2E_SHARE',
        nameFr: 'Part des femmes',
        nameEn: 'Share of women',
        level: 'outcome',
        valueType: 'percentage',
        unit: '%',
        source: { kind: 'formula', expression: 'E2E_WOMEN / E2E_TRAINED * 100' },
      });
      ids.wait = await mk({
        code: 'E2E_WAIT',
        nameFr: 'Attente camions',
        nameEn: 'Truck waiting time',
        level: 'outcome',
        valueType: 'number',
        unit: 'min',
        source: {
          kind: 'datahub',
          method: 'avg',
          type: 'TruckGateStatistics',
          attribute: 'averageWaitingTime',
        },
      });
      const bad = await staffCall({
        method: 'POST',
        url: base,
        json: {
          code: 'E2E_BAD',
          nameFr: 'x',
          nameEn: 'x',
          level: 'output',
          valueType: 'number',
          source: { kind: 'formula', expression: 'E2E_WOMEN / (NOPE' },
        },
      });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.json().detail, /cannot be read/);
      const unknown = await staffCall({
        method: 'POST',
        url: base,
        json: {
          code: 'E2E_BAD',
          nameFr: 'x',
          nameEn: 'x',
          level: 'output',
          valueType: 'number',
          source: { kind: 'formula', expression: 'NOPE * 2' },
        },
      });
      assert.match(unknown.json().detail, /unknown indicator NOPE/);
      const rule = await staffCall({
        method: 'POST',
        url: `/api/observatory/programmes/${programmeId}/rules`,
        json: {
          left: 'E2E_WOMEN',
          operator: '<=',
          right: 'E2E_TRAINED',
          message: 'more women than people trained',
        },
      });
      assert.equal(rule.statusCode, 201, rule.body);
    });

    it('launches a campaign: each lead gets a personal link by e-mail', async () => {
      const due = new Date(Date.now() + 7 * 86400_000).toISOString();
      const c = await staffCall({
        method: 'POST',
        url: `/api/observatory/programmes/${programmeId}/campaigns`,
        json: {
          name: 'Collecte T1 2026',
          period: '2026-Q1',
          dueAt: due,
          projects: [
            { projectId: ids.projectA, indicatorIds: [ids.trained, ids.women], email: 'lead-a@sds.example' },
            { projectId: ids.projectB, indicatorIds: [ids.trained, ids.women], email: 'lead-b@tpo.example' },
          ],
        },
      });
      assert.equal(c.statusCode, 201, c.body);
      campaignId = c.json().id;
      const computed = await staffCall({
        method: 'POST',
        url: `/api/observatory/programmes/${programmeId}/campaigns`,
        json: {
          name: 'x',
          period: '2026-Q1',
          dueAt: due,
          projects: [{ projectId: ids.projectA, indicatorIds: [ids.share] }],
        },
      });
      assert.equal(computed.statusCode, 400, 'computed indicators are not asked for');
      const l = await staffCall({ method: 'POST', url: `/api/observatory/campaigns/${campaignId}/launch` });
      assert.equal(l.statusCode, 200, l.body);
      assert.equal(l.json().invited, 2);
      assert.equal(readdirSync(outbox).filter((f) => f.endsWith('.eml')).length, 2);
      const mail = readdirSync(outbox)
        .map((f) => readFileSync(join(outbox, f), 'utf8'))
        .join('\n');
      assert.match(mail, /https:\/\/escale\.example\/observatory\/answer\?token=/);
      const comp = (
        await staffCall({ method: 'GET', url: `/api/observatory/campaigns/${campaignId}/completeness` })
      ).json();
      assert.equal(comp.expected, 4);
      assert.equal(comp.informed, 0);
      assert.equal(comp.rate, 0);
    });

    it('lead A answers through the link: drafts, validation rules, evidence, submission', async () => {
      const { token } = linkFrom(outbox, 'lead-a@sds.example', 'invitation');
      const h = { 'x-escale-answer-token': token };
      const form = await t.call({ method: 'GET', url: '/api/observatory/answer', headers: h, as: null });
      assert.equal(form.statusCode, 200, form.body);
      assert.equal(form.json().project.code, 'SDS');
      assert.equal(form.json().indicators.find((i: J) => i.code === 'E2E_TRAINED').target, 40);
      assert.equal(
        (
          await t.call({
            method: 'GET',
            url: '/api/observatory/answer',
            headers: { 'x-escale-answer-token': `${token}x` },
            as: null,
          })
        ).statusCode,
        401,
      );
      // A draft: 60 people trained (50 % above the project's target), 70 women: two rules fail.
      const put = (values: J[]) =>
        t.call({
          method: 'PUT',
          url: '/api/observatory/answer/values',
          headers: h,
          json: { values },
          as: null,
        });
      const d = await put([
        { indicatorId: ids.trained, value: 60, disaggregations: { gender: { female: 25, male: 35 } } },
        { indicatorId: ids.women, value: 70 },
      ]);
      assert.equal(d.statusCode, 200, d.body);
      assert.deepEqual(
        d
          .json()
          .issues.map((i: J) => i.rule)
          .sort(),
        ['comment', 'consistency'],
      );
      const s1 = await t.call({
        method: 'POST',
        url: '/api/observatory/answer/submit',
        headers: h,
        as: null,
      });
      assert.equal(s1.statusCode, 422);
      assert.equal(s1.json().issues.length, 2);
      assert.equal((await put([{ indicatorId: ids.trained, value: 'sixty' }])).statusCode, 400);
      assert.equal(
        (await put([{ indicatorId: ids.trained, value: 60, disaggregations: { sector: { a: 1 } } }]))
          .statusCode,
        400,
      );
      const ok = await put([
        {
          indicatorId: ids.trained,
          value: 60,
          disaggregations: { gender: { female: 25, male: 35 } },
          comment: 'Two extra sessions funded by the Region',
        },
        { indicatorId: ids.women, value: 25 },
      ]);
      assert.deepEqual(ok.json().issues, []);
      const pdf = Buffer.from('%PDF-1.4\n% attendance sheet\n').toString('base64');
      const att = await t.call({
        method: 'POST',
        url: '/api/observatory/answer/attachments',
        headers: h,
        json: {
          filename: 'attendance.pdf',
          contentType: 'application/pdf',
          data: pdf,
          indicatorId: ids.trained,
        },
        as: null,
      });
      assert.equal(att.statusCode, 201, att.body);
      const exe = await t.call({
        method: 'POST',
        url: '/api/observatory/answer/attachments',
        headers: h,
        json: { filename: 'x.exe', contentType: 'application/x-msdownload', data: pdf },
        as: null,
      });
      assert.equal(exe.statusCode, 415);
      const disguised = await t.call({
        method: 'POST',
        url: '/api/observatory/answer/attachments',
        headers: h,
        json: {
          filename: 'x.pdf',
          contentType: 'application/pdf',
          data: Buffer.from('MZ\x90\x00').toString('base64'),
        },
        as: null,
      });
      assert.equal(disguised.statusCode, 400, 'the content must match its declared type');
      const big = await t.call({
        method: 'POST',
        url: '/api/observatory/answer/attachments',
        headers: h,
        json: {
          filename: 'big.pdf',
          contentType: 'application/pdf',
          data: Buffer.alloc(2.5 * 1024 * 1024).toString('base64'),
        },
        as: null,
      });
      assert.ok([400, 413].includes(big.statusCode), String(big.statusCode));
      const s2 = await t.call({
        method: 'POST',
        url: '/api/observatory/answer/submit',
        headers: h,
        as: null,
      });
      assert.equal(s2.statusCode, 200, s2.body);
      assert.equal(
        (await put([{ indicatorId: ids.women, value: 26 }])).statusCode,
        422,
        'a submitted response awaits review',
      );
    });

    it('lead B is late: completeness shows it, a reminder goes out and is recorded; B answers', async () => {
      const past = new Date(Date.now() - 86400_000).toISOString();
      assert.equal(
        (
          await staffCall({
            method: 'PATCH',
            url: `/api/observatory/campaigns/${campaignId}`,
            json: { dueAt: past },
          })
        ).statusCode,
        200,
      );
      let comp = (
        await staffCall({ method: 'GET', url: `/api/observatory/campaigns/${campaignId}/completeness` })
      ).json();
      assert.deepEqual(comp.lateProjects, ['TRUCK_GATES']);
      assert.equal(comp.informed, 2);
      assert.equal(comp.rate, 0.5);
      const dash = (
        await staffCall({ method: 'GET', url: `/api/observatory/programmes/${programmeId}/dashboard` })
      ).json();
      assert.ok(
        dash.projectsAtRisk.some(
          (p: J) => p.code === 'TRUCK_GATES' && p.reasons.some((r: string) => r.startsWith('late')),
        ),
      );
      const r = await staffCall({
        method: 'POST',
        url: `/api/observatory/campaigns/${campaignId}/reminders`,
        json: { force: true },
      });
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual(
        r.json().reminded.map((x: J) => x.email),
        ['lead-b@tpo.example'],
      );
      // Without force, the interval holds: nobody is reminded twice in a row.
      assert.deepEqual(
        (
          await staffCall({
            method: 'POST',
            url: `/api/observatory/campaigns/${campaignId}/reminders`,
            json: {},
          })
        ).json().reminded,
        [],
      );
      comp = (
        await staffCall({ method: 'GET', url: `/api/observatory/campaigns/${campaignId}/completeness` })
      ).json();
      const b = comp.projects.find((p: J) => p.code === 'TRUCK_GATES');
      assert.deepEqual(
        b.reminders.map((x: J) => x.kind),
        ['invitation', 'reminder'],
      );
      const { token } = linkFrom(outbox, 'lead-b@tpo.example', 'reminder');
      const h = { 'x-escale-answer-token': token };
      const put = await t.call({
        method: 'PUT',
        url: '/api/observatory/answer/values',
        headers: h,
        json: {
          values: [
            { indicatorId: ids.trained, value: 30 },
            { indicatorId: ids.women, value: 12 },
          ],
        },
        as: null,
      });
      assert.equal(put.statusCode, 200, put.body);
      assert.equal(
        (await t.call({ method: 'POST', url: '/api/observatory/answer/submit', headers: h, as: null }))
          .statusCode,
        200,
      );
    });

    it('staff review: return with a comment, resubmission, approval locks the values; completeness reaches 100 %', async () => {
      const base = `/api/observatory/campaigns/${campaignId}/responses`;
      const view = (await staffCall({ method: 'GET', url: `${base}/${ids.projectA}` })).json();
      assert.equal(view.attachments.length, 1);
      const file = await staffCall({
        method: 'GET',
        url: `/api/observatory/attachments/${view.attachments[0].id}`,
      });
      assert.match(file.body, /^%PDF/);
      const ret = await staffCall({
        method: 'POST',
        url: `${base}/${ids.projectB}/return`,
        json: { comment: 'Please check the number of women trained' },
      });
      assert.equal(ret.statusCode, 200, ret.body);
      const { token } = linkFrom(outbox, 'lead-b@tpo.example', 'reminder');
      const h = { 'x-escale-answer-token': token };
      const form = (
        await t.call({ method: 'GET', url: '/api/observatory/answer', headers: h, as: null })
      ).json();
      assert.equal(form.status, 'returned');
      assert.equal(form.reviewComment, 'Please check the number of women trained');
      await t.call({
        method: 'PUT',
        url: '/api/observatory/answer/values',
        headers: h,
        json: { values: [{ indicatorId: ids.women, value: 14 }] },
        as: null,
      });
      assert.equal(
        (await t.call({ method: 'POST', url: '/api/observatory/answer/submit', headers: h, as: null }))
          .statusCode,
        200,
      );
      for (const p of [ids.projectA, ids.projectB]) {
        const a = await staffCall({ method: 'POST', url: `${base}/${p}/approve`, json: {} });
        assert.equal(a.statusCode, 200, a.body);
      }
      assert.equal(
        (await staffCall({ method: 'POST', url: `${base}/${ids.projectA}/approve`, json: {} })).statusCode,
        422,
      );
      const comp = (
        await staffCall({ method: 'GET', url: `/api/observatory/campaigns/${campaignId}/completeness` })
      ).json();
      assert.equal(comp.rate, 1);
      assert.equal(comp.approvedRate, 1);
      assert.deepEqual(comp.lateProjects, []);
      // Approved values are locked; every change is in the history.
      const locked = await t.call({
        method: 'PUT',
        url: '/api/observatory/answer/values',
        headers: h,
        json: { values: [{ indicatorId: ids.women, value: 1 }] },
        as: null,
      });
      assert.equal(locked.statusCode, 422);
      const hist = (
        await staffCall({
          method: 'GET',
          url: `/api/observatory/programmes/${programmeId}/history?limit=500`,
        })
      ).json();
      const women = hist.items.filter((x: J) => x.kind === 'value' && x.changes.num_value?.to === 14);
      assert.equal(women.length, 1);
      assert.deepEqual(women[0].changes.num_value, { from: 12, to: 14 });
      assert.ok(hist.items.some((x: J) => x.kind === 'response' && x.op === 'return'));
    });

    it('a computed indicator takes its value from the data hub', async () => {
      const e = (n: number, wait: number) => ({
        id: `urn:ngsi-ld:TruckGateStatistics:FRLEH-TPO:2026010${n}T08Z`,
        type: 'TruckGateStatistics',
        averageWaitingTime: { type: 'Property', value: wait, unitCode: 'MIN' },
      });
      const w = await t.call({
        method: 'POST',
        url: '/ngsi-ld/v1/entityOperations/upsert',
        json: [e(1, 20), e(2, 30), e(3, 40)],
      });
      assert.ok(w.statusCode < 300, w.body);
      const r = await staffCall({
        method: 'POST',
        url: `/api/observatory/indicators/${ids.wait}/compute`,
        json: { period: '2026-Q1' },
      });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json().value, 30);
      // The seeded indicator aggregates the history of the month (temporal API): the three values were recorded now.
      const seeded = (
        await staffCall({ method: 'GET', url: `/api/observatory/programmes/${programmeId}/indicators` })
      ).json();
      const temporal = seeded.items.find((i: J) => i.code === 'TRUCK_WAIT_AVG');
      const month = new Date().toISOString().slice(0, 7);
      const tr = await staffCall({
        method: 'POST',
        url: `/api/observatory/indicators/${temporal.id}/compute`,
        json: { period: month },
      });
      assert.equal(tr.statusCode, 200, tr.body);
      assert.equal(tr.json().value, 30);
      const f = await staffCall({
        method: 'POST',
        url: `/api/observatory/indicators/${ids.share}/compute`,
        json: { period: '2026-Q1' },
      });
      assert.equal(Math.round(f.json().value * 100) / 100, Math.round(((25 + 14) / (60 + 30)) * 10000) / 100);
    });

    it('the public API shows approved figures only, and the map', async () => {
      // A draft of another campaign must not show.
      const c = await staffCall({
        method: 'POST',
        url: `/api/observatory/programmes/${programmeId}/campaigns`,
        json: {
          name: 'Collecte T2 2026',
          period: '2026-Q2',
          dueAt: new Date(Date.now() + 86400_000).toISOString(),
          projects: [{ projectId: ids.projectA, indicatorIds: [ids.trained], email: 'lead-a@sds.example' }],
        },
      });
      await staffCall({ method: 'POST', url: `/api/observatory/campaigns/${c.json().id}/launch` });
      const { token } = linkFrom(outbox, 'lead-a@sds.example', 'invitation');
      await t.call({
        method: 'PUT',
        url: '/api/observatory/answer/values',
        headers: { 'x-escale-answer-token': token },
        json: { values: [{ indicatorId: ids.trained, value: 999 }] },
        as: null,
      });
      const pub = await t.call({ method: 'GET', url: '/api/observatory/public/programmes/LHSPC', as: null });
      assert.equal(pub.statusCode, 200, pub.body);
      const trained = pub.json().indicators.find((i: J) => i.code === 'E2E_TRAINED');
      assert.deepEqual(
        trained.series.filter((x: J) => x.value !== null),
        [{ period: '2026-Q1', value: 90, target: 80 }],
      );
      assert.equal(pub.json().indicators.find((i: J) => i.code === 'E2E_WAIT').series[0].value, 30);
      assert.ok(!trained.series.some((x: J) => x.period === '2026-Q2'), 'the draft of 2026-Q2 is not public');
      assert.ok(!JSON.stringify(pub.json()).includes('@sds.example'), 'no contact details in public');
      const geo = await t.call({
        method: 'GET',
        url: '/api/observatory/public/programmes/LHSPC/projects.geojson',
        as: null,
      });
      assert.equal(geo.statusCode, 200);
      assert.ok(geo.json().features.length >= 30);
      assert.equal(geo.json().features[0].geometry.type, 'Point');
    });

    it('a replaced link stops working; partners push values with an API key; staff review single values', async () => {
      // Campaign 2 (2026-Q2) is open with project A: staff sends a fresh link; the old one is refused.
      const camps = (
        await staffCall({ method: 'GET', url: `/api/observatory/programmes/${programmeId}/campaigns` })
      ).json();
      const c2 = camps.items.find((c: J) => c.period === '2026-Q2').id;
      const old = linkFrom(outbox, 'lead-a@sds.example', 'invitation').token;
      const nl = await staffCall({
        method: 'POST',
        url: `/api/observatory/campaigns/${c2}/responses/${ids.projectA}/link`,
        json: { email: 'new-lead@sds.example' },
      });
      assert.equal(nl.statusCode, 200, nl.body);
      assert.equal(
        (
          await t.call({
            method: 'GET',
            url: '/api/observatory/answer',
            headers: { 'x-escale-answer-token': old },
            as: null,
          })
        ).statusCode,
        401,
      );
      const fresh = linkFrom(outbox, 'new-lead@sds.example', 'invitation').token;
      assert.equal(
        (
          await t.call({
            method: 'GET',
            url: '/api/observatory/answer',
            headers: { 'x-escale-answer-token': fresh },
            as: null,
          })
        ).statusCode,
        200,
      );
      // HAROPA's system pushes a value for its own project (SDS), with an observatory:write key.
      const org = await t.call({
        method: 'POST',
        url: '/api/organisations',
        json: { slug: 'haropa', name: 'HAROPA Port', kind: 'port-authority' },
      });
      const orgId = org.json().id;
      await staffCall({
        method: 'PATCH',
        url: `/api/observatory/projects/${ids.projectA}`,
        json: { leadOrgId: orgId },
      });
      const key = await t.call({
        method: 'POST',
        url: `/api/organisations/${orgId}/api-keys`,
        json: { name: 'sds push', scopes: ['observatory:write'] },
      });
      assert.equal(key.statusCode, 201, key.body);
      const push = (projectId: string) =>
        t.call({
          method: 'PUT',
          url: `/api/observatory/programmes/${programmeId}/values`,
          headers: { 'x-api-key': key.json().key },
          json: { projectId, period: '2025', values: [{ indicatorId: ids.trained, value: 120 }] },
          as: null,
        });
      const ok = await push(ids.projectA);
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal((await push(ids.projectB)).statusCode, 403, 'not its project');
      const vals = (
        await staffCall({
          method: 'GET',
          url: `/api/observatory/programmes/${programmeId}/values?period=2025&projectId=${ids.projectA}`,
        })
      ).json();
      const pushed = vals.items.find((v: J) => v.indicatorId === ids.trained);
      assert.equal(pushed.status, 'submitted');
      assert.match(pushed.updatedBy, /^apikey:/);
      assert.equal(
        (await staffCall({ method: 'POST', url: `/api/observatory/values/${pushed.id}/approve`, json: {} }))
          .statusCode,
        200,
      );
      assert.equal((await push(ids.projectA)).statusCode, 422, 'approved values are locked');
      const comp = await staffCall({
        method: 'GET',
        url: `/api/observatory/campaigns/${campaignId}/export/completeness.csv`,
      });
      const rows = parse(comp.body, { columns: true, bom: true }) as J[];
      assert.deepEqual(rows.map((r) => [r.project, r.rate, r.reminders]).sort(), [
        ['SDS', '1', '0'],
        ['TRUCK_GATES', '1', '1'],
      ]);
    });

    it('exports parse back with the right numbers: CSV, XLSX, SDMX-CSV, and a PDF report', async () => {
      const csv = await t.call({
        method: 'GET',
        url: '/api/observatory/public/programmes/LHSPC/export/values.csv',
        as: null,
      });
      assert.equal(csv.statusCode, 200);
      const rows = parse(csv.body, { columns: true, bom: true }) as J[];
      const trained = rows
        .filter((r) => r.indicator === 'E2E_TRAINED')
        .map((r) => [r.project, r.period, Number(r.value)])
        .sort();
      assert.deepEqual(trained, [
        ['SDS', '2025', 120],
        ['SDS', '2026-Q1', 60],
        ['TRUCK_GATES', '2026-Q1', 30],
      ]);
      const xlsx = await staffCall({
        method: 'GET',
        url: `/api/observatory/programmes/${programmeId}/export/series.xlsx`,
      });
      assert.equal(xlsx.statusCode, 200);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
      const ws = wb.worksheets[0];
      const header = (ws.getRow(1).values as unknown[]).slice(1);
      const got: J[] = [];
      ws.eachRow((row, n) => {
        if (n === 1) return;
        const v = (row.values as unknown[]).slice(1);
        got.push(Object.fromEntries(header.map((h, i) => [h as string, v[i]])));
      });
      const share = got.find((r) => r.indicator === 'E2E_SHARE' && r.period === '2026-Q1');
      assert.equal(Math.round((share?.value as number) * 100) / 100, 43.33);
      assert.equal(got.find((r) => r.indicator === 'E2E_TRAINED' && r.period === '2026-Q1')?.value, 90);
      const sdmx = await t.call({
        method: 'GET',
        url: '/api/observatory/public/programmes/LHSPC/sdmx.csv',
        as: null,
      });
      const obs = parse(sdmx.body, { columns: true }) as J[];
      assert.deepEqual(Object.keys(obs[0]), [
        'DATAFLOW',
        'INDICATOR',
        'PROJECT',
        'TIME_PERIOD',
        'OBS_VALUE',
        'UNIT_MEASURE',
        'OBS_STATUS',
      ]);
      const total = obs.find(
        (o) => o.INDICATOR === 'E2E_TRAINED' && o.PROJECT === '_T' && o.TIME_PERIOD === '2026-Q1',
      );
      assert.equal(total?.OBS_VALUE, '90');
      assert.equal(total?.DATAFLOW, 'ESCALE:OBS_LHSPC(1.0)');
      const pdf = await t.call({
        method: 'GET',
        url: '/api/observatory/public/programmes/LHSPC/report/2026.pdf',
        as: null,
      });
      assert.equal(pdf.statusCode, 200);
      assert.equal(pdf.headers['content-type'], 'application/pdf');
      assert.equal(pdf.rawPayload.subarray(0, 5).toString(), '%PDF-');
      if (existsSync('/usr/bin/pdftotext')) {
        const f = join(dataDir, 'report.pdf');
        writeFileSync(f, pdf.rawPayload);
        const text = execFileSync('pdftotext', ['-layout', f, '-'], { encoding: 'utf8' });
        assert.match(text, /Le Havre Smart Port City/);
        assert.match(text, /E2E_TRAINED.*People trained.*100.*90/s);
        assert.match(text, /Collecte T1 2026 \(2026-Q1\): 100 %/);
      }
    });
  });
}
