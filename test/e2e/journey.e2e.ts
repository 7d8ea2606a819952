import type { Browser, BrowserContext, Page } from 'playwright-core';
import { newUser, PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import {
  accessibilityViolations,
  describeWithBrowser,
  missingBrowser,
  clearScreenshots,
  focusedField,
  launchBrowser,
  screenshot,
  startServer,
} from './browser';

/**
 * The journey that can be walked today, in a real browser: a firm registers, a region invites a
 * social partner, the partner accepts, switches to English and creates an API token. Every page
 * is screenshotted and checked with axe-core (WCAG 2.1 AA); the journey also works with
 * JavaScript off, and registration works from the keyboard alone.
 */

jest.setTimeout(120_000);

let t: TestDb;
let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;
let regionEmail: string;
let n = 0;

beforeAll(async () => {
  if (missingBrowser) return;
  t = await newTestDb();
  server = await startServer(t);
  browser = await launchBrowser();
  clearScreenshots();
  regionEmail = (await newUser(t.db, { role: 'region' })).email;
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await t?.close();
});

/** A browser profile of its own (own cookies), with or without JavaScript. */
function newContext(javaScriptEnabled: boolean): Promise<BrowserContext> {
  // bypassCSP lets axe-core be injected; the app itself ships no script at all. An Italian
  // browser, so the switch to English is the user's own choice.
  return browser.newContext({
    baseURL: server.baseUrl,
    javaScriptEnabled,
    bypassCSP: true,
    locale: 'it-IT',
  });
}

async function journey(javaScript: boolean): Promise<string[]> {
  const label = javaScript ? '' : 'nojs-';
  const violations: string[] = [];
  const seen = async (page: Page, name: string) => {
    await screenshot(page, label + name);
    if (javaScript) violations.push(...(await accessibilityViolations(page)));
  };
  const heading = (page: Page) => page.locator('h1').first().innerText();
  const id = ++n;

  const firm = await newContext(javaScript);
  const page = await firm.newPage();
  await page.goto('/');
  await seen(page, 'landing');

  await page.click('main a[href="/register"]');
  await seen(page, 'register');
  await page.click('form[action="/register"] button[type="submit"]');
  expect(await page.locator('.error-summary').count()).toBe(1);
  await seen(page, 'register-errors');
  await page.fill('#field-organisationName', `Tornerie Empolesi ${id}`);
  await page.selectOption('#field-territoryCode', '048014');
  await page.fill('#field-fullName', 'Giulia Bianchi');
  await page.fill('#field-email', `giulia${id}@tornerie.test`);
  await page.fill('#field-password', 'a long enough password');
  await page.fill('#field-passwordConfirm', 'a long enough password');
  await page.click('form[action="/register"] button[type="submit"]');
  await page.waitForURL('/');
  expect(await heading(page)).toBe('Area impresa');
  await seen(page, 'firm-home');

  await page.click('header form[action="/logout"] button');
  await page.waitForURL('/');
  await page.click('header a[href="/login"]');
  await seen(page, 'login');
  await page.fill('#field-email', regionEmail);
  await page.fill('#field-password', PASSWORD);
  await page.click('main form button[type="submit"]');
  await page.waitForURL('/');
  expect(await heading(page)).toBe('Area Regione');
  await seen(page, 'region-home');

  await page.click('main a[href="/invitations"]');
  await seen(page, 'invitations');
  await page.click('main a[href="/invitations/new"]');
  await seen(page, 'invitation-new');
  await page.click('form[action="/invitations"] button[type="submit"]');
  expect(await page.locator('.error-summary').count()).toBe(1);
  await seen(page, 'invitation-errors');
  const invitee = `cisl${id}@test.patto`;
  await page.fill('#field-email', invitee);
  await page.selectOption('#field-role', 'social_partner');
  await page.selectOption('#field-partnerType', 'trade_union');
  await page.fill('#field-organisationName', `CISL Firenze ${id}`);
  await page.selectOption('#field-territoryCode', 'ITI14');
  await page.click('form[action="/invitations"] button[type="submit"]');
  const link = (await page.locator('#invitation-link').innerText()).trim();
  await seen(page, 'invitation-created');

  const partner = await newContext(javaScript);
  const partnerPage = await partner.newPage();
  await partnerPage.goto(link);
  await seen(partnerPage, 'invitation-accept');
  await partnerPage.fill('#field-fullName', 'Marco Rossi');
  await partnerPage.fill('#field-password', 'union strong password');
  await partnerPage.fill('#field-passwordConfirm', 'union strong password');
  await partnerPage.click('main form button[type="submit"]');
  await partnerPage.waitForURL('/');
  expect(await heading(partnerPage)).toBe('Area parte sociale');
  await seen(partnerPage, 'partner-home');

  await partnerPage.click('header a[hreflang="en"]');
  await partnerPage.waitForURL('/?lang=en');
  expect(await partnerPage.getAttribute('html', 'lang')).toBe('en');
  expect(await heading(partnerPage)).toBe('Social partner area');
  await seen(partnerPage, 'partner-home-en');

  await partnerPage.click('main a[href="/account/tokens"]');
  expect(await heading(partnerPage)).toBe('API access tokens');
  await seen(partnerPage, 'tokens');
  await partnerPage.fill('#field-name', 'Spreadsheet');
  await partnerPage.click('form[action="/account/tokens"] button[type="submit"]');
  expect(await partnerPage.locator('#new-token').innerText()).toMatch(/^patto_/);
  await seen(partnerPage, 'token-created');

  await partnerPage.click('header form[action="/logout"] button');
  await partnerPage.waitForURL('/');
  expect(await partnerPage.locator('header a[href="/login"]').count()).toBe(1);
  await seen(partnerPage, 'logged-out');

  await firm.close();
  await partner.close();
  return violations;
}

describeWithBrowser('the journey available today', () => {
  it('runs end to end with zero WCAG 2.1 AA violations on every page', async () => {
    const violations = await journey(true);
    if (violations.length) console.error(violations.join('\n\n'));
    expect(violations).toEqual([]);
  });

  it('runs end to end with JavaScript disabled', async () => {
    await journey(false);
  });

  it('lets a firm register with the keyboard alone', async () => {
    const context = await newContext(true);
    const page = await context.newPage();
    await page.goto('/register');
    const focused = async () => (await focusedField(page)).name;
    const tabTo = async (name: string) => {
      for (let i = 0; i < 30 && (await focused()) !== name; i++) await page.keyboard.press('Tab');
      expect(await focused()).toBe(name);
    };
    await tabTo('organisationName');
    await page.keyboard.type('Officine da tastiera');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('territoryCode');
    await page.keyboard.type('Empoli');
    expect(await page.inputValue('#field-territoryCode')).toBe('048014');
    for (const [name, value] of [
      ['fullName', 'Anna Tasti'],
      ['email', 'anna@tastiera.test'],
      ['password', 'keyboard only password'],
      ['passwordConfirm', 'keyboard only password'],
    ]) {
      await page.keyboard.press('Tab');
      expect(await focused()).toBe(name);
      await page.keyboard.type(value!);
    }
    await page.keyboard.press('Enter');
    await page.waitForURL('/');
    expect(await page.locator('h1').first().innerText()).toBe('Area impresa');
    await screenshot(page, 'keyboard-registered');
    await context.close();
  });
});
