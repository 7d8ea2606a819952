import type { Page } from 'playwright-core';
import { readinessForm } from '../survey/helpers';

/**
 * The questionnaire's pages as a firm walks them in the browser, shared by the journey and the
 * keyboard test. `seen` screenshots and checks each page.
 */
export type Seen = (page: Page, name: string) => Promise<void>;

export type Lang = 'it' | 'en';
/** The texts the journey reads on the page, in the browser's language. */
export const TEXTS = {
  it: { receipt: 'Ricevuta di invio', eligible: "Il patto rispetta tutte le regole dell'avviso." },
  en: { receipt: 'Submission receipt', eligible: 'The pact meets every rule of the call.' },
} as const;

export const heading = (page: Page) => page.locator('h1').first().innerText();

/** The visible "continue" button (the first, hidden one is what Enter presses). */
export const next = (page: Page) =>
  page.click('form button.btn-primary[name="action"][value="next"]');

/** A field of need line `i` by its name in the form, needs[i][field]. */
export const lineField = (i: number, field: string) => `[name="needs[${i}][${field}]"]`;

/** Ticks a checkbox as a user does, by its label (its id may hold dots: looked up, not typed). */
export async function tick(page: Page, input: string) {
  const id = await page.locator(input).getAttribute('id');
  await page.click(`label[for="${id}"]`);
  expect(await page.locator(input).isChecked()).toBe(true);
}

/** From the firm's home to the need lines: profile checked as it is, readiness answered. */
export async function reachNeedLines(page: Page, campaignId: string, seen: Seen) {
  await page.click(`main a[href="/survey/${campaignId}"]`);
  await page.waitForURL(`/survey/${campaignId}/step/1`);
  await seen(page, 'survey-profile');
  await next(page);
  await page.waitForURL(`/survey/${campaignId}/step/2`);
  await seen(page, 'survey-readiness');
  // Nothing chosen: the same step again, with the error summary.
  await next(page);
  await page.locator('.error-summary').waitFor();
  await seen(page, 'survey-readiness-errors');
  // Bootstrap Italia draws radios and checkboxes on their labels: the user clicks the label.
  for (const d of ['strategy', 'readiness', 'human', 'data', 'automation', 'green'] as const)
    await page.click(`label[for="field-${d}-${readinessForm[d]}"]`);
  for (const tech of readinessForm.technologies)
    await tick(page, `input[name="technologies"][value="${tech}"]`);
  await next(page);
  await page.waitForURL(`/survey/${campaignId}/step/3`);
}

/** The first plannable quarter the need-line form offers. */
export async function firstQuarter(page: Page): Promise<string> {
  return (await page
    .locator(`${lineField(0, 'period')} option`)
    .nth(1)
    .getAttribute('value'))!;
}
