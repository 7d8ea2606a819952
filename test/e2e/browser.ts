import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { testApp } from '../helpers/app';
import type { TestDb } from '../helpers/test-db';

/** Debian's Chromium, never a downloaded browser build. */
export const CHROMIUM = '/usr/bin/chromium';
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

export function clearScreenshots(): void {
  fs.rmSync(ARTIFACTS, { recursive: true, force: true });
  shots = 0;
}

/** A full-page screenshot into artifacts/e2e/NN-name.png, numbered in the order taken. */
export async function screenshot(page: Page, name: string): Promise<void> {
  const file = `${String(++shots).padStart(2, '0')}-${name}.png`;
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, file), fullPage: true });
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
    return (await axe.run(document, { runOnly: { type: 'tag', values: tags } })).violations;
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
