// The Observatory's pages in a real browser (test/helpers/browser.ts): a citizen reads the public dashboard, the
// staff prepare and launch a campaign, a project lead answers through the personal link on a phone (draft,
// validation errors, evidence, submit), the staff return then approve the answer, and the public dashboard
// then shows the approved figure.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { seedGovernanceDemo } from '../../src/governance/demo.js';
import { seedObservatoryDemo, seedObservatoryStaff } from '../../src/observatory/index.js';
import { SHOTS, startWebSuite, type WebSuite } from '../helpers/browser.js';

const PASSWORD = 'correct horse battery staple';
const STAFF_EMAIL = 'analyste@aurh.test';
const PHONE = { width: 390, height: 844 };
// A fresh address per run: the invitation is read back from the outbox (<dataDir>/outbox, .eml files).
const LEAD_EMAIL = `sds-${Date.now()}@lead.test`;
const OUTBOX = resolve('data', 'outbox');

/** The personal link of the newest message sent to an address (the server writes .eml files without SMTP). */
function linkFrom(to: string): string {
  assert.ok(existsSync(OUTBOX), `no outbox at ${OUTBOX}`);
  const mails = readdirSync(OUTBOX)
    .filter((f) => f.endsWith('.eml'))
    .map((f) => join(OUTBOX, f))
    .sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs)
    .map((f) => readFileSync(f, 'utf8'))
    .filter((m) => m.includes(`To: ${to}`));
  assert.ok(mails.length > 0, `no message to ${to}`);
  const raw = mails[mails.length - 1];
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const body = rest.join('\n\n');
  const text = /Content-Transfer-Encoding: base64/i.test(head)
    ? Buffer.from(body, 'base64').toString('utf8')
    : body.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
  const m = /(https?:\/\/[^\s"<>]+)\/observatory\/answer\?token=([A-Za-z0-9_.-]+)/.exec(text);
  assert.ok(m, 'the e-mail carries a personal link to the answer page');
  return `/observatory/answer?token=${m[2]}`;
}

describe('observatory pages in Chromium', { timeout: 600_000 }, () => {
  let suite: WebSuite;
  let staffPage: Page;
  let leadLink = '';

  /** A page that fails fast (10 s) rather than at the default 30 s. */
  const open = async (path: string, viewport?: { width: number; height: number }) => {
    const page = await suite.openPage(path, { viewport });
    page.setDefaultTimeout(10_000);
    return page;
  };

  const cell = async (page: Page, testId: string, period: string) =>
    (
      await page
        .getByTestId(testId)
        .locator('tbody tr', { has: page.locator(`th:text-is("${period}")`) })
        .locator('td')
        .first()
        .textContent()
    )?.trim();

  before(async () => {
    suite = await startWebSuite(async ({ app, db }) => {
      await seedObservatoryDemo(db);
      await seedGovernanceDemo(app.governance, { dataDir: resolve('data'), adminPassword: PASSWORD });
      await seedObservatoryStaff(db, (slug) => app.governance.repo.getOrgBySlug(slug));
      const staff = await app.governance.createUser({
        email: STAFF_EMAIL,
        name: 'Camille Analyste',
        password: PASSWORD,
      });
      const aurh = await app.governance.repo.getOrgBySlug('aurh');
      assert.ok(staff && aurh);
      await app.governance.repo.setMembership(aurh.id, staff.id, 'editor');
      // The lead of Smart Data Services answers at an address of this run.
      const sds = await db.query<{ id: string }>(`SELECT id FROM obs_projects WHERE code = 'SDS'`);
      await db.query('UPDATE obs_projects SET contact_email = $2 WHERE id = $1', [
        sds.rows[0].id,
        LEAD_EMAIL,
      ]);
    });
  });

  after(() => suite?.close());

  it('a citizen reads the public dashboard: progress, key indicators with their tables, projects, open data', async () => {
    const page = await open('/');
    await page
      .getByRole('navigation', { name: 'Navigation principale' })
      .getByRole('link', { name: 'Observatoire' })
      .click();
    await page.getByRole('heading', { level: 1, name: 'Observatoire Le Havre Smart Port City' }).waitFor();
    assert.equal(await page.getByRole('heading', { level: 1 }).count(), 1);
    assert.equal(await page.getByTestId('obs-fig-projects').locator('.figure__value').textContent(), '32');
    // The deliverable's approved 2022 figure, in the chart's data table, with its target.
    assert.equal(await cell(page, 'ind-COMM_LAUNCHED-table', '2022'), '3 communities');
    assert.match(
      (await page.getByTestId('ind-COMM_LAUNCHED-summary').textContent()) ?? '',
      /Dernière valeur validée : 3 communities \(2022\).*cible 5/,
    );
    // Nothing approved for 2025 yet: the completion rate has a target but no value.
    assert.equal(await cell(page, 'ind-OBS_COMPLETION-table', '2025'), '–');
    assert.ok(await page.locator('.obs-chart svg').first().isVisible(), 'the charts are drawn');
    // Projects by status, as a table too; projects paginated and filtered.
    assert.match((await page.getByTestId('obs-status-table').textContent()) ?? '', /En retard/);
    const projects = page.getByTestId('obs-projects');
    assert.equal(await projects.locator('tbody tr').count(), 10);
    // The public projects on a map, named for screen readers with their number.
    const map = page.getByTestId('obs-projects-map');
    await map.locator('canvas.maplibregl-canvas').waitFor();
    assert.match((await map.getAttribute('aria-label')) ?? '', /Carte des \d+ projets publics/);
    const section = page.getByRole('region', { name: 'Projets du programme' });
    await section.getByRole('button', { name: 'Page 2' }).click();
    await projects.getByText(/page 2 sur/).waitFor();
    await page.getByLabel('Filtrer par état').selectOption('delayed');
    await projects.getByRole('rowheader', { name: /Rêver/ }).waitFor();
    assert.ok((await projects.locator('tbody tr').count()) >= 1);
    // Open data links.
    const csv = page.getByRole('link', { name: 'CSV : les indicateurs' });
    const href = await csv.getAttribute('href');
    assert.equal(href, '/api/observatory/public/programmes/LHSPC/export/indicators.csv');
    const res = await page.request.get(suite.base + href);
    assert.equal(res.status(), 200);
    assert.match(await res.text(), /COMM_LAUNCHED/);
    await page.getByLabel('Filtrer par état').selectOption('');
    await page.screenshot({ path: join(SHOTS, 'observatory-public.png'), fullPage: true });
    await suite.axe(page, 'Observatory public dashboard');
  });

  it('the public dashboard reflows at 320 px: no horizontal scrolling of the page', async () => {
    const page = await open('/observatory', { width: 320, height: 640 });
    await page.getByTestId('ind-COMM_LAUNCHED-table').waitFor();
    await page.waitForTimeout(300); // the charts resize
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    const wide = await page.evaluate(() =>
      [...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
        .slice(0, 8)
        .map(
          (e) =>
            `${e.tagName}.${String(e.className).slice(0, 60)} ${Math.round(e.getBoundingClientRect().right)}`,
        ),
    );
    assert.ok(overflow <= 0, `the page is ${overflow} px too wide at 320 px: ${wide.join(' | ')}`);
  });

  it('the staff page asks a visitor to sign in', async () => {
    const page = await open('/observatory/staff');
    await page.getByRole('heading', { level: 1, name: 'Observatoire : espace de l’équipe' }).waitFor();
    await page.getByRole('main').getByRole('link', { name: 'Se connecter' }).waitFor();
  });

  it('observatory staff sign in, prepare a campaign and launch it', async () => {
    staffPage = await open('/');
    const page = staffPage;
    await suite.signIn(page, STAFF_EMAIL, PASSWORD);
    await page.goto(`${suite.base}/observatory`);
    await page.getByRole('link', { name: 'Espace de l’équipe de l’Observatoire' }).click();
    await page.getByRole('heading', { level: 1, name: 'Observatoire : espace de l’équipe' }).waitFor();
    await page.getByText('Aucune campagne pour l’instant.').waitFor();
    assert.ok((await page.getByTestId('obs-risk').locator('tbody tr').count()) >= 1, 'projects at risk');

    await page.getByRole('button', { name: 'Préparer une campagne' }).click();
    const form = page.getByRole('form', { name: 'Nouvelle campagne' });
    await form.getByLabel('Nom de la campagne').fill('Collecte annuelle 2025');
    await form.getByRole('button', { name: 'Créer la campagne' }).click();
    await form.getByText('Saisissez une période comme 2026').waitFor();
    await form.getByLabel('Période').fill('2025');
    await form.getByLabel('Date d’échéance').fill('2030-01-31');
    await form.getByRole('combobox', { name: 'Projets interrogés' }).fill('Smart Data');
    await page.getByRole('option', { name: 'Smart Data Services (SDS)' }).click();
    await form.getByRole('combobox', { name: 'Indicateurs demandés' }).fill('OBS_IND_CHOSEN');
    await page.getByRole('option', { name: /\(OBS_IND_CHOSEN\)/ }).click();
    await form.getByRole('combobox', { name: 'Indicateurs demandés' }).fill('OBS_IND_DONE');
    await page.getByRole('option', { name: /\(OBS_IND_DONE\)/ }).click();
    await page.keyboard.press('Escape');
    await form.getByRole('button', { name: 'Créer la campagne' }).click();

    await page.getByRole('heading', { name: 'Complétude : Collecte annuelle 2025' }).waitFor();
    await page.getByRole('button', { name: 'Lancer la campagne (envoi des liens)' }).click();
    await page.getByTestId('staff-notice').getByText('1 porteur a reçu son lien personnel').waitFor();
    await page.getByTestId('obs-informed').getByText('0 / 2').waitFor();
    leadLink = linkFrom(LEAD_EMAIL);
  });

  it('the project lead answers on a phone: draft, validation errors fixed, evidence, submit', async () => {
    const page = await open(leadLink, PHONE);
    await page
      .getByRole('heading', { level: 1, name: 'Indicateurs du projet Smart Data Services' })
      .waitFor();
    const chosen = page.getByTestId('field-OBS_IND_CHOSEN');
    const done = page.getByTestId('field-OBS_IND_DONE');
    await chosen.getByLabel(/Valeur/).fill('10');
    await page.getByRole('button', { name: 'Enregistrer le brouillon' }).click();
    await page.getByTestId('answer-notice').waitFor();
    assert.match(
      (await page.getByTestId('answer-notice').textContent()) ?? '',
      /Brouillon enregistré\. Un point reste/,
    );
    // The server's "required" issue, next to the field it is about.
    await done.getByText('Une valeur est obligatoire.').waitFor();
    assert.equal(await done.getByLabel(/Valeur/).getAttribute('aria-invalid'), 'true');

    await done.getByLabel(/Valeur/).fill('douze');
    await page.getByRole('button', { name: 'Envoyer pour validation' }).click();
    await done.getByText('Saisissez un nombre').waitFor();

    await done.getByLabel(/Valeur/).fill('12');
    await page.getByRole('button', { name: 'Envoyer pour validation' }).click();
    await page.getByText(/Incohérence entre indicateurs : more indicators completed than chosen/).waitFor();
    await page
      .getByTestId('answer-notice')
      .getByText('La réponse n’est pas envoyée : un point est à corriger.')
      .waitFor();
    await page.screenshot({ path: join(SHOTS, 'observatory-lead-form-phone.png'), fullPage: true });
    await suite.axe(page, 'Observatory answer form (phone)');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no horizontal scrolling on a phone (${overflow} px too wide)`);

    await page.locator('input[type="file"]').setInputFiles({
      name: 'compte-rendu.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from('%PDF-1.4\n% evidence\n'),
    });
    await page.getByRole('button', { name: 'Joindre le fichier' }).click();
    await page
      .getByTestId('attachments')
      .getByText(/compte-rendu\.pdf/)
      .waitFor();

    await done.getByLabel(/Valeur/).fill('8');
    await page.getByRole('button', { name: 'Envoyer pour validation' }).click();
    await page.getByText('Réponse envoyée. Merci !').first().waitFor();
    await page.getByText('Envoyée, à valider').first().waitFor();
    assert.equal(await page.getByRole('button', { name: 'Envoyer pour validation' }).count(), 0);
  });

  it('the public dashboard does not show a submitted figure before it is approved', async () => {
    const page = await open('/observatory');
    await page.getByTestId('ind-OBS_COMPLETION-table').waitFor();
    assert.equal(await cell(page, 'ind-OBS_COMPLETION-table', '2025'), '–');
  });

  it('the staff see the completeness, return the answer with a comment; the lead submits again', async () => {
    const page = staffPage;
    await page.reload();
    await page.getByRole('heading', { name: 'Complétude : Collecte annuelle 2025' }).waitFor();
    await page.getByTestId('obs-informed').getByText('2 / 2').waitFor();
    const row = page.getByTestId('obs-responses').locator('tr[data-code="SDS"]');
    assert.match((await row.textContent()) ?? '', /Envoyée, à valider.*2 \/ 2.*Dans les temps.*1 invitation/);
    await row.getByRole('button', { name: 'Examiner la réponse de Smart Data Services' }).click();
    const review = page.getByTestId('obs-review');
    await review.getByRole('heading', { name: 'Réponse de Smart Data Services' }).waitFor();
    assert.match(
      (await review.getByTestId('obs-review-values').locator('tr[data-code="OBS_IND_DONE"]').textContent()) ??
        '',
      /8 indicators/,
    );
    await review.getByRole('button', { name: 'Télécharger compte-rendu.pdf' }).waitFor();
    await review.getByRole('button', { name: 'Renvoyer au porteur' }).click();
    await review.getByText('Expliquez au porteur ce qu’il doit corriger.').waitFor();
    await review.getByLabel('Commentaire pour le porteur').fill('Merci de préciser la source du chiffre 8.');
    await review.getByRole('button', { name: 'Renvoyer au porteur' }).click();
    await page.getByTestId('staff-notice').getByText('Réponse renvoyée au porteur').waitFor();
    await page
      .getByTestId('obs-responses')
      .locator('tr[data-code="SDS"]')
      .getByText('Renvoyée pour correction')
      .waitFor();

    const lead = await open(leadLink, PHONE);
    await lead.getByTestId('review-comment').getByText('Merci de préciser la source du chiffre 8.').waitFor();
    await lead
      .getByTestId('field-OBS_IND_DONE')
      .getByLabel('Commentaire')
      .fill('Source : tableau de bord du projet, décembre 2025.');
    await lead.getByRole('button', { name: 'Envoyer pour validation' }).click();
    await lead.getByText('Réponse envoyée. Merci !').first().waitFor();
  });

  it('the staff approve the answer; the public dashboard then shows the approved figure', async () => {
    const page = staffPage;
    await page.reload();
    const row = page.getByTestId('obs-responses').locator('tr[data-code="SDS"]');
    await row.getByText('Envoyée, à valider').waitFor();
    await row.getByRole('button', { name: 'Examiner la réponse de Smart Data Services' }).click();
    const review = page.getByTestId('obs-review');
    await review.getByText(/Source : tableau de bord du projet/).waitFor();
    await review.getByRole('button', { name: 'Valider la réponse' }).click();
    await page.getByTestId('staff-notice').getByText('Réponse validée').waitFor();
    await row.getByText('Validée').waitFor();
    await page.getByTestId('obs-approved').getByText('100 %').waitFor();
    assert.match((await page.getByTestId('obs-ind-completeness').textContent()) ?? '', /OBS_IND_DONE1 \/ 1/);
    await page.screenshot({ path: join(SHOTS, 'observatory-staff.png'), fullPage: true });
    await suite.axe(page, 'Observatory staff dashboard');

    const pub = await open('/observatory');
    await pub.getByTestId('ind-OBS_COMPLETION-table').waitFor();
    assert.equal(await cell(pub, 'ind-OBS_COMPLETION-table', '2025'), '80 %');
    assert.match(
      (await pub.getByTestId('ind-OBS_COMPLETION-summary').textContent()) ?? '',
      /Dernière valeur validée : 80 % \(2025\).*cible 80 %/,
    );
    // In English too.
    await pub.getByText('English', { exact: true }).click();
    await pub.getByRole('heading', { level: 1, name: 'Le Havre Smart Port City Observatory' }).waitFor();
    assert.match(
      (await pub.getByTestId('ind-OBS_COMPLETION-summary').textContent()) ?? '',
      /Latest approved value: 80 % \(2025\)/,
    );
  });

  it('no request left the machine and no script error happened', () => {
    assert.deepEqual(suite.offsite, []);
    assert.deepEqual(suite.pageErrors, []);
  });
});
