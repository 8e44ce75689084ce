// Runs the web application in a real browser (Debian's Chromium through playwright-core) against the real
// server on PGlite. Nothing may leave the machine: every request to a host other than the test server is
// refused and recorded, and each suite ends by asserting none happened.
//
// Needs: the built web application (npm run build:web, done by npm install; or ESCALE_WEB_DIST=folder of
// another build) and Chromium (apt-get install -y chromium; another binary with CHROMIUM_PATH=...).
// Screenshots go to a temporary folder, or to docs/screenshots with UPDATE_SCREENSHOTS=1.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AxeResults } from 'axe-core';
import type { FastifyInstance } from 'fastify';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { buildApp, contextResolverFor } from '../../src/app.js';
import { type Broker, createBroker } from '../../src/broker/index.js';
import { loadConfig } from '../../src/config.js';
import type { Db } from '../../src/db/db.js';
import { openTestDb, type TestDb } from './db.js';

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
export const SHOTS =
  process.env.UPDATE_SCREENSHOTS === '1'
    ? join(root, 'docs', 'screenshots')
    : join(tmpdir(), 'escale-screenshots');
const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

interface AxeWindow {
  axe: { run(context: Document, options: object): Promise<AxeResults> };
}

export interface WebSuite {
  app: FastifyInstance;
  db: Db;
  broker: Broker;
  /** http://127.0.0.1:PORT */
  base: string;
  /** A platform administrator's bearer token (for API calls the test makes itself). */
  adminToken: string;
  /** A fresh browser context (own storage), French-speaking by default, reaching only the test server. */
  openPage(
    path: string,
    opts?: { viewport?: { width: number; height: number }; locale?: string },
  ): Promise<Page>;
  /** axe-core in the page: no serious or critical WCAG 2.1 A/AA or best-practice violation. */
  axe(page: Page, name: string): Promise<void>;
  /** Signs in through the sign-in page with e-mail and password, and waits until the account menu shows. */
  signIn(page: Page, email: string, password: string): Promise<void>;
  /** Requests that tried to leave the machine, and uncaught errors in pages. */
  offsite: string[];
  pageErrors: string[];
  close(): Promise<void>;
}

/**
 * Starts the server (PGlite, `seed` run before it listens) and Chromium. `seed` receives the built app, so
 * it can load the capabilities' demos and create users.
 */
export async function startWebSuite(
  seed?: (s: { app: FastifyInstance; db: Db; broker: Broker }) => Promise<void>,
): Promise<WebSuite> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: install Debian's package (apt-get install -y chromium) ` +
        'or set CHROMIUM_PATH to a Chromium binary',
    );
  }
  const dist = process.env.ESCALE_WEB_DIST || join(root, 'web', 'dist');
  if (!existsSync(join(dist, 'index.html'))) {
    throw new Error(`${dist}/index.html is missing: build the web application with \`npm run build:web\``);
  }
  delete process.env.ESCALE_MAP_STYLE; // no base map: nothing to fetch from outside
  const testDb: TestDb = await openTestDb('pglite');
  const config = loadConfig({ NODE_ENV: 'test' });
  const broker = createBroker(testDb.db, await contextResolverFor(config));
  const app = await buildApp({ config, db: testDb.db, broker });
  const admin = await app.governance.createUser({
    email: 'platform-admin@escale.test',
    name: 'Test platform admin',
    platformAdmin: true,
  });
  const adminToken = (await app.governance.tokens.sign(admin!.id)).token;
  await seed?.({ app, db: testDb.db, broker });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  mkdirSync(SHOTS, { recursive: true });
  const contexts: BrowserContext[] = [];
  const offsite: string[] = [];
  const pageErrors: string[] = [];

  const openPage: WebSuite['openPage'] = async (path, opts = {}) => {
    const context = await browser.newContext({
      locale: opts.locale ?? 'fr-FR',
      viewport: opts.viewport ?? { width: 1280, height: 900 },
    });
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
  };

  const axe: WebSuite['axe'] = async (page, name) => {
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
  };

  const signIn: WebSuite['signIn'] = async (page, email, password) => {
    await page.goto(`${base}/signin`);
    const form = page.getByRole('form');
    await form.getByLabel(/e-mail/i).fill(email);
    // (the input only: Mantine's show-password toggle is labelled "Toggle password visibility")
    await form.getByRole('textbox', { name: /mot de passe|password/i }).fill(password);
    await form.locator('button[type="submit"]').click();
    await page.getByTestId('account-menu').waitFor();
  };

  return {
    app,
    db: testDb.db,
    broker,
    base,
    adminToken,
    openPage,
    axe,
    signIn,
    offsite,
    pageErrors,
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close();
      await app.close();
      await testDb.dispose();
    },
  };
}
