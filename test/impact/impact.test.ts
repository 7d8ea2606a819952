import type { Express } from 'express';
import { loginAs, testApp } from '../helpers/app';
import { newUser, PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { newPact } from '../pacts/factories';
import { median, group } from '../../src/modules/impact/impact.stats';
import { answer, need, newFirm, twoCampaigns } from './scenario';

let t: TestDb;
let app: Express;
let s: Awaited<ReturnType<typeof twoCampaigns>>;

/**
 * Readiness before → after. Empoli (ITI14): four firms whose F40.a need a funded pact of the
 * province covered (+10, +20, +30, +40: median 25) and three whose DC1.1 need none did (−5, 0,
 * +5: median 0). Prato (ITI15): one uncovered firm (+50). Also firms that must not count: one
 * answered only the earlier campaign, one declared no need, one skipped the assessment later.
 */
beforeAll(async () => {
  t = await newTestDb();
  app = testApp(t);
  s = await twoCampaigns(t.db);
  const by = s.region.id;
  const pair = async (territory: string, skill: number, before: number, after: number | null) => {
    const firm = await newFirm(t.db, territory);
    await answer(t.db, s.earlier.id, firm, by, territory, skill < 0 ? [] : [need(skill)], before);
    if (after !== null)
      await answer(
        t.db,
        s.later.id,
        firm,
        by,
        territory,
        [need(1)],
        after >= 0 ? after : undefined,
      );
  };
  for (const [before, after] of [
    [40, 50],
    [30, 50],
    [20, 50],
    [10, 50],
  ] as const)
    await pair('048014', 0, before, after);
  for (const [before, after] of [
    [55, 50],
    [50, 50],
    [45, 50],
  ] as const)
    await pair('048014', 2, before, after);
  await pair('100005', 2, 20, 70);
  await pair('048014', 0, 10, null); // no later answer
  await pair('048014', -1, 10, 90); // no need declared
  await pair('048014', 0, 10, -1); // no later score
  const florence = await newUser(t.db, { role: 'local_authority', territory: 'ITI14' });
  await newPact(t.db, {
    promoter: florence,
    status: 'approved',
    campaign: s.earlier.id,
    actions: [{ skills: ['F40.a'] }],
  });
  // A rejected pact covering DC1.1 funds nothing.
  await newPact(t.db, {
    promoter: florence,
    status: 'rejected',
    campaign: s.earlier.id,
    actions: [{ skills: ['DC1.1'] }],
  });
});
afterAll(() => t.close());

const row = (html: string, group: string) =>
  new RegExp(`<tr data-group="${group}">(.*?)</tr>`, 's').exec(html)?.[1] ?? '';
const cells = (html: string) =>
  [...html.matchAll(/<td[^>]*>(.*?)<\/td>/gs)].map((m) => m[1]!.trim());

describe('median and groups', () => {
  it('takes the middle value, or the mean of the middle two', () => {
    expect(median([])).toBeNull();
    expect(median([7])).toBe(7);
    expect(median([40, 10, 30, 20])).toBe(25);
    expect(median([5, -5, 0, 50])).toBe(2.5);
  });

  it('hides a group of 1 to k-1 firms from a protected reader only', () => {
    expect(group([3, 4], 3, true)).toEqual({ firms: 0, median: null, suppressed: true });
    expect(group([3, 4], 3, false)).toEqual({ firms: 2, median: 3.5, suppressed: false });
    expect(group([], 3, true)).toEqual({ firms: 0, median: null, suppressed: false });
    expect(group([1, 2, 9], 3, true)).toEqual({ firms: 3, median: 2, suppressed: false });
  });
});

describe('GET /dashboard/impact', () => {
  it('gives the region every firm of its territory, unprotected: medians and difference', async () => {
    const agent = await loginAs(app, s.region.email, PASSWORD);
    const res = await agent.get('/dashboard/impact?lang=en');
    expect(res.status).toBe(200);
    expect(res.text).toContain('from “Rilevazione 2025” to “Rilevazione 2026”');
    expect(cells(row(res.text, 'covered'))).toEqual(['4', '25']);
    // Empoli's −5, 0, +5 and Prato's +50.
    expect(cells(row(res.text, 'not-covered'))).toEqual(['4', '2.5']);
    expect(cells(row(res.text, 'difference'))).toEqual(['22.5']);
    expect(res.text).not.toContain('data-protection');
    expect(res.text).not.toMatch(/impact\.|openData\./);
  });

  it('reads as Italian: no "imprese di Toscana", Italian quotation marks', async () => {
    const agent = await loginAs(app, s.region.email, PASSWORD);
    const res = await agent.get('/dashboard/impact?lang=it');
    const text = res.text.replace(/&#x27;/g, "'");
    expect(text).toContain('in due indagini; territorio: Toscana.');
    expect(text).not.toContain('imprese di Toscana');
    expect(text).toContain('da «Rilevazione 2025» a «Rilevazione 2026»');
    expect(text).not.toContain('“');
  });

  it('computes later minus earlier whichever order the campaigns are picked in', async () => {
    const agent = await loginAs(app, s.region.email, PASSWORD);
    const res = await agent.get(
      `/dashboard/impact?lang=it&before=${s.later.id}&after=${s.earlier.id}`,
    );
    expect(res.status).toBe(200);
    expect(cells(row(res.text, 'covered'))).toEqual(['4', '25']);
    expect(cells(row(res.text, 'difference'))).toEqual(['22,5']);
    expect(res.text).not.toMatch(/impact\.|openData\./);
  });

  it('shows a local authority its own territory only, protected', async () => {
    const florence = await newUser(t.db, { role: 'local_authority', territory: 'ITI14' });
    const agent = await loginAs(app, florence.email, PASSWORD);
    const res = await agent.get('/dashboard/impact?lang=en');
    expect(res.status).toBe(200);
    expect(cells(row(res.text, 'covered'))).toEqual(['4', '25']);
    expect(cells(row(res.text, 'not-covered'))).toEqual(['3', '0']);
    expect(cells(row(res.text, 'difference'))).toEqual(['25']);
    expect(res.text).toContain('data-protection');
  });

  it('suppresses a group of fewer than k firms for a local authority, and says why', async () => {
    const prato = await newUser(t.db, { role: 'local_authority', territory: 'ITI15' });
    const agent = await loginAs(app, prato.email, PASSWORD);
    const res = await agent.get('/dashboard/impact?lang=en');
    expect(res.status).toBe(200);
    const lone = row(res.text, 'not-covered');
    expect(lone).toContain('data-suppressed');
    expect(lone).toContain('Not shown: fewer than 3 firms');
    expect(lone).not.toMatch(/>\s*(1|50)\s*</);
    expect(cells(row(res.text, 'covered'))).toEqual(['0', '–']);
    expect(cells(row(res.text, 'difference'))).toEqual(['–']);
    expect(res.text).toContain('A group of fewer than 3 firms is not shown');
  });

  it('re-renders with 422 and an error summary when both campaigns are the same', async () => {
    const agent = await loginAs(app, s.region.email, PASSWORD);
    const res = await agent.get(
      `/dashboard/impact?lang=en&before=${s.later.id}&after=${s.later.id}`,
    );
    expect(res.status).toBe(422);
    expect(res.text).toContain('error-summary');
    expect(res.text).toContain('Choose two different surveys.');
    expect(res.text).toMatch(new RegExp(`<option value="${s.later.id}" selected>`));
  });

  it('compares one picked survey with the newest other one, in either list', async () => {
    const agent = await loginAs(app, s.region.email, PASSWORD);
    for (const q of [`before=${s.later.id}`, `after=${s.earlier.id}`, `before=${s.earlier.id}`]) {
      const res = await agent.get(`/dashboard/impact?lang=en&${q}`);
      expect(res.status).toBe(200);
      expect(res.text).toContain('data-impact');
    }
  });

  it('names the field of a survey id that is not one of the list (an old link), not a 404', async () => {
    const agent = await loginAs(app, s.region.email, PASSWORD);
    const before = await agent.get(`/dashboard/impact?lang=en&before=${crypto.randomUUID()}`);
    expect(before.status).toBe(422);
    expect(before.text).toContain('href="#field-before"');
    expect(before.text).toContain(
      'Earlier survey: This survey is not one of your territory&#x27;s surveys',
    );
    const after = await agent.get(`/dashboard/impact?lang=it&after=${crypto.randomUUID()}`);
    expect(after.status).toBe(422);
    expect(after.text).toContain('href="#field-after"');
    expect(after.text).toContain('Indagine successiva: Questa indagine non è tra quelle');
  });

  it('names the field and asks to choose from the list when a campaign is not one', async () => {
    const agent = await loginAs(app, s.region.email, PASSWORD);
    const res = await agent.get('/dashboard/impact?before=x');
    expect(res.status).toBe(422);
    expect(res.text).toContain('Indagine precedente: Scegli uno dei valori proposti');
  });

  it('is not for firms, and is linked from the region’s home', async () => {
    const region = await loginAs(app, s.region.email, PASSWORD);
    expect((await region.get('/')).text).toContain('href="/dashboard/impact"');
    const firm = await newUser(t.db, { role: 'firm' });
    const agent = await loginAs(app, firm.email, PASSWORD);
    expect((await agent.get('/dashboard/impact')).status).toBe(403);
  });
});
