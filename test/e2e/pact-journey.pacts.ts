import type { Page } from 'playwright-core';
import { quarterFromNow } from '../helpers/dates';
import { OTHER_FIRMS, OTHER_WORKERS, type JourneySeed } from './pact-journey.seed';
import { TEXTS, tick, type Lang, type Seen } from './pact-journey.steps';

/**
 * The pact's pages as the authority, the social partners and the region walk them in the
 * browser (steps 2, 3, 5 and 6 of the journey); the journey checks the database between them.
 */

/** 2. The authority reads the needs, drafts the pact with one action, invites two partners. */
export async function draftPact(page: Page, s: JourneySeed, seen: Seen): Promise<string> {
  const declared = 5 + OTHER_FIRMS * OTHER_WORKERS;
  await seen(page, 'authority-home');
  await page.click('main a[href="/needs"]');
  await page.waitForURL('/needs');
  await page.selectOption('#field-campaign', s.campaignId);
  await page.click('form[action="/needs"] button[type="submit"]');
  await page.waitForURL(/\/needs\?campaign=/);
  await seen(page, 'authority-needs');

  await page.click('header a[href="/"]');
  await page.click('main a[href="/pacts/new"]');
  await page.selectOption('#field-territory', 'ITI14');
  await page.selectOption('#field-campaign', s.campaignId);
  await page.click('form[action="/pacts/new"] button[type="submit"]');
  await page.locator('form[action="/pacts"]').waitFor();
  // Four firms declared F40.a: published to the authority (k = 3), not suppressed; no other
  // pact claims any of it yet, so all of it is still available.
  const need = page.locator('main table tbody tr', { hasText: 'F40.a' });
  expect(await need.innerText()).toMatch(new RegExp(`\\b4\\s+${declared}\\s+${declared}$`));
  await seen(page, 'pact-new');
  await page.click('form[action="/pacts"] button[type="submit"]');
  await page.locator('.error-summary').waitFor();
  await seen(page, 'pact-new-errors');
  await page.fill('#field-title', 'Patto formativo Empolese Valdelsa 4.0');
  await page.fill('#field-summary', 'Robotica collaborativa per le imprese meccaniche.');
  await page.selectOption('#field-callId', s.call.id);
  await page.click('form[action="/pacts"] button[type="submit"]');
  await page.waitForURL(/\/pacts\/[0-9a-f-]{36}$/);
  const pactId = new URL(page.url()).pathname.split('/').pop()!;
  await seen(page, 'pact-draft');

  await page.click(`main a[href="/pacts/${pactId}/actions/new"]`);
  await seen(page, 'action-new');
  await page.fill('#field-title', 'Robotica collaborativa in officina');
  await tick(page, 'input[name="skills"][value="F40.a"]');
  await page.fill('#field-participants', String(declared + 1));
  await page.fill('#field-hours', '40');
  await page.selectOption('#field-modality', 'blended');
  await page.selectOption('#field-eqfLevel', '4');
  // The next quarter: the region's approval refuses one already past.
  await page.fill('#field-period', quarterFromNow(1));
  // More participants than the firms declared: refused, the user's values kept.
  await page.click(`form[action="/pacts/${pactId}/actions"] button[type="submit"]`);
  await page.locator('.error-summary').waitFor();
  expect(await page.inputValue('#field-title')).toBe('Robotica collaborativa in officina');
  await seen(page, 'action-needs-exceeded');
  await page.fill('#field-participants', '12');
  await page.click(`form[action="/pacts/${pactId}/actions"] button[type="submit"]`);
  await page.waitForURL(`/pacts/${pactId}`);
  const backing = page.locator('main section.card table tbody tr', { hasText: 'F40.a' });
  expect(await backing.innerText()).toMatch(new RegExp(`${declared}\\s+12\\s+${declared - 12}$`));
  await seen(page, 'pact-with-action');

  await page.click(`dd a[href="/pacts/${pactId}/signatories"]`);
  for (const partner of [s.employers, s.union]) {
    await page.selectOption('#field-organisationId', partner.organisationId);
    await page.click(`form[action="/pacts/${pactId}/signatories"] button[type="submit"]`);
    await page.locator('main table tbody tr', { hasText: partner.organisationName }).waitFor();
  }
  await seen(page, 'pact-signatories');
  await page.click(`nav a[href="/pacts/${pactId}/negotiation"]`);
  await seen(page, 'pact-negotiation');
  return pactId;
}

/** 3. A social partner finds the pact and signs its current revision. */
export async function sign(page: Page, pactId: string, who: string, seen: Seen) {
  await page.click('header a[href="/pacts"]');
  await page.click(`main a[href="/pacts/${pactId}"]`);
  await seen(page, `${who}-pact`);
  await page.click(`nav a[href="/pacts/${pactId}/negotiation"]`);
  await page.click(`main a[href="/pacts/${pactId}/sign"]`);
  await seen(page, `${who}-sign`);
  await page.click(`form[action="/pacts/${pactId}/sign"] button[type="submit"]`);
  await page.waitForURL(`/pacts/${pactId}/negotiation`);
  await seen(page, `${who}-signed`);
}

/** 5. The region reads the eligibility report and approves the full grant. */
export async function approve(page: Page, pactId: string, seen: Seen, lang: Lang) {
  await page.click('header a[href="/pacts"]');
  await seen(page, 'region-pacts');
  await page.click(`main a[href="/pacts/${pactId}"]`);
  await page.click(`nav a[href="/pacts/${pactId}/review"]`);
  expect(await page.locator('#report-verdict').innerText()).toBe(TEXTS[lang].eligible);
  expect(await page.locator('tr[data-ok="false"]').count()).toBe(0);
  await seen(page, 'region-review');
  await page.click(`form[action="/pacts/${pactId}/approve"] button[type="submit"]`);
  await page.locator('#reduce-title').waitFor();
  await seen(page, 'region-approved');
}

/** 6. The region sees the territory's coverage; the firm sees which action covers its need. */
export async function followUp(region: Page, firm: Page, s: JourneySeed, seen: Seen) {
  await region.click('header a[href="/dashboard"]');
  await region.selectOption('#field-campaign', s.campaignId);
  await region.click('form[action="/dashboard"] button[type="submit"]');
  await region.waitForURL(/\/dashboard\?campaign=/);
  // Columns: firms, need, covered workers, …; Firenze (ITI14) is the pact's territory.
  const firenze = region.locator('table.dashboard-table tbody tr', {
    has: region.locator('a[href*="territory=ITI14"]'),
  });
  expect(await firenze.locator('td').nth(2).innerText()).toBe('12');
  await seen(region, 'region-dashboard');

  await firm.click('header a[href="/"]');
  await firm.click('main a[href="/my-needs"]');
  const line = firm.locator(`section[data-campaign="${s.campaignId}"] tr[data-skill="F40.a"]`);
  expect(await line.locator('[data-covered="true"]').innerText()).toContain(
    'Robotica collaborativa in officina',
  );
  await seen(firm, 'firm-my-needs');
}
