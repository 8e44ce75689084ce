// The web application in a real browser (test/helpers/browser.ts: Debian's Chromium, the real server on
// PGlite with the Le Havre hub demo loaded; nothing may leave the machine).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { leHavreEntities, seedDemo } from '../../src/demo/le-havre.js';
import { planDemoRounds, seedWasteDemo } from '../../src/waste/index.js';
import { SHOTS, startWebSuite, type WebSuite } from '../helpers/browser.js';

const PASSWORD = 'correct horse battery staple';
const WASTE_CONTAINERS = 40;
const demoCount = (type: string) => leHavreEntities().filter((e) => e.type === type).length;

describe('web application in Chromium', { timeout: 600_000 }, () => {
  let suite: WebSuite;
  let base = '';
  let adminToken = '';
  const openPage = (path: string, viewport?: { width: number; height: number }) =>
    suite.openPage(path, { viewport });
  const axe = (...a: Parameters<WebSuite['axe']>) => suite.axe(...a);

  before(async () => {
    suite = await startWebSuite(async ({ app, db, broker }) => {
      await seedDemo(broker);
      // Waste containers with a week of readings, and tomorrow's rounds planned on them (src/waste).
      await seedWasteDemo(db, broker, { containers: WASTE_CONTAINERS, days: 7 });
      await planDemoRounds(db, broker);
      // Truck gates: two hours of statistics for Terminal Porte Océane; the map shows the latest.
      for (const [hour, wait] of [
        ['2026-11-23T08:00:00Z', 17],
        ['2026-11-23T09:00:00Z', 42],
      ] as const) {
        await broker.upsert([
          {
            id: `urn:ngsi-ld:TruckGateStatistics:FRLEH-TPO-${hour.slice(11, 13)}`,
            type: 'TruckGateStatistics',
            refTerminal: { type: 'Relationship', object: 'urn:ngsi-ld:Terminal:FRLEH-TPO' },
            dateObserved: { type: 'Property', value: hour },
            averageWaitingTime: { type: 'Property', value: wait, unitCode: 'MIN' },
          },
        ]);
      }
      await app.governance.createUser({ email: 'lea@escale.test', name: 'Léa Martin', password: PASSWORD });
    });
    base = suite.base;
    adminToken = suite.adminToken;
  });

  after(() => suite?.close());

  it('home shows the live figures read from the API; axe finds no serious violation', async () => {
    const page = await openPage('/');
    const terminals = page.getByTestId('stat-terminals').locator('.figure__value');
    await terminals.waitFor();
    assert.equal(await terminals.textContent(), '8');
    assert.equal(
      await page.getByTestId('stat-berths').locator('.figure__value').textContent(),
      String(demoCount('Berth')),
    );
    assert.equal(await page.getByTestId('stat-vessels').locator('.figure__value').textContent(), '0');
    // Berth, Terminal, TruckGateStatistics, WasteContainer, and the two types of the demo's other entities.
    const types = (await suite.app.inject({ url: '/ngsi-ld/v1/types' })).json().typeList as string[];
    assert.equal(
      await page.getByTestId('stat-types').locator('.figure__value').textContent(),
      String(types.length),
    );
    assert.match(
      (await page.getByTestId('types-list').textContent()) ?? '',
      /Berth.*Terminal.*TruckGateStatistics.*WasteContainer/,
    );
    assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
    assert.match(await page.title(), /Escale/);
    assert.equal(await page.getByRole('heading', { level: 1 }).count(), 1);
    await page.screenshot({ path: join(SHOTS, 'home.png'), fullPage: true });
    await axe(page, 'Home');
  });

  it('switches the language to English and back, and remembers the choice', async () => {
    const page = await openPage('/');
    const nav = page.getByRole('navigation', { name: 'Navigation principale' });
    await nav.getByRole('link', { name: 'Carte du port' }).waitFor();
    await page.getByText('English', { exact: true }).click();
    await page
      .getByRole('navigation', { name: 'Main navigation' })
      .getByRole('link', { name: 'Port map' })
      .waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    assert.match((await page.getByRole('heading', { level: 1 }).textContent()) ?? '', /open platform/);
    assert.ok(await page.getByRole('radio', { name: 'English' }).isChecked());

    await page.reload();
    await page.getByRole('link', { name: 'Port map' }).first().waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');

    await page.getByText('Français', { exact: true }).click();
    await page
      .getByRole('navigation', { name: 'Navigation principale' })
      .getByRole('link', { name: 'Carte du port' })
      .waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
  });

  it('has a skip link to the main content, and landmarks', async () => {
    const page = await openPage('/');
    const skip = page.getByRole('link', { name: 'Aller au contenu' });
    await page.getByRole('heading', { level: 1 }).waitFor();
    await page.keyboard.press('Tab');
    assert.ok(await skip.evaluate((el) => el === document.activeElement));
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');
    for (const role of ['banner', 'main', 'contentinfo'] as const) {
      assert.equal(await page.getByRole(role).count(), 1, role);
    }
  });

  it('the port map lists the terminals and berths and draws them on a map canvas; axe passes', async () => {
    const page = await openPage('/map');
    const table = page.getByTestId('features-table');
    await table.locator('tbody tr[data-type="Terminal"]').first().waitFor();
    assert.equal(await table.locator('tbody tr[data-type="Terminal"]').count(), 8);
    assert.equal(await table.locator('tbody tr[data-type="Berth"]').count(), demoCount('Berth'));
    await page.locator('[data-testid="port-map"] canvas.maplibregl-canvas').waitFor();
    assert.equal(await page.getByTestId('map-unsupported').count(), 0);
    assert.match((await page.getByTestId('vessel-status').textContent()) ?? '', /Aucun navire/);
    await page.waitForTimeout(1500); // let the map draw before the screenshot
    await page.screenshot({ path: join(SHOTS, 'port-map.png') });
    await axe(page, 'Port map');
  });

  it('shows the waste containers by filling level, the planned rounds and the trucks’ waiting time', async () => {
    const page = await openPage('/map');
    const table = page.getByTestId('features-table');
    await table.locator('tbody tr[data-type="WasteContainer"]').first().waitFor();
    assert.equal(await table.locator('tbody tr[data-type="WasteContainer"]').count(), WASTE_CONTAINERS);
    const rounds = table.locator('tbody tr[data-type="Round"]');
    await rounds.first().waitFor();
    assert.ok((await rounds.count()) >= 1);
    assert.match((await rounds.first().textContent()) ?? '', /Tournée de collecte.*\d+ conteneurs?.*km/);
    assert.match(
      (await page.getByTestId('waste-status').textContent()) ?? '',
      /Tournées? de collecte prévues? le \d{4}-\d{2}-\d{2}/,
    );
    // Every container row says its level in words, not only by colour.
    const first = (await table.locator('tbody tr[data-type="WasteContainer"]').first().textContent()) ?? '';
    assert.match(first, /rempli à \d+ %.*(moins de 50 %|50 à 80 %|80 % et plus)/);
    const tpo = table.locator('tbody tr[data-id="urn:ngsi-ld:Terminal:FRLEH-TPO"]');
    assert.match((await tpo.textContent()) ?? '', /attente des camions 42 min/);
    await page.waitForTimeout(1000);
    await page.screenshot({ path: join(SHOTS, 'port-map-waste.png') });
    await axe(page, 'Port map with waste');
  });

  it('a click on a table row opens the details panel, which takes the focus', async () => {
    const page = await openPage('/map');
    const row = page.locator('tbody tr[data-id="urn:ngsi-ld:Terminal:FRLEH-TPO"]');
    await row.waitFor();
    await row.locator('td').first().click();
    const details = page.getByTestId('details');
    await details.waitFor();
    const heading = details.getByRole('heading', { name: 'Terminal Porte Océane' });
    await heading.waitFor();
    assert.ok(await heading.evaluate((el) => el === document.activeElement), 'the heading has the focus');
    const text = (await details.textContent()) ?? '';
    assert.match(text, /TPO \(GMP \/ DP World\)/);
    assert.match(text, /urn:ngsi-ld:Terminal:FRLEH-TPO/);
    await page.screenshot({ path: join(SHOTS, 'port-map-details.png') });
    await axe(page, 'Port map with details');
    await details.getByRole('button', { name: 'Fermer les détails' }).click();
    await details.waitFor({ state: 'detached' });
  });

  it('shows a vessel as soon as it reaches the hub: pushed over Server-Sent Events, not polled', {
    timeout: 60_000,
  }, async () => {
    const page = await openPage('/map');
    await page.locator('tbody tr[data-type="Terminal"]').first().waitFor();
    assert.equal(await page.locator('tbody tr[data-type="Vessel"]').count(), 0);
    // The stream is open (the full reload comes only every minute: a row within 25 s was pushed).
    await page.locator('[data-testid="vessel-status"][data-live="on"]').waitFor();
    const created = await fetch(`${base}/ngsi-ld/v1/entities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
      body: JSON.stringify({
        id: 'urn:ngsi-ld:Vessel:MMSI-228000000',
        type: 'Vessel',
        name: { type: 'Property', value: 'SEINE TEST' },
        mmsi: { type: 'Property', value: '228000000' },
        location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [0.125, 49.466] } },
      }),
    });
    assert.equal(created.status, 201);
    const row = page.locator('tbody tr[data-type="Vessel"]');
    await row.waitFor({ timeout: 25_000 });
    assert.match((await row.textContent()) ?? '', /SEINE TEST.*Navire.*MMSI 228000000/);
    assert.match(
      (await page.getByTestId('vessel-status').textContent()) ?? '',
      /1 navire dans la zone du port/,
    );
    await row.getByRole('button').click();
    await page.getByTestId('details').getByRole('heading', { name: 'SEINE TEST' }).waitFor();
    // It gets under way: the pushed update is merged with what the map knew (its name stays).
    const moved = await fetch(`${base}/ngsi-ld/v1/entities/urn:ngsi-ld:Vessel:MMSI-228000000/attrs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
      body: JSON.stringify({ speedOverGround: { type: 'Property', value: 7.5 } }),
    });
    assert.equal(moved.status, 204);
    await page.getByTestId('details').getByText('7.5').waitFor({ timeout: 25_000 });
    assert.match((await row.textContent()) ?? '', /SEINE TEST/);
  });

  it('answers client routes on reload (SPA fallback), and an unknown path with a page that says so', async () => {
    const page = await openPage('/observatory');
    await page.getByRole('heading', { level: 1, name: 'Observatoire' }).waitFor();
    await page.goto(`${base}/no/such/page`);
    await page.getByRole('heading', { level: 1, name: 'Page introuvable' }).waitFor();
  });

  it('works on a small screen: the menu opens and navigates', async () => {
    const page = await openPage('/', { width: 390, height: 844 });
    await page.getByRole('button', { name: 'Ouvrir le menu' }).click();
    await page.getByRole('dialog').getByRole('link', { name: 'Carte du port' }).click();
    await page.getByRole('heading', { level: 1, name: 'Carte du port en direct' }).waitFor();
    await page.locator('tbody tr[data-type="Terminal"]').first().waitFor();
    await page.screenshot({ path: join(SHOTS, 'port-map-small-screen.png') });
    await axe(page, 'Port map, small screen');
    // Reflow (WCAG 1.4.10): at 320 CSS pixels wide, nothing scrolls sideways.
    await page.setViewportSize({ width: 320, height: 640 });
    for (const path of ['/map', '/']) {
      await page.goto(base + path);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await page.locator('main table, [data-testid="stat-terminals"] .figure__value').first().waitFor();
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      const wide = await page.evaluate(() =>
        [...document.querySelectorAll('body *')]
          .filter((e) => e.getBoundingClientRect().right > 320.5)
          .slice(0, 5)
          .map((e) => `${e.tagName.toLowerCase()}.${String(e.className).slice(0, 40)}`),
      );
      assert.ok(width <= 320, `${path} is ${width} px wide at 320 px: ${wide.join(', ')}`);
    }
  });

  it('signs in with a local account, refuses a wrong password, and signs out', async () => {
    const page = await openPage('/map');
    await page.getByRole('link', { name: 'Se connecter' }).click();
    await page.getByRole('heading', { level: 1, name: 'Connexion' }).waitFor();
    const form = page.getByRole('form', { name: 'Connexion' });
    await form.getByLabel('Adresse e-mail').fill('lea@escale.test');
    await form.getByLabel(/^Mot de passe/).fill('not the password');
    await form.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('alert').filter({ hasText: 'incorrect' }).waitFor();
    await axe(page, 'Sign-in with an error');
    await page.screenshot({ path: join(SHOTS, 'sign-in.png') });

    await form.getByLabel(/^Mot de passe/).fill(PASSWORD);
    await form.getByRole('button', { name: 'Se connecter' }).click();
    // Back where the person was, signed in.
    await page.getByRole('heading', { level: 1, name: 'Carte du port en direct' }).waitFor();
    const menu = page.getByTestId('account-menu');
    assert.equal(await menu.textContent(), 'Léa Martin');
    // The session survives a reload (sessionStorage), and the token is what the API receives.
    await page.reload();
    await menu.waitFor();
    const me = await page.evaluate(async () => {
      const raw = sessionStorage.getItem('escale.session');
      const token = raw ? (JSON.parse(raw) as { token: string }).token : '';
      const res = await fetch('/api/me', { headers: { Authorization: `Bearer ${token}` } });
      return (await res.json()) as { user: { email: string } };
    });
    assert.equal(me.user.email, 'lea@escale.test');
    await menu.click();
    await page.getByRole('menuitem', { name: 'Se déconnecter' }).click();
    await page.getByRole('link', { name: 'Se connecter' }).waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('escale.session')), null);
  });

  it('no request left the machine and no script error happened', () => {
    assert.deepEqual(suite.offsite, [], 'requests to other hosts');
    assert.deepEqual(suite.pageErrors, [], 'uncaught errors in the page');
  });
});
