import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ledgerSum } from '../funding/helpers';
import { newTestDb, type TestDb } from '../helpers/test-db';
import {
  accessibilityViolations,
  describeWithBrowser,
  missingBrowser,
  clearScreenshots,
  focusedField,
  launchBrowser,
  logIn,
  rawKeys,
  screenshot,
  startServer,
} from './browser';
import { seedPactJourney, type JourneySeed } from './pact-journey.seed';
import { approve, draftPact, followUp, sign } from './pact-journey.pacts';
import {
  firstQuarter,
  heading,
  lineField,
  next,
  reachNeedLines,
  TEXTS,
  type Lang,
  type Seen,
} from './pact-journey.steps';

/**
 * The whole journey of a Local Training Pact in a real browser: a firm answers the survey, the
 * local authority reads the needs and drafts a pact backed by them, the social partners sign it,
 * the authority submits it, the region approves it and then sees the territory's coverage on the
 * dashboard, and the firm sees which action covers its need. Every page is screenshotted
 * (artifacts/e2e/pact-journey), checked with axe-core (WCAG 2.1 AA) and for untranslated keys;
 * the journey also runs with JavaScript off (in English, so both locales are walked), and the
 * need lines can be filled in from the keyboard.
 */

jest.setTimeout(240_000);

let t: TestDb;
let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;
let n = 0;

beforeAll(async () => {
  if (missingBrowser) return;
  t = await newTestDb();
  server = await startServer(t);
  browser = await launchBrowser();
  clearScreenshots('pact-journey');
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await t?.close();
});

/** A browser profile of its own (own cookies) in `lang`, with or without JavaScript. */
function newContext(javaScriptEnabled: boolean, lang: Lang = 'it'): Promise<BrowserContext> {
  // bypassCSP lets axe-core be injected; the app itself ships no script at all.
  return browser.newContext({
    baseURL: server.baseUrl,
    javaScriptEnabled,
    bypassCSP: true,
    locale: lang === 'it' ? 'it-IT' : 'en-GB',
  });
}

