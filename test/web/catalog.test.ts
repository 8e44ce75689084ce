// The data catalog and the administration pages in a real browser (test/helpers/browser.ts: Chromium, the real
// server on PGlite with the Le Havre organisations and catalog demo; nothing may leave the machine).
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { seedCatalogDemo } from '../../src/catalog/index.js';
import { seedGovernanceDemo } from '../../src/governance/demo.js';
import { SHOTS, startWebSuite, type WebSuite } from '../helpers/browser.js';

const PASSWORD = 'correct horse battery staple';
const ADMIN = 'admin@escale.local';
const STARTUP = 'camille@estuaire-mobilite.test';
const OWNER = 'olivier@soget.test';

describe('catalog and administration in Chromium', { timeout: 600_000 }, () => {
  let suite: WebSuite;
  let base = '';
  const api = async (path: string, init: { method?: string; body?: unknown } = {}) => {
    const res = await fetch(base + path, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Bearer ${suite.adminToken}`,
        ...(init.body ? { 'content-type': 'application/json' } : {}),
      },
      body: init.body ? JSON.stringify(init.body) : undefined,
    });
    assert.ok(res.ok, `${init.method ?? 'GET'} ${path}: ${res.status} ${await res.clone().text()}`);
    const text = await res.text();
    return text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  };

  before(async () => {
    suite = await startWebSuite(async ({ app, db }) => {
      await seedGovernanceDemo(app.governance, {
        dataDir: mkdtempSync(join(tmpdir(), 'escale-catalog-web-')),
        adminPassword: PASSWORD,
      });
      await seedCatalogDemo(db, (slug) => app.governance.repo.getOrgBySlug(slug));
      const startup = await app.governance.repo.getOrgBySlug('demo-estuaire-mobilite');
      const soget = await app.governance.repo.getOrgBySlug('soget');
      const camille = await app.governance.createUser({
        email: STARTUP,
        name: 'Camille Durand',
        password: PASSWORD,
      });
      const olivier = await app.governance.createUser({
        email: OWNER,
        name: 'Olivier Leroy',
        password: PASSWORD,
      });
      assert.ok(
        startup && soget && camille && olivier,
        `seed: ${JSON.stringify({ startup, soget, camille, olivier })}`,
      );
      await app.governance.repo.setMembership(startup.id, camille.id, 'editor');
      await app.governance.repo.setMembership(soget.id, olivier.id, 'editor');
    });
    base = suite.base;
    // A vessel for the open dataset's preview, and terms of use on it for visitors to read.
    await api('/ngsi-ld/v1/entities', {
      method: 'POST',
      body: {
        id: 'urn:ngsi-ld:Vessel:MMSI-228000001',
        type: 'Vessel',
        name: { type: 'Property', value: 'SEINE PREVIEW' },
        mmsi: { type: 'Property', value: '228000001' },
        location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [0.12, 49.47] } },
      },
    });
    // Restricted data (the truck gate dataset), readable only under an agreement.
    await api('/ngsi-ld/v1/entities', {
      method: 'POST',
      body: {
        id: 'urn:ngsi-ld:TruckGateStatistics:TPO-demo',
        type: 'TruckGateStatistics',
        terminal: { type: 'Property', value: 'TPO' },
        averageWaitingTime: { type: 'Property', value: 23, unitCode: 'MIN' },
        location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [0.15, 49.46] } },
      },
    });
    const found = (await api('/api/catalog/datasets?q=AIS')) as { items: { id: string }[] };
    await api(`/api/catalog/datasets/${found.items[0].id}/policy`, {
      method: 'PUT',
      body: {
        '@context': 'http://www.w3.org/ns/odrl.jsonld',
        '@type': 'Set',
        uid: 'urn:escale:policy:ais-open',
        permission: [
          {
            action: 'use',
            constraint: [{ leftOperand: 'dateTime', operator: 'lteq', rightOperand: '2027-12-31T00:00:00Z' }],
            duty: [{ action: 'attribute' }],
          },
        ],
        prohibition: [{ action: 'sell' }],
      },
    });
  });

  after(() => suite?.close());

  const h1 = (page: Page, name: string | RegExp) => page.getByRole('heading', { level: 1, name }).waitFor();
  /** Reflow (WCAG 1.4.10): at 320 CSS pixels, the page does not scroll sideways (tables scroll in their box). */
  const fitsIn320 = async (page: Page, what: string) => {
    await page.setViewportSize({ width: 320, height: 640 });
    await page.waitForTimeout(300);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    const wide = await page.evaluate(() =>
      [...document.querySelectorAll('body *')]
        .filter(
          (e) =>
            e.getBoundingClientRect().right > 320.5 &&
            !e.closest('.mantine-TableScrollContainer-scrollContainer'),
        )
        .slice(0, 6)
        .map((e) => `${e.tagName.toLowerCase()}.${String(e.className).slice(0, 50)}`),
    );
    assert.ok(width <= 320, `${what} is ${width} px wide at 320 px: ${wide.join(', ')}`);
  };

  it('a visitor searches with a facet and reads an open dataset and its terms in plain words', async () => {
    const page = await suite.openPage('/datasets');
    await h1(page, 'Catalogue de données');
    const count = page.getByTestId('results-count');
    await page.getByTestId('dataset-list').waitFor();
    // A visitor sees the open datasets only.
    assert.equal(await count.textContent(), '1 jeu de données');
    await page.getByRole('searchbox', { name: 'Rechercher dans le catalogue' }).fill('navires');
    await page.getByRole('button', { name: 'Rechercher' }).click();
    await page.waitForURL(/q=navires/);
    const transport = page.getByRole('checkbox', { name: 'Transports (1)' });
    // (the box follows the address, which changes just after the click)
    await transport.click();
    await page.waitForURL(/theme=TRAN/);
    await page.getByRole('checkbox', { name: 'Transports (1)', checked: true }).waitFor();
    await page.getByRole('link', { name: 'Navires en approche et à quai (AIS)' }).waitFor();
    assert.equal(await count.textContent(), '1 jeu de données');
    await page.screenshot({ path: join(SHOTS, 'catalog-search.png'), fullPage: true });
    await suite.axe(page, 'Catalog search');

    await page.getByRole('link', { name: 'Navires en approche et à quai (AIS)' }).click();
    await h1(page, 'Navires en approche et à quai (AIS)');
    const meta = (await page.getByTestId('metadata').textContent()) ?? '';
    assert.match(meta, /HAROPA Port/);
    assert.match(meta, /Transports/);
    assert.match(meta, /en continu/);
    const policy = (await page.getByTestId('policy').textContent()) ?? '';
    assert.match(policy, /Permis : utiliser les données/);
    assert.match(policy, /jusqu’au 31 décembre 2027/);
    assert.match(policy, /citer la source \(attribution obligatoire\)/);
    assert.match(policy, /Interdit : vendre les données/);
    // The preview reads the broker as the visitor may.
    const sample = page.getByTestId('sample-Vessel');
    await sample.waitFor();
    assert.match((await sample.textContent()) ?? '', /SEINE PREVIEW/);
    await suite.axe(page, 'Dataset (visitor)');

    // The same terms in English.
    await page.getByText('English', { exact: true }).click();
    await h1(page, 'Vessels approaching and at berth (AIS)');
    const english = (await page.getByTestId('policy').textContent()) ?? '';
    assert.match(english, /Permitted: use the data/);
    assert.match(english, /until December 31, 2027/);
    assert.match(english, /credit the source \(attribution required\)/);
    assert.match(english, /Prohibited: sell the data/);
    await page.getByText('Français', { exact: true }).click();
    await h1(page, 'Navires en approche et à quai (AIS)');

    // At 320 CSS pixels, nothing scrolls sideways (tables scroll inside their own box).
    await page.setViewportSize({ width: 320, height: 640 });
    for (const path of ['/datasets', page.url().slice(base.length)]) {
      await page.goto(base + path);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await page.locator('main section').first().waitFor();
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 320, `${path} is ${width} px wide at 320 px`);
    }
  });

  it('a start-up editor signs in and asks for access to the restricted dataset', async () => {
    const page = await suite.openPage('/datasets');
    await suite.signIn(page, STARTUP, PASSWORD);
    await page.goto(`${base}/datasets`);
    await page.getByRole('checkbox', { name: 'Sous accord (1)' }).click();
    await page.waitForURL(/access=restricted/);
    const link = page.getByRole('link', { name: "Temps d'attente des camions aux portes des terminaux" });
    await link.click();
    await h1(page, "Temps d'attente des camions aux portes des terminaux");
    const policy = (await page.getByTestId('policy').textContent()) ?? '';
    assert.match(policy, /à des fins de recherche ou optimisation logistique/);
    assert.match(policy, /jusqu’au 31 décembre 2027/);
    assert.match(policy, /10\s000 utilisations au plus/);
    assert.match(policy, /attribution obligatoire/);
    assert.match(policy, /Interdit : diffuser les données à des tiers/);

    await page.getByRole('button', { name: 'Demander l’accès' }).click();
    const form = page.getByRole('form', { name: 'Demander l’accès' });
    assert.equal(
      await form.getByLabel('Organisation qui demande').locator('option:checked').textContent(),
      'Estuaire Mobilité (demo start-up)',
    );
    await form.getByLabel('Finalité').selectOption('research');
    await suite.axe(page, 'Dataset with the access request form');
    await form.getByRole('button', { name: 'Envoyer la demande' }).click();
    await page.getByRole('status').filter({ hasText: 'Demande envoyée' }).waitFor();
    await page
      .getByTestId('my-agreements')
      .filter({ hasText: 'demandé, en attente du propriétaire' })
      .waitFor();
    await page.screenshot({ path: join(SHOTS, 'catalog-dataset.png'), fullPage: true });
  });

  it('the owner sees the request in its area and agrees; the start-up then confirms the agreement', async () => {
    const page = await suite.openPage('/');
    await suite.signIn(page, OWNER, PASSWORD);
    await page.goto(`${base}/datasets`);
    await page.getByRole('link', { name: /Espace fournisseur/ }).click();
    await h1(page, 'Espace fournisseur');
    const requests = page.getByTestId('requests');
    await requests.waitFor();
    assert.match((await requests.textContent()) ?? '', /Estuaire Mobilité.*recherche/);
    await page.getByTestId('owner-datasets').waitFor();
    assert.match(
      (await page.getByTestId('owner-datasets').textContent()) ?? '',
      /Temps d'attente des camions/,
    );
    await suite.axe(page, 'Owner area with a request');
    await page
      .getByRole('button', {
        name: "Accepter la demande de Estuaire Mobilité (demo start-up) pour « Temps d'attente des camions aux portes des terminaux »",
      })
      .click();
    await page.getByRole('status').filter({ hasText: 'acceptée' }).waitFor();
    await page.getByText('Aucune demande en attente.').waitFor();
    const row = page.getByTestId('agreements').locator('tbody tr').first();
    assert.match((await row.textContent()) ?? '', /propriétaire.*Estuaire Mobilité.*accepté et signé/);
    await page.screenshot({ path: join(SHOTS, 'catalog-owner.png'), fullPage: true });

    const startup = await suite.openPage('/');
    await suite.signIn(startup, STARTUP, PASSWORD);
    await startup.goto(`${base}/datasets/mine`);
    await h1(startup, 'Espace fournisseur');
    const agreement = startup.getByTestId('agreements').locator('tbody tr').first();
    await agreement.waitFor();
    assert.match((await agreement.textContent()) ?? '', /demandeur.*Soget.*accepté et signé/);
    await agreement.getByRole('button', { name: /Confirmer l’accord/ }).click();
    await startup.getByRole('status').filter({ hasText: 'en vigueur' }).waitFor();
    await agreement.filter({ hasText: 'en vigueur' }).waitFor();
    await suite.axe(startup, 'Start-up area with an agreement');
    await fitsIn320(startup, 'the provider area');
    await startup.screenshot({ path: join(SHOTS, 'catalog-owner-small-screen.png'), fullPage: true });
    await startup.setViewportSize({ width: 1280, height: 900 });

    // Under the agreement in force, the dataset page shows a preview of the restricted data.
    await agreement.getByRole('link').click();
    await h1(startup, "Temps d'attente des camions aux portes des terminaux");
    const sample = startup.getByTestId('sample-TruckGateStatistics');
    await sample.waitFor();
    assert.match((await sample.textContent()) ?? '', /urn:ngsi-ld:TruckGateStatistics:TPO-demo/);
    assert.match((await startup.getByTestId('my-agreements').textContent()) ?? '', /en vigueur/);
    // That read is metered: the start-up's statement of the month shows it.
    await startup.goto(`${base}/datasets/mine`);
    const consumption = startup.getByTestId('statement-consumption');
    await consumption.waitFor();
    assert.match((await consumption.textContent()) ?? '', /Temps d'attente des camions.*Soget/);
  });

  it('a platform administrator creates an API key, sees it listed, revokes it and reads the audit log', async () => {
    const page = await suite.openPage('/');
    await suite.signIn(page, ADMIN, PASSWORD);
    await page.getByTestId('account-menu').click();
    await page.getByRole('menuitem', { name: 'Administration' }).click();
    await h1(page, 'Administration');
    await page.getByTestId('organisations').waitFor();
    assert.match((await page.getByTestId('organisations').textContent()) ?? '', /Soget/);
    await page.getByRole('textbox', { name: /^Nom/ }).fill('Port Lab');
    await page.getByLabel(/^Identifiant/).fill('port-lab');
    await page.getByLabel('Type', { exact: true }).selectOption('research');
    await page.getByRole('button', { name: 'Créer l’organisation' }).click();
    await page.getByRole('status').filter({ hasText: 'Organisation « Port Lab » créée.' }).waitFor();
    await page.getByTestId('organisations').locator('tbody tr', { hasText: 'Port Lab' }).waitFor();
    await suite.axe(page, 'Administration, organisations');

    // Members: add a person by e-mail to an organisation, with a role.
    await page.getByRole('tab', { name: 'Membres' }).click();
    const members = page.getByRole('tabpanel');
    await members
      .getByLabel('Organisation')
      .selectOption({ label: "AURH (Agence d'urbanisme Le Havre – Estuaire de la Seine)" });
    await members.getByLabel('Adresse e-mail').fill(OWNER);
    await members.getByLabel('Rôle', { exact: true }).selectOption('editor');
    await members.getByRole('button', { name: 'Ajouter' }).click();
    await members.getByRole('status').filter({ hasText: 'est maintenant éditeur' }).waitFor();
    await members.getByTestId('members').locator('tbody tr', { hasText: 'Olivier Leroy' }).waitFor();
    await suite.axe(page, 'Administration, members');

    await page.getByRole('tab', { name: 'Clés d’API' }).click();
    const panel = page.getByRole('tabpanel');
    await panel.getByLabel('Organisation').selectOption({ label: 'Soget (port community system)' });
    await panel.getByText('Aucune clé d’API.').waitFor();
    await panel.getByLabel('Nom de la clé').fill('Gate statistics feed');
    await panel.getByRole('checkbox', { name: 'catalog:write' }).check();
    await panel.getByLabel('Date d’expiration (facultative)').fill('2030-06-30');
    await panel.getByRole('button', { name: 'Créer la clé' }).click();
    const secret = panel.getByTestId('api-key-secret');
    await secret.waitFor();
    assert.match(await secret.inputValue(), /^esk_/);
    const row = panel.getByTestId('api-keys').locator('tbody tr', { hasText: 'Gate statistics feed' });
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /catalog:write.*30\/06\/2030.*jamais.*active/);
    await suite.axe(page, 'Administration, API keys');
    await page.screenshot({ path: join(SHOTS, 'admin.png'), fullPage: true });
    await panel.getByRole('button', { name: 'J’ai copié la clé' }).click();
    await row.getByRole('button', { name: 'Révoquer la clé Gate statistics feed' }).click();
    await row.getByRole('button', { name: 'Confirmer la révocation' }).click();
    await page.getByRole('status').filter({ hasText: 'est révoquée' }).waitFor();
    await row.filter({ hasText: 'révoquée le' }).waitFor();
    assert.equal(await row.getByRole('button').count(), 0);

    await page.getByRole('tab', { name: 'Journal d’audit' }).click();
    const audit = page.getByTestId('audit');
    await audit.waitFor();
    assert.match((await audit.locator('tbody tr').first().textContent()) ?? '', /apikey\.revoked/);
    assert.match((await page.getByTestId('audit-chain').textContent()) ?? '', /sont cohérents/);
    await page.getByLabel('Type d’événement').fill('apikey.created');
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await page.getByText(/Événements de sécurité.*\(1\)/).waitFor();
    assert.match((await audit.locator('tbody').textContent()) ?? '', /Gate statistics feed/);
    await suite.axe(page, 'Administration, audit log');
    await fitsIn320(page, 'the audit log');
  });

  it('a person without administration rights is told so on /admin', async () => {
    const page = await suite.openPage('/');
    await suite.signIn(page, STARTUP, PASSWORD);
    await page.goto(`${base}/admin`);
    await h1(page, 'Administration');
    await page.getByText('Votre compte n’a pas accès à cette page.').waitFor();
  });

  it('no request left the machine and no script error happened', () => {
    assert.deepEqual(suite.offsite, [], 'requests to other hosts');
    assert.deepEqual(suite.pageErrors, [], 'uncaught errors in the page');
  });
});
