import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decide } from '../../src/innovation/calls.js';
import { innovationFigures, type SelectedApplication, zScores } from '../../src/innovation/index.js';
import { seedObservatoryDemo } from '../../src/observatory/index.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { backends } from '../helpers/db.js';
import { organisation, type Person, person } from './helpers.js';

const P = '/api/innovation';
const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();

// Criteria: impact (weight 2, out of 10), feasibility (weight 1, out of 5).
// Scores given by the jury; juror 2 declares a conflict with A1 and never scores it.
const SCORES: Record<string, Record<string, [number, number]>> = {
  j1: { A1: [10, 5], A2: [9, 4], A3: [8, 5], A4: [9, 5] }, // lenient
  j2: { A2: [2, 1], A3: [5, 2], A4: [3, 1] }, // severe; conflict with A1
  j3: { A1: [4, 2], A2: [6, 3], A3: [7, 4], A4: [5, 3] },
};

/**
 * The ranking computed by hand, step by step, as the README documents it.
 * Weighted totals (2·impact/10 + feasibility/5) / 3:
 *   j1: A1 1.0000, A2 0.8667, A3 0.8667, A4 0.9333 (mean 0.9167, sd 0.0553)
 *   j2: A2 0.2000, A3 0.4667, A4 0.2667            (mean 0.3111, sd 0.1133)
 *   j3: A1 0.4000, A2 0.6000, A3 0.7333, A4 0.5333 (mean 0.5667, sd 0.1202)
 * Mean z per application: A3 +0.618, A1 +0.060, A4 −0.123, A2 −0.536.
 * On raw means A1 (0.700) would beat A3 (0.689): the severe juror, who could not score A1, would have cost
 * A3 its first place. Normalisation puts A3 first.
 */
function byHand(): { order: string[]; score: Record<string, number> } {
  const total = ([impact, feas]: [number, number]) => ((2 * impact) / 10 + feas / 5) / 3;
  const z: Record<string, number[]> = {};
  for (const juror of Object.values(SCORES)) {
    const apps = Object.keys(juror);
    const totals = apps.map((a) => total(juror[a]));
    const mean = totals.reduce((x, y) => x + y, 0) / totals.length;
    const sd = Math.sqrt(totals.reduce((x, y) => x + (y - mean) ** 2, 0) / totals.length);
    apps.forEach((a, i) => {
      z[a] = [...(z[a] ?? []), (totals[i] - mean) / sd];
    });
  }
  const score = Object.fromEntries(
    Object.entries(z).map(([a, v]) => [a, v.reduce((x, y) => x + y, 0) / v.length]),
  );
  return { order: Object.keys(score).sort((a, b) => score[b] - score[a]), score };
}

