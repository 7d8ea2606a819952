import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { testApp } from '../helpers/app';
import type { TestDb } from '../helpers/test-db';

/** Debian's Chromium, never a downloaded browser build. */
export const CHROMIUM = '/usr/bin/chromium';

/** Why the browser tests cannot run here, said once per test file; undefined when they can. */
export const missingBrowser = fs.existsSync(CHROMIUM)
  ? undefined
  : `${CHROMIUM} is missing (apt-get install -y chromium): browser tests skipped`;
if (missingBrowser) console.warn(missingBrowser);

/** describe, or describe.skip when Chromium is missing (having said so). */
export const describeWithBrowser = missingBrowser ? describe.skip : describe;
const ARTIFACTS = path.resolve(__dirname, '../../artifacts/e2e');
const AXE = require.resolve('axe-core/axe.min.js');
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** The app on a random local port, as a browser reaches it. */
export async function startServer(t: TestDb): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const server = testApp(t).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let shots = 0;
let folder = ARTIFACTS;

/**
 * Empties this test file's screenshot folder: artifacts/e2e, or artifacts/e2e/<sub> so that
 * files run one after the other do not wipe each other's screenshots.
 */
export function clearScreenshots(sub = ''): void {
  folder = path.join(ARTIFACTS, sub);
  fs.mkdirSync(folder, { recursive: true });
  for (const f of fs.readdirSync(folder))
    if (f.endsWith('.png')) fs.rmSync(path.join(folder, f), { force: true });
  shots = 0;
}

/** A full-page screenshot into the folder as NN-name.png, numbered in the order taken. */
export async function screenshot(page: Page, name: string): Promise<void> {
  const file = `${String(++shots).padStart(2, '0')}-${name}.png`;
  fs.mkdirSync(folder, { recursive: true });
  await page.screenshot({ path: path.join(folder, file), fullPage: true });
}

/** The first-level names of every locale namespace (`pacts`, `survey`, `layout`, …). */
const KEY_ROOTS = [
  ...new Set(
    fs
      .readdirSync(path.resolve(__dirname, '../../locales/it'))
      .flatMap((f) =>
        Object.keys(
          JSON.parse(
            fs.readFileSync(path.resolve(__dirname, '../../locales/it', f), 'utf8'),
          ) as object,
        ),
      ),
  ),
];
const RAW_KEY = new RegExp(`\\b(?:${KEY_ROOTS.join('|')})(?:\\.[A-Za-z0-9_]+)+\\b`, 'g');

/** Texts on the page that look like an untranslated key (`pacts.show.title`): a missing text. */
export async function rawKeys(page: Page): Promise<string[]> {
  const text = `${await page.title()}\n${await page.locator('body').innerText()}`;
  return [...text.matchAll(RAW_KEY)].map((m) => `${new URL(page.url()).pathname}: ${m[0]}`);
}

/** Logs a user in through the login form, in a page of its own. */
export async function logIn(context: BrowserContext, email: string, password: string) {
  const page = await context.newPage();
  await page.goto('/login');
  await page.fill('#field-email', email);
  await page.fill('#field-password', password);
  await page.click('main form[action="/login"] button[type="submit"]');
  await page.waitForURL('/');
  return page;
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/**
 * axe-core's WCAG 2.1 A/AA rules on the page as it stands, as readable lines (empty when clean).
 * The page's CSP allows no inline script, so the context running this sets bypassCSP.
 */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  // Runs in the page; typed by hand, as this project compiles without the DOM library.
  const violations = await page.evaluate(async (tags) => {
    const { axe, document } = globalThis as unknown as {
      axe: { run: (context: unknown, options: unknown) => Promise<{ violations: AxeViolation[] }> };
      document: unknown;
    };
    return (
      await axe.run(document, {
        runOnly: { type: 'tag', values: tags },
        resultTypes: ['violations'],
      })
    ).violations;
  }, WCAG_TAGS);
  const where = new URL(page.url()).pathname;
  return violations.flatMap((v) =>
    v.nodes.map(
      (n) =>
        `${where}: [${v.impact}] ${v.id} — ${v.help} at ${n.target.join(' ')}` +
        `\n    ${(n.failureSummary ?? '').replace(/\n/g, '\n    ')}\n    ${v.helpUrl}`,
    ),
  );
}

/** The name and value attribute of the element that has the keyboard focus ('' when none). */
export function focusedField(page: Page): Promise<{ name: string; value: string }> {
  return page.evaluate(() => {
    // Runs in the page; typed by hand, as this project compiles without the DOM library.
    const { document } = globalThis as unknown as {
      document: { activeElement: { getAttribute(name: string): string | null } | null };
    };
    const el = document.activeElement;
    return { name: el?.getAttribute('name') ?? '', value: el?.getAttribute('value') ?? '' };
  });
}
