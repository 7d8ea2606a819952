import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import type { Express } from 'express';
import request from 'supertest';
import { createApiToken } from '../../src/modules/accounts/tokens.service';
import { outcomeFromForm, outcomeFormSchema } from '../../src/modules/pacts/execution.schemas';
import { reportOutcome } from '../../src/modules/pacts/execution.service';
import { loginAs, testApp, type Agent } from '../helpers/app';
import { newUser, PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { quarterFromNow } from '../helpers/dates';
import { approvedPact, reportForm } from './helpers';

let t: TestDb;
let app: Express;
let s: Awaited<ReturnType<typeof approvedPact>>;
let region: Agent;

/** Reports through the service (the form is tested in report.test.ts). */
async function report(
  pact: Awaited<ReturnType<typeof approvedPact>>['pact'],
  over: Record<string, string>,
) {
  const form = outcomeFormSchema.parse(reportForm(pact.actions[0]!.id, over));
  await reportOutcome(t.db, s.authority, pact.id, outcomeFromForm(form));
}

// Two pacts of one call: one on the province (ITI14), one on Empoli (048014), reported over two
// quarters of one year, both begun: this one and the last, or in a first quarter the two before.
const [EARLY, LATE] = quarterFromNow(0).endsWith('Q1')
  ? [quarterFromNow(-2), quarterFromNow(-1)]
  : [quarterFromNow(-1), quarterFromNow(0)];
const YEAR = LATE.slice(0, 4);
beforeAll(async () => {
  t = await newTestDb();
  app = testApp(t);
  s = await approvedPact(t.db);
  const second = await approvedPact(t.db, [{ participants: 10, hours: 40 }], {
    s,
    territory: '048014',
  });
  await report(s.pact, { period: EARLY }); // 6 participants, 1500,50 €
  await report(s.pact, {
    period: LATE,
    enrolled: '2',
    completed: '4',
    hoursDelivered: '10',
    spent: '500',
    cofinanced: '0',
    women: '0',
    men: '1',
    nonBinary: '1',
    ageUnder30: '2',
    age30to54: '0',
    age55plus: '0',
    employed: '0',
    unemployed: '2',
    longTermUnemployed: '2',
    isced02: '2',
    isced34: '0',
    isced58: '0',
  });
  await report(second.pact, { period: LATE }); // 6 participants, 1500,50 €
  region = await loginAs(app, s.region.email, PASSWORD);
});
afterAll(() => t.close());

const url = (q: string) => `/calls/${s.call.id}/esf-indicators?${q}`;

const parseCsv = (text: string): string[][] =>
  parse(text.replace(/^\uFEFF/, ''), { relax_column_count: true });

describe('GET /calls/:id/esf-indicators', () => {
  it('is linked from the call page and shows the table by territory with a total', async () => {
    const call = await region.get(`/calls/${s.call.id}`);
    expect(call.text).toContain(`href="/calls/${s.call.id}/esf-indicators"`);
    const res = await region.get(url(`period=${LATE}`));
    expect(res.status).toBe(200);
    expect(res.text).toContain('EECO01 Partecipanti (totale)');
    expect(res.text).toContain('data-territory="ITI14"');
    expect(res.text).toContain('data-territory="048014"');
    expect(res.text).toContain(
      `href="/calls/${s.call.id}/esf-indicators?format=csv&amp;period=${LATE}"`,
    );
    const en = await region.get(url(`period=${LATE}&lang=en`));
    expect(en.text).toContain('EECO03 Long-term unemployed');
    expect(en.text).not.toMatch(/execution\.[a-zA-Z]/);
    await region.get(url('lang=it')); // the language choice sticks (cookie): back to Italian
  });

  it('exports a quarter as CSV: codes in the header, rows that add up to the total', async () => {
    const res = await region.get(url(`period=${LATE}&format=csv`));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toContain('.csv');
    const lines = parseCsv(res.text);
    expect(lines[1]).toEqual(['Periodo', LATE]);
    const head = lines.findIndex((l) => l[0] === 'Codice territorio');
    const header = lines[head]!;
    for (const code of [
      'EECO01',
      'EECO02',
      'EECO03',
      'EECO04',
      'EECO05',
      'EECO07',
      'EECO08',
      'EECO09',
      'EECO10',
      'EECO11',
    ])
      expect(header.some((h) => h.startsWith(`${code} `))).toBe(true);
    const col = (prefix: string) => header.findIndex((h) => h.startsWith(prefix));
    const rows = lines.slice(head + 1);
    const byCode = Object.fromEntries(rows.map((r) => [r[0] || 'total', r]));
    // ITI14 in Q4: 2 participants (1 man, 1 non-binary, both under 30, unemployed long-term).
    expect(byCode.ITI14![col('EECO01')]).toBe('2');
    expect(byCode.ITI14![col('EECO03')]).toBe('2');
    expect(byCode.ITI14![col('Uomini')]).toBe('1');
    expect(byCode.ITI14![col('Speso')]).toBe('500.00');
    expect(byCode['048014']![col('EECO01')]).toBe('6');
    expect(byCode['048014']![col('Speso')]).toBe('1500.50');
    expect(byCode.total![1]).toBe('Totale');
    for (let c = 2; c < header.length; c++) {
      const sum = rows.slice(0, -1).reduce((acc, r) => acc + Number(r[c]), 0);
      expect(Number(byCode.total![c])).toBeCloseTo(sum, 2);
    }
    expect(byCode.total![col('EECO01')]).toBe('8');
    expect(byCode.total![col('Speso')]).toBe('2000.50');
  });

  it('sums a whole year, as XLSX', async () => {
    const res = await region
      .get(url(`period=${YEAR}&format=xlsx`))
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Uint8Array.from(res.body as Buffer).buffer);
    const rows: ExcelJS.CellValue[][] = [];
    wb.worksheets[0]!.eachRow((row) => rows.push((row.values as ExcelJS.CellValue[]).slice(1)));
    const head = rows.findIndex((r) => r[0] === 'Codice territorio');
    const header = rows[head]!.map(String);
    const col = (prefix: string) => header.findIndex((h) => h.startsWith(prefix));
    const total = rows.at(-1)!;
    // 6 + 2 on ITI14 over the year, 6 on Empoli.
    expect(total[col('EECO01')]).toBe(14);
    expect(total[col('Ore erogate')]).toBe(50);
    expect(total[col('Speso')]).toBe(3501);
    const body = rows.slice(head + 1, -1);
    expect(body).toHaveLength(2);
    for (let c = 2; c < header.length; c++)
      expect(total[c]).toBeCloseTo(
        body.reduce((acc, r) => acc + Number(r[c]), 0),
        2,
      );
  });

  it('keeps a bad period with its error (422), and is the region’s only', async () => {
    const bad = await region.get(url('period=2026-Q9'));
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('href="#field-period"');
    expect(bad.text).toContain('value="2026-Q9"');
    expect(bad.text).toContain(
      'Periodo: Scrivi un trimestre, per esempio 2027-Q1, o un anno, per esempio 2027',
    );
    // Typed without the dash, the quarter is the one meant.
    const typed = await region.get(url(`period=${LATE.replace('-', '').toLowerCase()}`));
    expect(typed.status).toBe(200);
    expect(typed.text).toContain(
      `href="/calls/${s.call.id}/esf-indicators?format=csv&amp;period=${LATE}"`,
    );
    const authority = await loginAs(app, s.authority.email, PASSWORD);
    expect((await authority.get(url('format=csv'))).status).toBe(403);
    const lombardia = await newUser(t.db, { role: 'region', territory: 'ITC4' });
    const other = await loginAs(app, lombardia.email, PASSWORD);
    expect((await other.get(url('format=csv'))).status).toBe(404);
  });
});