for (const backend of backends()) {
  describe(`innovation: a call from opening to selection (${backend})`, () => {
    let t: TestApp;
    let orgId: string;
    let manager: Person;
    const applicants: Record<string, Person> = {};
    const jurors: Record<string, Person> = {};
    const appIds: Record<string, string> = {};
    let callId: string;
    let programmeId: string;
    let icc2: string;
    const dataDir = mkdtempSync(join(tmpdir(), 'escale-calls-'));

    before(async () => {
      t = await startTestApp(backend, { ESCALE_DATA_DIR: dataDir });
      // The Observatory's Le Havre programme, where selected applications become projects.
      await seedObservatoryDemo(t.db());
      const progs = (await t.call({ method: 'GET', url: '/api/observatory/programmes' })).json();
      programmeId = progs.items.find((p: { code: string }) => p.code === 'LHSPC').id;
      const tree = (
        await t.call({ method: 'GET', url: `/api/observatory/programmes/${programmeId}` })
      ).json();
      icc2 = tree.topics
        .flatMap((x: { actions: { id: string; code: string }[] }) => x.actions)
        .find((a: { code: string }) => a.code === 'ICC2').id;
      orgId = await organisation(t, 'haropa', 'port-authority');
      manager = await person(t, 'manager@haropa.example', orgId, 'editor');
      for (const a of ['A1', 'A2', 'A3', 'A4'])
        applicants[a] = await person(t, `${a.toLowerCase()}@apply.example`);
      for (const j of ['j1', 'j2', 'j3']) jurors[j] = await person(t, `${j}@jury.example`);
    });
    after(async () => {
      await t?.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('the manager defines the call: phases, form, weighted criteria, blind review', async () => {
      const r = await t.call({
        method: 'POST',
        url: `${P}/calls`,
        as: manager.token,
        json: {
          kind: 'intrapreneurship',
          title: 'Intrapreneurship programme 2026',
          orgId,
          blind: true,
          observatory: { indicatorCodes: ['INTRA_STARTED', 'JOBS_CREATED'] },
          phases: [
            { phase: 'open', startsAt: inDays(-1), endsAt: inDays(30) },
            { phase: 'review', startsAt: inDays(31), endsAt: inDays(45) },
          ],
          form: [
            { key: 'summary', label: 'Summary', type: 'textarea', required: true, maxLength: 2000 },
            { key: 'team', label: 'Team members', type: 'text', required: true, identifying: true },
            { key: 'contact', label: 'Contact', type: 'email', identifying: true },
            { key: 'budget', label: 'Budget (EUR)', type: 'number', required: true },
            { key: 'theme', label: 'Theme', type: 'choice', options: ['port', 'city', 'energy'] },
          ],
          criteria: [
            { key: 'impact', label: 'Impact', weight: 2, max: 10 },
            { key: 'feasibility', label: 'Feasibility', weight: 1, max: 5 },
          ],
        },
      });
      assert.equal(r.statusCode, 201, r.body);
      callId = r.json().id;
      assert.equal(r.json().phase, 'draft');
      // a draft call is invisible to the public
      assert.equal((await t.call({ method: 'GET', url: `${P}/calls/${callId}`, as: null })).statusCode, 404);
      const outsider = await t.call({
        method: 'POST',
        url: `${P}/calls`,
        as: applicants.A1.token,
        json: { kind: 'challenge', title: 'x', orgId },
      });
      assert.equal(outsider.statusCode, 403);
      for (const j of Object.keys(jurors)) {
        const add = await t.call({
          method: 'PUT',
          url: `${P}/calls/${callId}/jurors`,
          as: manager.token,
          json: { userId: jurors[j].id, name: `Juror ${j}` },
        });
        assert.equal(add.statusCode, 200, add.body);
      }
      const open = await t.call({
        method: 'POST',
        url: `${P}/calls/${callId}/phase`,
        as: manager.token,
        json: { phase: 'open' },
      });
      assert.equal(open.json().phase, 'open');
      const frozen = await t.call({
        method: 'PATCH',
        url: `${P}/calls/${callId}`,
        as: manager.token,
        json: { criteria: [{ key: 'impact', label: 'Impact', weight: 1, max: 10 }] },
      });
      assert.equal(frozen.statusCode, 422);
      assert.equal((await t.call({ method: 'GET', url: `${P}/calls`, as: null })).json().total, 1);
    });

    it('applicants save drafts, are told what is missing, submit and get a receipt', async () => {
      for (const a of Object.keys(applicants)) {
        const d = await t.call({
          method: 'POST',
          url: `${P}/calls/${callId}/applications`,
          as: applicants[a].token,
          json: { title: `Project ${a}`, answers: { summary: `What ${a} does` } },
        });
        assert.equal(d.statusCode, 201, d.body);
        appIds[a] = d.json().id;
        assert.equal(d.json().status, 'draft');
      }
      const wrongType = await t.call({
        method: 'PATCH',
        url: `${P}/applications/${appIds.A1}`,
        as: applicants.A1.token,
        json: { answers: { budget: 'a lot' } },
      });
      assert.equal(wrongType.statusCode, 400);
      const unknownField = await t.call({
        method: 'PATCH',
        url: `${P}/applications/${appIds.A1}`,
        as: applicants.A1.token,
        json: { answers: { salary: 1 } },
      });
      assert.equal(unknownField.statusCode, 400);
      const notMine = await t.call({
        method: 'PATCH',
        url: `${P}/applications/${appIds.A1}`,
        as: applicants.A2.token,
        json: { title: 'stolen' },
      });
      assert.equal(notMine.statusCode, 404);
      const early = await t.call({
        method: 'POST',
        url: `${P}/applications/${appIds.A1}/submit`,
        as: applicants.A1.token,
      });
      assert.equal(early.statusCode, 400);
      assert.deepEqual(early.json().missing, ['team', 'budget']);

      for (const a of Object.keys(applicants)) {
        const u = await t.call({
          method: 'PATCH',
          url: `${P}/applications/${appIds[a]}`,
          as: applicants[a].token,
          json: {
            answers: {
              team: `${a} and friends`,
              contact: `${a.toLowerCase()}@apply.example`,
              budget: 50_000,
              theme: 'port',
            },
          },
        });
        assert.equal(u.statusCode, 200, u.body);
        const s = await t.call({
          method: 'POST',
          url: `${P}/applications/${appIds[a]}/submit`,
          as: applicants[a].token,
        });
        assert.equal(s.statusCode, 200, s.body);
        assert.match(s.json().reference, /^INT-\d{4}-[0-9A-F]{8}$/);
        assert.match(s.json().digest, /^[0-9a-f]{64}$/);
        const again = await t.call({
          method: 'POST',
          url: `${P}/applications/${appIds[a]}/submit`,
          as: applicants[a].token,
        });
        assert.deepEqual(again.json(), s.json(), 'submitting twice returns the same receipt');
      }
      const locked = await t.call({
        method: 'PATCH',
        url: `${P}/applications/${appIds.A1}`,
        as: applicants.A1.token,
        json: { title: 'late change' },
      });
      assert.equal(locked.statusCode, 422);
    });

    it('jurors declare conflicts and review blind', async () => {
      // nobody reviews before the review phase
      const tooEarly = await t.call({
        method: 'PUT',
        url: `${P}/applications/${appIds.A1}/review`,
        as: jurors.j1.token,
        json: { scores: { impact: 5, feasibility: 5 } },
      });
      assert.equal(tooEarly.statusCode, 422, tooEarly.body);
      const review = await t.call({
        method: 'POST',
        url: `${P}/calls/${callId}/phase`,
        as: manager.token,
        json: { phase: 'review' },
      });
      assert.equal(review.json().phase, 'review');

      const c = await t.call({
        method: 'POST',
        url: `${P}/calls/${callId}/conflicts`,
        as: jurors.j2.token,
        json: { applicationId: appIds.A1, reason: 'A1 is my former colleague' },
      });
      assert.equal(c.statusCode, 204, c.body);
      const notJuror = await t.call({
        method: 'GET',
        url: `${P}/calls/${callId}/review-queue`,
        as: applicants.A1.token,
      });
      assert.equal(notJuror.statusCode, 403);

      const q2 = (
        await t.call({ method: 'GET', url: `${P}/calls/${callId}/review-queue`, as: jurors.j2.token })
      ).json();
      assert.equal(q2.total, 3);
      assert.equal(q2.conflicts, 1);
      assert.ok(!q2.items.some((i: { application: { id: string } }) => i.application.id === appIds.A1));
      for (const item of q2.items) {
        assert.equal(item.application.applicant, undefined, 'blind: no applicant identity');
        assert.equal(item.application.answers.team, undefined, 'blind: identifying fields hidden');
        assert.equal(item.application.answers.contact, undefined);
        assert.equal(typeof item.application.answers.summary, 'string');
      }
      const hiddenApp = await t.call({
        method: 'GET',
        url: `${P}/applications/${appIds.A1}`,
        as: jurors.j2.token,
      });
      assert.equal(hiddenApp.statusCode, 404, 'a conflicted juror cannot open the application');
      const blindApp = await t.call({
        method: 'GET',
        url: `${P}/applications/${appIds.A1}`,
        as: jurors.j1.token,
      });
      assert.equal(blindApp.statusCode, 200);
      assert.equal(blindApp.json().applicant, undefined);
      assert.doesNotMatch(blindApp.body, /a1@apply\.example|A1 and friends/);
      const refused = await t.call({
        method: 'PUT',
        url: `${P}/applications/${appIds.A1}/review`,
        as: jurors.j2.token,
        json: { scores: { impact: 1, feasibility: 1 } },
      });
      assert.equal(refused.statusCode, 403);

      const outOfScale = await t.call({
        method: 'PUT',
        url: `${P}/applications/${appIds.A2}/review`,
        as: jurors.j1.token,
        json: { scores: { impact: 11, feasibility: 1 } },
      });
      assert.equal(outOfScale.statusCode, 400);
      const incomplete = await t.call({
        method: 'PUT',
        url: `${P}/applications/${appIds.A2}/review`,
        as: jurors.j1.token,
        json: { scores: { impact: 1 } },
      });
      assert.equal(incomplete.statusCode, 400);

      for (const [j, apps] of Object.entries(SCORES)) {
        for (const [a, [impact, feasibility]] of Object.entries(apps)) {
          const r = await t.call({
            method: 'PUT',
            url: `${P}/applications/${appIds[a]}/review`,
            as: jurors[j].token,
            json: { scores: { impact, feasibility }, comment: `${j} on ${a}` },
          });
          assert.equal(r.statusCode, 204, r.body);
        }
      }
      // a juror sees their own review and weighted total, never the others'
      const q1 = (
        await t.call({ method: 'GET', url: `${P}/calls/${callId}/review-queue`, as: jurors.j1.token })
      ).json();
      const a1 = q1.items.find((i: { application: { id: string } }) => i.application.id === appIds.A1);
      assert.deepEqual(a1.myReview.scores, { impact: 10, feasibility: 5 });
      assert.equal(a1.myReview.weightedTotal, 1);
      assert.doesNotMatch(JSON.stringify(q1), /j3 on/);
      const jurorList = (
        await t.call({ method: 'GET', url: `${P}/calls/${callId}/jurors`, as: manager.token })
      ).json();
      assert.deepEqual(
        jurorList.items.map((j: { reviews: number; conflicts: number }) => [j.reviews, j.conflicts]),
        [
          [4, 0],
          [3, 1],
          [4, 0],
        ],
      );
    });

    it('ranks with per-juror z-scores exactly as computed by hand', async () => {
      const denied = await t.call({
        method: 'GET',
        url: `${P}/calls/${callId}/ranking`,
        as: jurors.j1.token,
      });
      assert.equal(denied.statusCode, 403);
      const r = await t.call({ method: 'GET', url: `${P}/calls/${callId}/ranking`, as: manager.token });
      assert.equal(r.statusCode, 200, r.body);
      const items = r.json().items as {
        applicationId: string;
        rank: number;
        score: number;
        reviews: number;
      }[];
      const name = (id: string) => Object.keys(appIds).find((a) => appIds[a] === id);
      const expected = byHand();
      assert.deepEqual(
        items.map((i) => name(i.applicationId)),
        expected.order,
      );
      assert.deepEqual(expected.order, ['A3', 'A1', 'A4', 'A2']);
      for (const i of items) {
        const a = name(i.applicationId) as string;
        assert.ok(Math.abs(i.score - expected.score[a]) < 1e-9, `${a}: ${i.score} vs ${expected.score[a]}`);
      }
      assert.deepEqual(
        items.map((i) => i.reviews),
        [3, 2, 3, 3],
      );
      assert.deepEqual(
        items.map((i) => i.rank),
        [1, 2, 3, 4],
      );
    });

    it('decides, with deliberation notes and feedback each applicant reads', async () => {
      const early = await t.call({
        method: 'POST',
        url: `${P}/calls/${callId}/decision`,
        as: manager.token,
        json: { selected: [appIds.A3] },
      });
      assert.equal(early.statusCode, 422);
      await t.call({
        method: 'POST',
        url: `${P}/calls/${callId}/phase`,
        as: manager.token,
        json: { phase: 'selection' },
      });
      const back = await t.call({
        method: 'POST',
        url: `${P}/calls/${callId}/phase`,
        as: manager.token,
        json: { phase: 'open' },
      });
      assert.equal(back.statusCode, 422, 'phases only move forward');
      const d = await t.call({
        method: 'POST',
        url: `${P}/calls/${callId}/decision`,
        as: manager.token,
        json: {
          selected: [appIds.A3, appIds.A1],
          deliberation: 'The two best-ranked projects are selected.',
          feedback: { [appIds.A2]: 'Promising, but the budget is not detailed enough.' },
        },
      });
      assert.equal(d.statusCode, 200, d.body);
      assert.equal(d.json().selected, 2);
      assert.equal(d.json().rejected, 2);
      // every applicant is told by e-mail (written to the outbox without an SMTP server)
      assert.deepEqual(d.json().notifications, { sent: 4, failed: 0, unchanged: 0 });
      assert.equal(readdirSync(join(dataDir, 'outbox')).length, 4);
      const a2 = (
        await t.call({ method: 'GET', url: `${P}/applications/${appIds.A2}`, as: applicants.A2.token })
      ).json();
      assert.equal(a2.status, 'rejected');
      assert.equal(a2.feedback, 'Promising, but the budget is not detailed enough.');
      const a3 = (
        await t.call({ method: 'GET', url: `${P}/applications/${appIds.A3}`, as: applicants.A3.token })
      ).json();
      assert.equal(a3.status, 'selected');
      const other = await t.call({
        method: 'GET',
        url: `${P}/applications/${appIds.A3}`,
        as: applicants.A2.token,
      });
      assert.equal(other.statusCode, 404);
      const call = (await t.call({ method: 'GET', url: `${P}/calls/${callId}`, as: manager.token })).json();
      assert.equal(call.deliberation, 'The two best-ranked projects are selected.');
    });

    it('the selected applications appear as projects of the Observatory, with their follow-up indicators', async () => {
      const d = await t.call({
        method: 'POST',
        url: `${P}/calls/${callId}/decision`,
        as: manager.token,
        json: { selected: [appIds.A3, appIds.A1] },
      });
      assert.equal(d.statusCode, 200, d.body);
      const followUp = d.json().followUp as { applicationId: string; projectId: string; error?: string }[];
      assert.equal(followUp.length, 2);
      assert.ok(
        followUp.every((f) => f.projectId && !f.error),
        d.body,
      );
      // intrapreneurship calls go to the programme's intrapreneurship action (ICC2)
      const list = await t.call({
        method: 'GET',
        url: `/api/observatory/programmes/${programmeId}/projects?actionId=${icc2}`,
      });
      assert.equal(list.statusCode, 200, list.body);
      const a3 = list.json().items.find((p: { name: string }) => p.name === 'Project A3');
      assert.ok(a3, 'the selected project is listed under the action');
      assert.equal(a3.leadOrganisation, 'a3');
      assert.equal(a3.contactEmail, 'a3@apply.example');
      assert.equal(a3.description, 'What A3 does');
      assert.equal(a3.status, 'planned');
      assert.equal(a3.id, followUp.find((f) => f.applicationId === appIds.A3)?.projectId);
      const one = (await t.call({ method: 'GET', url: `/api/observatory/projects/${a3.id}` })).json();
      assert.deepEqual(
        one.followUp.indicators.map((i: { code: string }) => i.code),
        ['INTRA_STARTED', 'JOBS_CREATED'],
      );
      assert.deepEqual(one.followUp.source.detail, {
        kind: 'innovation-application',
        callId,
        applicationId: appIds.A3,
      });
      const hist = (
        await t.call({ method: 'GET', url: `/api/observatory/projects/${a3.id}/history` })
      ).json();
      assert.deepEqual(
        hist.items.map((h: { op: string }) => h.op),
        ['create', 'link'],
      );
      assert.equal(hist.items[0].actor, `user:${manager.id}`);
      // the applicant sees which project their application became
      const mine = (
        await t.call({ method: 'GET', url: `${P}/applications/${appIds.A3}`, as: applicants.A3.token })
      ).json();
      assert.equal(mine.observatoryProjectId, a3.id);

      // deciding again creates nothing new
      const again = await t.call({
        method: 'POST',
        url: `${P}/calls/${callId}/decision`,
        as: manager.token,
        json: { selected: [appIds.A3, appIds.A1] },
      });
      assert.deepEqual(again.json().followUp, followUp);
      const after = await t.call({
        method: 'GET',
        url: `/api/observatory/programmes/${programmeId}/projects?actionId=${icc2}`,
      });
      assert.equal(after.json().total, list.json().total);
    });

    it('hands each selected application to the Observatory hook', async () => {
      const got: SelectedApplication[] = [];
      const r = await decide(t.db(), callId, { selected: [appIds.A3] }, async (s) => {
        got.push(s);
        return undefined;
      });
      assert.equal(r.selected, 1);
      assert.equal(r.rejected, 3);
      assert.equal(got.length, 1);
      assert.equal(got[0].applicationId, appIds.A3);
      assert.equal(got[0].title, 'Project A3');
      assert.equal(got[0].callKind, 'intrapreneurship');
      assert.equal(got[0].answers.budget, 50_000);
      assert.equal(got[0].summary, 'What A3 does');
      assert.deepEqual(got[0].observatory.indicatorCodes, ['INTRA_STARTED', 'JOBS_CREATED']);
    });

    it('gives the Observatory its figures, computed as indicators', async () => {
      const f = await innovationFigures(t.db());
      assert.equal(f.callsLaunched, 1);
      assert.equal(f.applications, 4);
      assert.equal(f.selected, 1);
      const inds = (
        await t.call({ method: 'GET', url: `/api/observatory/programmes/${programmeId}/indicators` })
      ).json().items as { id: string; code: string; source: { kind: string; figure?: string } }[];
      const year = String(new Date().getUTCFullYear());
      const expected: Record<string, number> = {
        HUB_CALLS: 1,
        HUB_APPLICATIONS: 4,
        HUB_SELECTED: 1,
        HUB_COMMUNITIES: f.communities,
        HUB_MEMBERS: f.members,
        HUB_ATTENDANCE: f.attendance,
      };
      for (const [code, value] of Object.entries(expected)) {
        const ind = inds.find((i) => i.code === code);
        assert.equal(ind?.source.kind, 'figure', code);
        const r = await t.call({
          method: 'POST',
          url: `/api/observatory/indicators/${ind?.id}/compute`,
          json: { period: year },
        });
        assert.equal(r.statusCode, 200, r.body);
        assert.deepEqual(r.json(), { indicatorId: ind?.id, period: year, value, stored: true });
      }
      // stored as approved programme-level values: they show on the dashboard
      const dash = (
        await t.call({ method: 'GET', url: `/api/observatory/programmes/${programmeId}/dashboard` })
      ).json();
      const calls = dash.indicators.find((i: { code: string }) => i.code === 'HUB_CALLS');
      assert.deepEqual(calls.latest, { period: year, value: 1, target: null });
      // nothing was selected last year
      const last = await t.call({
        method: 'POST',
        url: `/api/observatory/indicators/${inds.find((i) => i.code === 'HUB_SELECTED')?.id}/compute`,
        json: { period: String(Number(year) - 1) },
      });
      assert.equal(last.json().value, 0);
      // a figure nobody provides is refused
      const unknown = await t.call({
        method: 'POST',
        url: `/api/observatory/programmes/${programmeId}/indicators`,
        json: {
          code: 'HUB_NOPE',
          nameFr: 'x',
          nameEn: 'x',
          level: 'output',
          valueType: 'number',
          source: { kind: 'figure', figure: 'innovation.nope' },
        },
      });
      assert.equal(unknown.statusCode, 400, unknown.body);
    });
  });
}

describe('innovation: juror scale normalisation', () => {
  it('gives z-scores of mean 0 and deviation 1, and 0 to a juror without spread', () => {
    const z = zScores([2, 4, 4, 4, 5, 5, 7, 9]);
    assert.deepEqual(z, [-1.5, -0.5, -0.5, -0.5, 0, 0, 1, 2]);
    assert.deepEqual(zScores([3, 3, 3]), [0, 0, 0]);
    assert.deepEqual(zScores([8]), [0]);
  });
});
