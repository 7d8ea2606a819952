import crypto from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { testApp } from '../helpers/app';
import { PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { fillPath, listRoutes } from '../security/routes';
import {
  accessibilityViolations,
  describeWithBrowser,
  missingBrowser,
  clearScreenshots,
  launchBrowser,
  rawKeys,
  screenshot,
  startServer,
} from './browser';
import { SKIPPED, visits, type Visit, type Who } from './every-page.pages';
import { seedEveryPage, type EveryPageSeed } from './every-page.seed';

/**
 * Every page a person can open, read from the router (a page added tomorrow fails here until it
 * is visited or skipped with a reason), opened with real ids as a role that may see it, in
 * Italian and in English: zero axe-core WCAG 2.1 AA violations and no untranslated key. Also the
 * error pages and forms shown again with their errors. A page with a problem is screenshotted
 * into artifacts/e2e/every-page.
 */

jest.setTimeout(300_000);

type Lang = 'it' | 'en';

let t: TestDb;
let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;
let s: EveryPageSeed;

beforeAll(async () => {
  if (missingBrowser) return;
  t = await newTestDb();
  s = await seedEveryPage(t.db);
  server = await startServer(t);
  browser = await launchBrowser();
  clearScreenshots('every-page');
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await t?.close();
});

/**
 * Logs in through the login form's own POST, from the context (whose cookies it shares): the form
 * page itself is checked once, as anonymous, rather than drawn again for every profile.
 */
async function logIn(context: BrowserContext, email: string): Promise<void> {
  const form = await (await context.request.get('/login')).text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(form)?.[1] ?? '';
  const res = await context.request.post('/login', {
    form: { email, password: PASSWORD, _csrf: csrf },
    maxRedirects: 0,
  });
  if (res.status() !== 302) throw new Error(`login as ${email} failed with ${res.status()}`);
}

/** One browser profile per person and language, logged in once and reused for all its pages. */
function people(lang: Lang) {
  const pages = new Map<Who, Promise<Page>>();
  const contexts: BrowserContext[] = [];
  const open = async (who: Who) => {
    // bypassCSP lets axe-core be injected; the app itself ships no script at all.
    const context = await browser.newContext({
      baseURL: server.baseUrl,
      bypassCSP: true,
      locale: lang === 'it' ? 'it-IT' : 'en-GB',
    });
    contexts.push(context);
    if (who !== 'anonymous') await logIn(context, s.users[who].email);
    return context.newPage();
  };
  return {
    as(who: Who): Promise<Page> {
      if (!pages.has(who)) pages.set(who, open(who));
      return pages.get(who)!;
    },
    close: () => Promise.all(contexts.map((c) => c.close())),
  };
}

/** Problems of the page as it stands: the wrong language, axe-core violations, untranslated keys. */
async function check(page: Page, lang: Lang, label: string): Promise<string[]> {
  // Without this, an English run drawn in Italian would pass as a second Italian one.
  const drawnIn = await page.getAttribute('html', 'lang');
  const problems = [
    ...(drawnIn === lang ? [] : [`drawn in ${drawnIn}`]),
    ...(await rawKeys(page)),
    ...(await accessibilityViolations(page)),
  ];
  if (problems.length) await screenshot(page, label.replace(/[^a-z0-9]+/gi, '-'));
  return problems.map((p) => `${label} — ${p}`);
}

async function visit(page: Page, v: Visit, lang: Lang): Promise<string[]> {
  const path = fillPath(v.route, v.params);
  const url = v.query ? `${path}?${v.query}` : path;
  const label = `${lang} ${v.as} ${v.route}`;
  const res = await page.goto(url);
  // A page that redirects or fails would be checked in place of the one meant: named, not read.
  if (res?.status() !== 200 || new URL(page.url()).pathname !== path)
    return [`${label}: ${res?.status()} at ${new URL(page.url()).pathname}`];
  return check(page, lang, label);
}

/** Error pages, and forms sent empty so that they come back with their errors. */
async function errorPages(as: (who: Who) => Promise<Page>, lang: Lang): Promise<string[]> {
  const problems: string[] = [];
  for (const [who, url, status] of [
    ['anonymous', '/no-such-page', 404],
    ['firm', '/no-such-page', 404],
    ['firm', '/pacts', 403],
    ['local_authority', `/pacts/${crypto.randomUUID()}`, 404],
  ] as const) {
    const page = await as(who);
    const res = await page.goto(url);
    if (res?.status() !== status) problems.push(`${url} as ${who}: ${res?.status()}`);
    else problems.push(...(await check(page, lang, `${lang} ${who} ${status}`)));
  }
  for (const [who, url, action] of [
    ['anonymous', '/register', '/register'],
    ['region', '/invitations/new', '/invitations'],
    ['region', '/campaigns/new', '/campaigns'],
    ['region', '/calls/new', '/calls'],
    ['firm', '/account/password', '/account/password'],
    [
      'local_authority',
      `/pacts/${s.negotiating.id}/actions/new`,
      `/pacts/${s.negotiating.id}/actions`,
    ],
  ] as const) {
    const page = await as(who);
    await page.goto(url);
    await page.click(`main form[action="${action}"] button[type="submit"]`);
    await page.locator('.error-summary').waitFor();
    problems.push(...(await check(page, lang, `${lang} ${who} ${url} with errors`)));
  }
  return problems;
}

describeWithBrowser('every page', () => {
  it('visits every GET page route of the router, or skips it with a reason', () => {
    const pages = listRoutes(testApp(t))
      .filter((r) => r.method === 'get' && !r.api)
      .map((r) => r.path);
    const visited = new Set(visits(s).map((v) => v.route));
    const problems = [
      ...pages
        .filter((p) => !visited.has(p) && !(p in SKIPPED))
        .map((p) => `GET ${p}: neither visited here nor in SKIPPED (every-page.pages.ts)`),
      // A skip or a visit naming a route that is gone hides nothing, but misleads the reader.
      ...[...Object.keys(SKIPPED), ...visited]
        .filter((p) => !pages.includes(p))
        .map((p) => `GET ${p}: listed in every-page.pages.ts, not a page route of the app`),
    ];
    expect(problems).toEqual([]);
  });

  it.each(['it', 'en'] as const)(
    'has zero WCAG 2.1 AA violations and no missing text, in %s',
    async (lang) => {
      const { as, close } = people(lang);
      const problems: string[] = [];
      for (const v of visits(s)) problems.push(...(await visit(await as(v.as), v, lang)));
      problems.push(...(await errorPages(as, lang)));
      await close();
      if (problems.length) console.error(problems.join('\n\n'));
      expect(problems).toEqual([]);
    },
  );
});
