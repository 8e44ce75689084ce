// The web application in a real browser (Debian's Chromium through playwright-core), against the real server
// on PGlite with the Le Havre demo loaded. Nothing may leave the machine: every request to a host other than
// the test server is refused and fails the suite.
//
// Needs: the built web application (npm run build:web, done by npm install) and Chromium
// (apt-get install -y chromium; another binary with CHROMIUM_PATH=...).
// Screenshots go to a temporary folder, or to docs/screenshots with UPDATE_SCREENSHOTS=1.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AxeResults } from 'axe-core';
import type { FastifyInstance } from 'fastify';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { buildApp, contextResolverFor } from '../../src/app.js';
import { createBroker } from '../../src/broker/index.js';
import { loadConfig } from '../../src/config.js';
import { leHavreEntities, seedDemo } from '../../src/demo/le-havre.js';
import { openTestDb, type TestDb } from '../helpers/db.js';

const root = join(import.meta.dirname, '..', '..');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SHOTS =
  process.env.UPDATE_SCREENSHOTS === '1'
    ? join(root, 'docs', 'screenshots')
    : join(tmpdir(), 'escale-screenshots');
const demoCount = (type: string) => leHavreEntities().filter((e) => e.type === type).length;
const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

interface AxeWindow {
  axe: { run(context: Document, options: object): Promise<AxeResults> };
}

describe('web application in Chromium', { timeout: 600_000 }, () => {
  let db: TestDb;
  let app: FastifyInstance;
  let browser: Browser;
  let base = '';
  let adminToken = '';
  const offsite: string[] = [];
  const pageErrors: string[] = [];
  const contexts: BrowserContext[] = [];

  before(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium not found at ${CHROMIUM}: install Debian's package (apt-get install -y chromium) ` +
          'or set CHROMIUM_PATH to a Chromium binary',
      );
    }
    if (!existsSync(join(root, 'web', 'dist', 'index.html'))) {
      throw new Error('web/dist/index.html is missing: build the web application with `npm run build:web`');
    }
    delete process.env.ESCALE_MAP_STYLE; // no base map: nothing to fetch from outside
    db = await openTestDb('pglite');
    const config = loadConfig({ NODE_ENV: 'test' });
    const broker = createBroker(db.db, await contextResolverFor(config));
    await seedDemo(broker);
    app = await buildApp({ config, db: db.db, broker });
    // Writes need a credential: the test feeds the hub as a platform administrator would.
    const admin = await app.governance.createUser({
      email: 'platform-admin@escale.test',
      name: 'Test platform admin',
      platformAdmin: true,
    });
    adminToken = (await app.governance.tokens.sign(admin!.id)).token;
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    mkdirSync(SHOTS, { recursive: true });
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await app?.close();
    await db?.dispose();
  });

  /** A fresh browser context (own storage), French-speaking, that lets only the test server be reached. */
  async function openPage(path: string, viewport = { width: 1280, height: 900 }): Promise<Page> {
    const context = await browser.newContext({ locale: 'fr-FR', viewport });
    contexts.push(context);
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      const local = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
      if (local || url.protocol === 'data:' || url.protocol === 'blob:') return route.continue();
      offsite.push(route.request().url());
      return route.abort('blockedbyclient');
    });
    const page = await context.newPage();
    page.on('request', (req) => {
      const url = new URL(req.url());
      if (/^(https?|wss?):$/.test(url.protocol) && !['127.0.0.1', 'localhost'].includes(url.hostname)) {
        offsite.push(req.url());
      }
    });
    page.on('pageerror', (err) => pageErrors.push(`${path}: ${err.message}`));
    await page.goto(base + path);
    return page;
  }

  async function axe(page: Page, name: string): Promise<void> {
    await page.addScriptTag({ path: axePath });
    const results = await page.evaluate(() =>
      (window as unknown as AxeWindow).axe.run(document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
        resultTypes: ['violations'],
      }),
    );
    const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(
      bad.map(
        (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
      ),
      [],
      `axe on ${name}`,
    );
  }

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
    assert.equal(await page.getByTestId('stat-types').locator('.figure__value').textContent(), '4');
    assert.match((await page.getByTestId('types-list').textContent()) ?? '', /Berth.*Terminal/);
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

  it('shows a vessel that reaches the hub at the next refresh (every 10 s)', {
    timeout: 60_000,
  }, async () => {
    const page = await openPage('/map');
    await page.locator('tbody tr[data-type="Terminal"]').first().waitFor();
    assert.equal(await page.locator('tbody tr[data-type="Vessel"]').count(), 0);
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
  });

  it('answers client routes on reload (SPA fallback) with a placeholder for pages to come', async () => {
    const page = await openPage('/observatory');
    await page.getByRole('heading', { level: 1, name: 'Observatoire' }).waitFor();
    assert.match((await page.locator('main').textContent()) ?? '', /indicateurs du programme/);
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

  it('no request left the machine and no script error happened', () => {
    assert.deepEqual(offsite, [], 'requests to other hosts');
    assert.deepEqual(pageErrors, [], 'uncaught errors in the page');
  });
});