const pactRow = (id: string) =>
  t.db.selectFrom('pacts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

/** 1. The firm answers the campaign step by step and gets its receipt. */
async function answerSurvey(page: Page, s: JourneySeed, seen: Seen, lang: Lang) {
  await seen(page, 'firm-home');
  await reachNeedLines(page, s.campaignId, seen);
  await page.selectOption(lineField(0, 'skill'), 'F40.a');
  await page.selectOption(lineField(0, 'occupation'), '31');
  await page.selectOption(lineField(0, 'eqf'), '4');
  await page.selectOption(lineField(0, 'priority'), 'high');
  await page.selectOption(lineField(0, 'modality'), 'blended');
  await page.selectOption(lineField(0, 'period'), await firstQuarter(page));
  await page.fill(lineField(0, 'workers'), '5');
  await page.fill(lineField(0, 'note'), 'Robot collaborativi nel reparto torneria');
  // Adding and removing a line is a round trip to the server: it works without JavaScript.
  await page.click('button[name="action"][value="add"]');
  await page.locator('#line-1').waitFor();
  await seen(page, 'survey-needs-two-lines');
  await page.click('button[name="action"][value="remove:1"]');
  await page.locator('#line-1').waitFor({ state: 'detached' });
  expect(await page.inputValue(lineField(0, 'workers'))).toBe('5');
  await seen(page, 'survey-needs');
  await next(page);
  await page.waitForURL(`/survey/${s.campaignId}/step/4`);
  await seen(page, 'survey-review');
  await page.click(`form[action="/survey/${s.campaignId}/submit"] button[type="submit"]`);
  await page.waitForURL(`/survey/${s.campaignId}/receipt`);
  expect(await heading(page)).toBe(TEXTS[lang].receipt);
  await seen(page, 'survey-receipt');

  const lines = await t.db
    .selectFrom('responses as r')
    .innerJoin('response_needs as n', 'n.response_id', 'r.id')
    .select(['r.status', 'n.skill_code', 'n.workers', 'n.modality'])
    .where('r.campaign_id', '=', s.campaignId)
    .where('r.firm_id', '=', s.firm.organisationId)
    .execute();
  expect(lines).toEqual([
    { status: 'current', skill_code: 'F40.a', workers: 5, modality: 'blended' },
  ]);
}

async function journey(javaScript: boolean, lang: Lang = 'it'): Promise<string[]> {
  const s = await seedPactJourney(t.db, ++n);
  const label = `${javaScript ? '' : 'nojs-'}${lang === 'it' ? '' : `${lang}-`}`;
  const problems: string[] = [];
  const seen: Seen = async (page, name) => {
    await screenshot(page, label + name);
    problems.push(...(await rawKeys(page)));
    if (javaScript) problems.push(...(await accessibilityViolations(page)));
  };
  const contexts: BrowserContext[] = [];
  const as = async (user: { email: string }) => {
    const context = await newContext(javaScript, lang);
    contexts.push(context);
    // A page the user reaches is never an error, but a form refused and shown again (422, 409).
    context.on('response', (r) => {
      const method = r.request().method();
      const refused = method === 'POST' && [409, 422].includes(r.status());
      if (r.request().isNavigationRequest() && r.status() >= 400 && !refused)
        problems.push(`${method} ${new URL(r.url()).pathname}: ${r.status()}`);
    });
    return logIn(context, user.email, s.PASSWORD);
  };

  const firm = await as(s.firm);
  await answerSurvey(firm, s, seen, lang);
  const authority = await as(s.authority);
  const pactId = await draftPact(authority, s, seen);
  // Inviting the first signatory opened the negotiation.
  expect((await pactRow(pactId)).status).toBe('negotiation');
  await sign(await as(s.employers), pactId, 'employers', seen);
  expect((await pactRow(pactId)).status).toBe('negotiation');
  await sign(await as(s.union), pactId, 'union', seen);
  expect((await pactRow(pactId)).status).toBe('agreed');

  // 4. The authority submits the agreed pact to the region.
  await authority.click(`nav a[href="/pacts/${pactId}"]`);
  await authority.click(`form[action="/pacts/${pactId}/submit"] button[type="submit"]`);
  await authority.waitForURL(`/pacts/${pactId}`);
  expect((await pactRow(pactId)).status).toBe('submitted');
  await seen(authority, 'pact-submitted');

  const region = await as(s.region);
  await approve(region, pactId, seen, lang);
  const pact = await pactRow(pactId);
  expect(pact.status).toBe('approved');
  // 40 hours × €100 + 12 participants × 40 hours × €5, no co-financing: all of it committed.
  expect(await ledgerSum(t.db, s.call.id)).toBe(640_000);
  await followUp(region, firm, s, seen);

  for (const context of contexts) await context.close();
  return problems;
}

describeWithBrowser('the pact journey, from the survey to the approved pact', () => {
  it('runs end to end with zero WCAG 2.1 AA violations and no missing text', async () => {
    const problems = await journey(true);
    if (problems.length) console.error(problems.join('\n\n'));
    expect(problems).toEqual([]);
  });

  it('runs end to end with JavaScript disabled, in English', async () => {
    expect(await journey(false, 'en')).toEqual([]);
  });

  it('lets a firm fill in its need lines with the keyboard alone', async () => {
    const s = await seedPactJourney(t.db, ++n);
    const context = await newContext(true);
    const page = await logIn(context, s.firm.email, s.PASSWORD);
    await reachNeedLines(page, s.campaignId, () => Promise.resolve());
    const quarter = await firstQuarter(page);
    const field = (name: string) => lineField(0, name);
    const expectFocus = async (name: string) =>
      expect((await focusedField(page)).name).toBe(`needs[0][${name}]`);
    for (let i = 0; i < 40 && (await focusedField(page)).name !== 'needs[0][skill]'; i++)
      await page.keyboard.press('Tab');
    await expectFocus('skill');
    await page.keyboard.type('F40.a');
    expect(await page.inputValue(field('skill'))).toBe('F40.a');
    await page.keyboard.press('Tab');
    await expectFocus('occupation');
    await page.keyboard.type('31');
    expect(await page.inputValue(field('occupation'))).toBe('31');
    // EQF, priority, modality, period: the arrow keys walk a closed list.
    for (const [name, steps] of [
      ['eqf', 4],
      ['priority', 1],
      ['modality', 1],
      ['period', 1],
    ] as const) {
      await page.keyboard.press('Tab');
      await expectFocus(name);
      for (let i = 0; i < steps; i++) await page.keyboard.press('ArrowDown');
    }
    expect(await page.inputValue(field('eqf'))).toBe('4');
    expect(await page.inputValue(field('priority'))).toBe('high');
    expect(await page.inputValue(field('period'))).toBe(quarter);
    await page.keyboard.press('Tab');
    await expectFocus('workers');
    await page.keyboard.type('3');
    await page.keyboard.press('Tab');
    await expectFocus('note');
    await page.keyboard.type('Scritto da tastiera');
    // Back to the number and Enter: the form's first button, "continue", is pressed.
    await page.keyboard.press('Shift+Tab');
    await expectFocus('workers');
    await page.keyboard.press('Enter');
    await page.waitForURL(`/survey/${s.campaignId}/step/4`);
    const row = await page.locator('main table tbody tr').first().innerText();
    expect(row).toContain('F40.a');
    expect(row).toContain('Scritto da tastiera');
    await screenshot(page, 'keyboard-need-lines');
    const draft = await t.db
      .selectFrom('response_drafts')
      .select(['payload', 'step'])
      .where('campaign_id', '=', s.campaignId)
      .where('firm_id', '=', s.firm.organisationId)
      .executeTakeFirstOrThrow();
    expect(draft.step).toBe(4);
    expect((draft.payload as { needs: unknown[] }).needs).toEqual([
      expect.objectContaining({ skill: 'F40.a', occupation: '31', workers: '3', eqf: '4' }),
    ]);
    await context.close();
  });
});