describe('API', () => {
  const bearer = async (userId: string) => ({
    Authorization: `Bearer ${(await createApiToken(t.db, userId, 'test')).token}`,
  });

  it('getEsfIndicators answers JSON with the indicator codes', async () => {
    const res = await request(app)
      .get(`/api/v1/calls/${s.call.id}/esf-indicators?period=${EARLY}`)
      .set(await bearer(s.region.id));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      callId: s.call.id,
      period: EARLY,
      territories: [{ territoryCode: 'ITI14', EECO01: 6, women: 3, spentCents: 1500_50 }],
      total: { territoryCode: null, EECO01: 6, EECO02: 2, EECO03: 1, cofinancedCents: 300_00 },
    });
    const authority = await request(app)
      .get(`/api/v1/calls/${s.call.id}/esf-indicators`)
      .set(await bearer(s.authority.id));
    expect(authority.status).toBe(403);
  });

  it('reportActionOutcome records a quarter, or answers 422 pointing at the field', async () => {
    const p = await approvedPact(t.db);
    const actionId = p.pact.actions[0]!.id;
    const headers = await bearer(p.authority.id);
    const body = {
      actionId,
      period: LATE,
      enrolled: 3,
      completed: 0,
      hoursDelivered: 12,
      spentCents: 900_00,
      women: 2,
      men: 1,
      ageUnder30: 3,
      employed: 3,
      isced34: 3,
    };
    const bad = await request(app)
      .post(`/api/v1/pacts/${p.pact.id}/outcomes`)
      .set(headers)
      .send({ ...body, spentCents: 4800_01 });
    expect(bad.status).toBe(422);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.body.errors[0].pointer).toBe('body/spentCents');
    const wrong = await request(app)
      .post(`/api/v1/pacts/${p.pact.id}/outcomes`)
      .set(headers)
      .send({ ...body, men: 2 });
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors[0]).toMatchObject({ pointer: 'body/women' });
    expect(wrong.body.detail).toContain('4');

    const ok = await request(app)
      .post(`/api/v1/pacts/${p.pact.id}/outcomes`)
      .set(headers)
      .send(body);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({
      pactId: p.pact.id,
      actionId,
      period: LATE,
      replaced: false,
      status: 'in_progress',
      repeated: false,
    });
    // A retry after a timeout: the same figures, said so, audited once.
    const retry = await request(app)
      .post(`/api/v1/pacts/${p.pact.id}/outcomes`)
      .set(headers)
      .send(body);
    expect([retry.status, retry.body]).toEqual([200, { ...ok.body, repeated: true }]);
    const reported = await t.db
      .selectFrom('pact_audit')
      .select('seq')
      .where('pact_id', '=', p.pact.id)
      .where('event', '=', 'outcome_reported')
      .execute();
    expect(reported).toHaveLength(1);
    const row = await t.db
      .selectFrom('action_outcomes')
      .selectAll()
      .where('action_id', '=', actionId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ enrolled: 3, spent_cents: 900_00, isced_3_4: 3, inactive: 0 });
    // getPact says what was spent, the pact's and each action's (the pact page shows it too).
    const pact = await request(app).get(`/api/v1/pacts/${p.pact.id}`).set(headers);
    expect(pact.body.spentCents).toBe(900_00);
    expect(pact.body.actions.map((a: { spentCents: number }) => a.spentCents)).toEqual([900_00]);

    const partner = await request(app)
      .post(`/api/v1/pacts/${p.pact.id}/outcomes`)
      .set(await bearer(p.partner.id))
      .send(body);
    expect(partner.status).toBe(403);
    const lombardia = await newUser(t.db, { role: 'region', territory: 'ITC4' });
    const other = await request(app)
      .post(`/api/v1/pacts/${p.pact.id}/outcomes`)
      .set(await bearer(lombardia.id))
      .send(body);
    expect(other.status).toBe(404);
  });
});
