// The innovation hub's pages in a real browser (test/helpers/browser.ts: Chromium, the real server on PGlite
// with the hub's demo communities and events; nothing may leave the machine): a visitor browses communities and
// an event; a member registers to an event; a start-up applies to an open call; a juror declares a conflict
// and scores in blind review.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { seedInnovationDemo } from '../../src/innovation/index.js';
import { SHOTS, startWebSuite, type WebSuite } from '../helpers/browser.js';

const PASSWORD = 'correct horse battery staple';
const P = '/api/innovation';
const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();

describe('innovation hub in Chromium', { timeout: 600_000 }, () => {
  let suite: WebSuite;
  let base = '';
  let openCallId = '';
  let blindCallId = '';

  /** Calls the API as the given bearer token (the test's own set-up). */
  const api = async (method: string, path: string, token: string | null, body?: unknown) => {
    const res = await fetch(base + path, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  const login = async (email: string): Promise<string> =>
    (await api('POST', '/api/auth/login', null, { email, password: PASSWORD })).token;

  before(async () => {
    const ids: Record<string, string> = {};
    suite = await startWebSuite(async ({ app, db }) => {
      await seedInnovationDemo(db);
      for (const [email, name] of [
        ['marie@escale.test', 'Marie Lefèvre'],
        ['startup@escale.test', 'Sami Benali'],
        ['juror@escale.test', 'Jules Caron'],
        ['manager@haropa.test', 'Manon Roux'],
        ['alpha@apply.test', 'Alice Alpha'],
        ['beta@apply.test', 'Bruno Beta'],
      ]) {
        const u = await app.governance.createUser({ email, name, password: PASSWORD });
        ids[email] = u!.id;
      }
    });
    base = suite.base;
    const admin = suite.adminToken;
    const org = await api('POST', '/api/organisations', admin, {
      slug: 'haropa-test',
      name: 'HAROPA Port',
      kind: 'port-authority',
    });
    await api('POST', `/api/organisations/${org.id}/members`, admin, {
      email: 'manager@haropa.test',
      role: 'editor',
    });
    const manager = await login('manager@haropa.test');

    // An open challenge, for the start-up.
    const open = await api('POST', `${P}/calls`, manager, {
      kind: 'challenge',
      title: 'Défi : fluidifier l’accès des camions aux terminaux',
      description: 'Réduire l’attente des camions aux terminaux à conteneurs de Port 2000.',
      orgId: org.id,
      phases: [
        { phase: 'open', startsAt: inDays(-2), endsAt: inDays(30) },
        { phase: 'review', startsAt: inDays(31), endsAt: inDays(45) },
      ],
      form: [
        { key: 'summary', label: 'Résumé du projet', type: 'textarea', required: true, maxLength: 2000 },
        { key: 'budget', label: 'Budget (euros)', type: 'number', required: true },
        { key: 'theme', label: 'Thème', type: 'choice', options: ['port', 'ville', 'énergie'] },
        { key: 'website', label: 'Site web', type: 'url' },
        { key: 'pilot', label: 'Prêt pour un pilote', type: 'boolean' },
      ],
      criteria: [
        { key: 'impact', label: 'Impact', weight: 2, max: 10 },
        { key: 'feasibility', label: 'Faisabilité', weight: 1, max: 5 },
      ],
    });
    openCallId = open.id;
    await api('POST', `${P}/calls/${openCallId}/phase`, manager, { phase: 'open' });

    // A blind intrapreneurship call in review, with two applications, for the juror.
    const blind = await api('POST', `${P}/calls`, manager, {
      kind: 'intrapreneurship',
      title: 'Programme d’intrapreneuriat 2026',
      orgId: org.id,
      blind: true,
      form: [
        { key: 'summary', label: 'Résumé', type: 'textarea', required: true },
        { key: 'team', label: 'Équipe', type: 'text', required: true, identifying: true },
      ],
      criteria: [
        { key: 'impact', label: 'Impact', weight: 2, max: 10 },
        { key: 'feasibility', label: 'Faisabilité', weight: 1, max: 5 },
      ],
    });
    blindCallId = blind.id;
    await api('PUT', `${P}/calls/${blindCallId}/jurors`, manager, {
      userId: ids['juror@escale.test'],
      name: 'Jules Caron',
    });
    await api('POST', `${P}/calls/${blindCallId}/phase`, manager, { phase: 'open' });
    for (const [email, title, team] of [
      ['alpha@apply.test', 'Projet Alpha : jumeau numérique des quais', 'Alice Alpha et Arnaud'],
      ['beta@apply.test', 'Projet Bêta : capteurs de houle', 'Bruno Beta et Béatrice'],
    ]) {
      const token = await login(email);
      const a = await api('POST', `${P}/calls/${blindCallId}/applications`, token, {
        title,
        answers: { summary: `Résumé de ${title}`, team },
      });
      await api('POST', `${P}/applications/${a.id}/submit`, token);
    }
    await api('POST', `${P}/calls/${blindCallId}/phase`, manager, { phase: 'review' });
  });

  after(() => suite?.close());

  const h1 = (page: Page, name: string | RegExp) => page.getByRole('heading', { level: 1, name }).waitFor();

  it('a visitor browses the hub, a community and an event; axe passes on each', async () => {
    const page = await suite.openPage('/innovation');
    await h1(page, 'Hub d’innovation');
    const cards = page.getByTestId('community-card');
    await cards.first().waitFor();
    assert.equal(await cards.count(), 3);
    await page.getByTestId('event-item').first().waitFor();
    assert.equal(await page.getByTestId('event-item').count(), 5);
    await page.getByTestId('call-card').first().waitFor();
    assert.equal(await page.getByTestId('call-card').count(), 2, 'both published calls are listed');
    assert.match(
      (await page.getByLabel(/Adresse de l’agenda/).inputValue()) ?? '',
      /\/api\/innovation\/calendar\.ics$/,
    );
    assert.equal(await page.getByRole('heading', { level: 1 }).count(), 1);
    await page.screenshot({ path: join(SHOTS, 'innovation-home.png'), fullPage: true });
    await suite.axe(page, 'Innovation hub home');

    await page.getByRole('link', { name: 'Smart Port', exact: true }).click();
    await h1(page, 'Smart Port');
    assert.match((await page.getByTestId('members-count').textContent()) ?? '', /0 membre/);
    assert.match((await page.locator('main').textContent()) ?? '', /Aucun coordinateur/);
    await page.getByRole('link', { name: /Connectez-vous pour rejoindre/ }).waitFor();
    assert.equal(await page.getByTestId('event-item').count(), 2);
    await suite.axe(page, 'Community page');

    await page.getByRole('link', { name: /Smart Port meetup/ }).click();
    await h1(page, /Smart Port meetup/);
    assert.equal(await page.getByTestId('seats-left').textContent(), '60 places restantes');
    await page.getByRole('link', { name: /Connectez-vous pour vous inscrire/ }).waitFor();
    await suite.axe(page, 'Event page (visitor)');
  });

  it('a member asks to join a community, registers to an event, sees the seat count drop; the .ics answers text/calendar', async () => {
    const page = await suite.openPage('/');
    await suite.signIn(page, 'marie@escale.test', PASSWORD);
    await page
      .getByRole('navigation', { name: 'Navigation principale' })
      .getByRole('link', { name: 'Hub d’innovation' })
      .click();
    await h1(page, 'Hub d’innovation');
    await page.getByRole('link', { name: 'Smart Port', exact: true }).click();
    await h1(page, 'Smart Port');
    await page
      .getByLabel('Message aux coordinateurs (facultatif)')
      .fill('Je travaille sur les flux de camions.');
    await page.getByRole('button', { name: 'Demander à rejoindre' }).click();
    await page.getByRole('status').filter({ hasText: 'en attente de la décision' }).waitFor();

    await page.getByRole('link', { name: /Smart Port meetup/ }).click();
    await h1(page, /Smart Port meetup/);
    const seats = page.getByTestId('seats-left');
    assert.equal(await seats.textContent(), '60 places restantes');
    await page.getByTestId('registration-status').filter({ hasText: 'Vous n’êtes pas inscrit' }).waitFor();
    await page.getByRole('button', { name: 'S’inscrire', exact: true }).click();
    await page.getByTestId('registration-status').filter({ hasText: 'Vous êtes inscrit' }).waitFor();
    await page.getByTestId('seats-left').filter({ hasText: '59 places restantes' }).waitFor();
    assert.equal(await page.getByTestId('registered-count').textContent(), '1');
    await page.getByRole('button', { name: 'Annuler mon inscription' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'innovation-event.png'), fullPage: true });
    await suite.axe(page, 'Event page (registered)');

    // The calendar file and the feed.
    const href = await page
      .getByRole('link', { name: 'Ajouter à mon agenda (fichier .ics)' })
      .getAttribute('href');
    assert.ok(href);
    const ics = await fetch(base + href);
    assert.equal(ics.status, 200);
    assert.match(ics.headers.get('content-type') ?? '', /^text\/calendar/);
    assert.match(await ics.text(), /BEGIN:VEVENT[\s\S]*Smart Port meetup/);
    const feed = await page.getByLabel(/Adresse de l’agenda de la communauté/).inputValue();
    const feedRes = await fetch(feed);
    assert.match(feedRes.headers.get('content-type') ?? '', /^text\/calendar/);

    // The registration survives a reload; cancelling gives the seat back.
    await page.reload();
    await page.getByTestId('registration-status').filter({ hasText: 'Vous êtes inscrit' }).waitFor();
    await page.getByRole('button', { name: 'Annuler mon inscription' }).click();
    await page.getByTestId('registration-status').filter({ hasText: 'inscription est annulée' }).waitFor();
    await page.getByTestId('seats-left').filter({ hasText: '60 places restantes' }).waitFor();
    // …and registering again takes it once more.
    await page.getByRole('button', { name: 'S’inscrire', exact: true }).click();
    await page.getByTestId('seats-left').filter({ hasText: '59 places restantes' }).waitFor();
  });

  it('a start-up applies to an open call: draft, missing fields, submission, receipt', async () => {
    const page = await suite.openPage('/');
    await suite.signIn(page, 'startup@escale.test', PASSWORD);
    await page.goto(`${base}/innovation`);
    await page.getByRole('link', { name: /fluidifier l’accès des camions/ }).click();
    await h1(page, /fluidifier l’accès des camions/);
    assert.match((await page.locator('main').textContent()) ?? '', /Étape en cours : Candidatures ouvertes/);
    await page.getByRole('table', { name: /Critères d’évaluation du jury/ }).waitFor();

    await page.getByLabel('Titre du projet').fill('Créneaux dynamiques pour les camions');
    await page.getByLabel('Résumé du projet').fill('Une réservation de créneaux reliée aux escales.');
    await page.getByLabel('Thème').selectOption('port');
    await page.getByRole('button', { name: 'Enregistrer le brouillon' }).click();
    await page.getByRole('status').filter({ hasText: 'Brouillon enregistré' }).waitFor();

    // Submitting without the budget: the missing field is named in plain words.
    await page.getByRole('button', { name: 'Déposer ma candidature' }).click();
    await page.getByRole('alert').filter({ hasText: 'Pour déposer, complétez : Budget (euros)' }).waitFor();
    await suite.axe(page, 'Application form with an error');

    // The draft is kept across a reload.
    await page.reload();
    assert.equal(
      await page.getByLabel('Titre du projet').inputValue(),
      'Créneaux dynamiques pour les camions',
    );
    await page.getByLabel('Budget (euros)').fill('120000');
    await page.getByLabel('Prêt pour un pilote').check();
    await page.getByRole('button', { name: 'Déposer ma candidature' }).click();
    const receipt = page.getByTestId('receipt');
    await receipt.waitFor();
    assert.match(
      (await page.getByTestId('receipt-reference').textContent()) ?? '',
      /^CHA-\d{4}-[0-9A-F]{8}$/,
    );
    assert.match((await receipt.textContent()) ?? '', /[0-9a-f]{64}/);
    await page.getByTestId('my-application').filter({ hasText: 'Déposée' }).waitFor();
    assert.equal(await page.getByLabel('Titre du projet').count(), 0, 'the form is gone once submitted');
    await page.screenshot({ path: join(SHOTS, 'innovation-application.png'), fullPage: true });
    await suite.axe(page, 'Application receipt');
  });

  it('a juror declares a conflict on one application and scores another, in blind review', async () => {
    const page = await suite.openPage('/');
    await suite.signIn(page, 'juror@escale.test', PASSWORD);
    await page.goto(`${base}/innovation/calls/${blindCallId}`);
    await h1(page, 'Programme d’intrapreneuriat 2026');
    await page.getByRole('link', { name: 'Ouvrir l’espace jury' }).click();
    await h1(page, /Espace jury/);
    await page.getByTestId('blind-notice').waitFor();
    const items = page.getByTestId('review-item');
    await items.first().waitFor();
    assert.equal(await items.count(), 2);
    const main = (await page.locator('main').textContent()) ?? '';
    for (const hidden of ['Alice Alpha', 'Bruno Beta', 'Équipe', 'Candidat :']) {
      assert.ok(!main.includes(hidden), `blind review shows "${hidden}"`);
    }
    await suite.axe(page, 'Jury screen');

    // A conflict of interest on Alpha: it leaves the queue.
    const alpha = items.filter({ hasText: 'Projet Alpha' });
    await alpha.getByRole('button', { name: 'Déclarer un conflit d’intérêts' }).click();
    await alpha.getByRole('button', { name: 'Confirmer la déclaration' }).click();
    await alpha.getByText('Indiquez le motif.').first().waitFor();
    await alpha.getByLabel('Motif du conflit d’intérêts').fill('J’ai conseillé cette équipe l’an dernier.');
    await alpha.getByRole('button', { name: 'Confirmer la déclaration' }).click();
    await page.getByRole('status').filter({ hasText: 'Conflit d’intérêts déclaré' }).waitFor();
    await page
      .getByTestId('queue-count')
      .filter({ hasText: '1 candidature à évaluer · 1 conflit' })
      .waitFor();
    assert.equal(await items.count(), 1);

    // Beta: a score out of range is refused in the page, then a valid review is saved.
    const beta = items.filter({ hasText: 'Projet Bêta' });
    await beta.getByLabel(/Impact — note de 0 à 10/).fill('8');
    await beta.getByRole('button', { name: 'Enregistrer l’évaluation' }).click();
    await beta.getByText('Notez chaque critère de 0 à 5.').waitFor();
    await beta.getByLabel(/Faisabilité — note de 0 à 5/).fill('4');
    await beta.getByLabel('Commentaire').fill('Projet solide, à confronter au terrain.');
    await beta.getByRole('button', { name: 'Enregistrer l’évaluation' }).click();
    await beta
      .getByRole('status')
      .filter({ hasText: /Évaluation enregistrée : total pondéré 80\s?%/ })
      .waitFor();
    await page.screenshot({ path: join(SHOTS, 'innovation-jury.png'), fullPage: true });
    await suite.axe(page, 'Jury screen after review');

    // The server has the review and the conflict; the review is shown again after a reload.
    await page.reload();
    await page
      .getByTestId('review-state')
      .filter({ hasText: /total pondéré 80\s?%/ })
      .waitFor();
    assert.equal(await beta.getByLabel(/Impact — note de 0 à 10/).inputValue(), '8');
  });

  it('someone who is not a juror is told so on the jury screen; a visitor is asked to sign in', async () => {
    const visitor = await suite.openPage(`/innovation/calls/${blindCallId}/review`);
    await h1(visitor, 'Espace jury');
    await visitor.getByRole('link', { name: 'Se connecter' }).first().waitFor();
    const page = await suite.openPage('/');
    await suite.signIn(page, 'marie@escale.test', PASSWORD);
    await page.goto(`${base}/innovation/calls/${blindCallId}/review`);
    await page.getByRole('alert').filter({ hasText: 'pas membre du jury' }).waitFor();
  });

  it('works in English and at 320 px wide', async () => {
    const page = await suite.openPage('/innovation', { viewport: { width: 320, height: 640 } });
    await h1(page, 'Hub d’innovation');
    await page.getByTestId('event-item').first().waitFor();
    for (const path of [
      '/innovation',
      '/innovation/partners',
      '/innovation/practices',
      `/innovation/calls/${openCallId}`,
    ]) {
      await page.goto(base + path);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await page.locator('main li').first().waitFor();
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 320, `${path} is ${width} px wide at 320 px`);
    }
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByText('English', { exact: true }).click();
    await page.getByRole('heading', { level: 2, name: 'Review criteria' }).waitFor();
    await page.goto(`${base}/innovation`);
    await h1(page, 'Innovation hub');
    await page.getByRole('heading', { level: 2, name: 'Communities of practice' }).waitFor();
    await suite.axe(page, 'Innovation hub home, English, 320 px');
  });

  it('a visitor searches the partners directory and the knowledge base; axe passes', async () => {
    const page = await suite.openPage('/innovation');
    await h1(page, 'Hub d’innovation');
    await page.getByRole('link', { name: 'Annuaire des partenaires' }).click();
    await h1(page, 'Annuaire des partenaires');
    await page.getByTestId('partner-item').first().waitFor();
    await suite.axe(page, 'Partners directory');
    await page.getByRole('searchbox', { name: 'Rechercher un partenaire' }).fill('HAROPA');
    await page.getByRole('button', { name: 'Rechercher' }).click();
    await page
      .getByTestId('partners-count')
      .filter({ hasText: /^1 partenaire$/ })
      .waitFor();
    await page.getByRole('link', { name: 'HAROPA Port' }).click();
    await h1(page, 'HAROPA Port');
    assert.match((await page.locator('main').textContent()) ?? '', /Port et logistique/);
    await suite.axe(page, 'Partner page');

    await page.goto(`${base}/innovation`);
    await page.getByRole('link', { name: 'Base de connaissances' }).click();
    await h1(page, 'Base de connaissances');
    await page.getByTestId('practice-item').first().waitFor();
    await page.getByLabel('Type', { exact: true }).selectOption('benchmark');
    await page.getByRole('button', { name: 'Rechercher' }).click();
    await page.getByTestId('practices-count').filter({ hasText: /fiche/ }).waitFor();
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid="practice-item"]')].every((e) =>
        e.textContent?.includes('Benchmark'),
      ),
    );
    await suite.axe(page, 'Knowledge base');
    await page.getByTestId('practice-item').first().getByRole('link').click();
    await page.getByRole('heading', { level: 1 }).waitFor();
    await page.getByRole('heading', { level: 2, name: 'Mots-clés' }).waitFor();
    await suite.axe(page, 'Knowledge base entry');
  });

  it('no request left the machine and no script error happened', () => {
    assert.deepEqual(suite.offsite, [], 'requests to other hosts');
    assert.deepEqual(suite.pageErrors, [], 'uncaught errors in the page');
  });
});
