import request from 'supertest';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../../src/db/database';
import { formatDate } from '../../src/lib/format';
import { raiseCallBudget } from '../../src/modules/funding/budget-raise.service';
import { approvePact } from '../../src/modules/funding/review.service';
import { romeToday } from '../../src/modules/survey/calendar';
import { loginAs, submitForm, testApp, type Agent } from '../helpers/app';
import { newUser, PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { ledgerSum, newCall, scenario, submittedPact } from './helpers';
import { italianOnDay } from '../helpers/dates';

// An open call's budget could not change: new money for a call (a "rifinanziamento") meant a
// second call, whose pacts and ledger started from nothing.

let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
});
afterAll(() => t.close());

const money = (id: string) =>
  t.db
    .selectFrom('funding_calls')
    .select(['budget_cents', 'first_budget_cents', 'committed_cents'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
const reserves = async (id: string) =>
  Object.fromEntries(
    (
      await t.db
        .selectFrom('funding_call_allocations')
        .select(['territory_code', 'amount_cents'])
        .where('call_id', '=', id)
        .execute()
    ).map((r) => [r.territory_code, r.amount_cents]),
  );
const raiseRows = (id: string) =>
  t.db.selectFrom('funding_call_budget_raises').selectAll().where('call_id', '=', id).execute();
const told = (callId: string) =>
  t.db
    .selectFrom('notifications')
    .select(['user_id', 'params'])
    .where('kind', '=', 'call_budget_raised')
    .where('link', '=', `/calls/${callId}`)
    .execute();

/** A page's text with its no-break spaces (before '€') as plain ones. */
const plain = (res: { text: string }) => res.text.replace(/\u00a0/g, ' ');

/** The form's hidden fields, as the browser sends them back. */
async function formOf(agent: Agent, callId: string) {
  const page = await agent.get(`/calls/${callId}/budget`);
  expect(page.status).toBe(200);
  return {
    _csrf: /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!,
    _formKey: /name="_formKey" value="([^"]+)"/.exec(page.text)![1]!,
  };
}

async function regionWithCall(seed: Parameters<typeof newCall>[2] = {}) {
  const region = await newUser(t.db, { role: 'region' });
  const call = await newCall(t.db, region, { budgetCents: 1_000_000_00, ...seed });
  return { region, call, agent: await loginAs(testApp(t), region.email, PASSWORD) };
}

describe('raising an open call’s budget on its page', () => {
  it('raises it and a reserve, keeps the first budget, records why, tells the authorities once', async () => {
    const authority = await newUser(t.db, { role: 'local_authority', territory: 'ITI14' });
    const { call, agent } = await regionWithCall({
      allocations: [
        { territory: 'ITI14', cents: 400_000_00 },
        { territory: 'ITI17', cents: 300_000_00 },
      ],
    });
    const show = await agent.get(`/calls/${call.id}`);
    expect(show.text).toContain(`href="/calls/${call.id}/budget"`);
    const row = async () =>
      new RegExp(`<tr data-call="${call.id}">[\\s\\S]*?</tr>`).exec(
        (await agent.get('/calls')).text,
      )![0];
    expect(await row()).not.toContain('(aumentata)');
    const form = await agent.get(`/calls/${call.id}/budget`);
    expect(form.text).toContain('Aumentare la dotazione dell&#x27;avviso');
    // The reserves are shown at their amounts: left so, they do not change.
    expect(form.text).toMatch(/id="field-alloc_ITI14"[^>]*value="400000,00"/);

    const hidden = await formOf(agent, call.id);
    const body = {
      ...hidden,
      budget: '1.500.000',
      alloc_ITI14: '600.000,00',
      alloc_ITI17: '300000,00',
      reason: 'DGR 123/2026: fondi FSE+ aggiuntivi',
    };
    // A double click: the second post lands like the first, one raise.
    for (let i = 0; i < 2; i++) {
      const res = await agent.post(`/calls/${call.id}/budget`).type('form').send(body);
      expect([res.status, res.headers.location]).toEqual([302, `/calls/${call.id}`]);
    }
    expect(await money(call.id)).toEqual({
      budget_cents: 1_500_000_00,
      first_budget_cents: 1_000_000_00,
      committed_cents: 0,
    });
    expect(await reserves(call.id)).toEqual({ ITI14: 600_000_00, ITI17: 300_000_00 });
    const rows = await raiseRows(call.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      from_cents: 1_000_000_00,
      to_cents: 1_500_000_00,
      reason: 'DGR 123/2026: fondi FSE+ aggiuntivi',
      allocations: [{ territoryCode: 'ITI14', fromCents: 400_000_00, toCents: 600_000_00 }],
    });
    expect(await told(call.id)).toEqual([
      { user_id: authority.id, params: expect.objectContaining({ amount: 1_500_000 }) },
    ]);
    const inbox = await loginAs(testApp(t), authority.email, PASSWORD);
    expect(plain(await inbox.get('/inbox'))).toContain(
      `ha aumentato la dotazione dell&#x27;avviso «${call.title}» a 1.500.000,00 €`,
    );

    const page = await agent.get(`/calls/${call.id}`);
    expect(plain(page)).toContain('Dotazione aumentata: ora è di 1.500.000,00 €.');
    expect(plain(page)).toContain(
      italianOnDay(
        `(dotazione iniziale 1.000.000,00 €, aumentata il ${formatDate(romeToday(), 'it', { style: 'long' })})`,
      ),
    );
    expect(page.text).toContain('DGR 123/2026: fondi FSE+ aggiuntivi');
    // The list marks it as it marks an extended deadline.
    expect(await row()).toContain('(aumentata)');
    // The authority reads the call too: the first budget, not who raised it.
    expect(plain(await inbox.get(`/calls/${call.id}`))).toContain(
      'dotazione iniziale 1.000.000,00 €',
    );

    // A second raise, in English figures: the first budget stays the one first published.
    const again = await submitForm(agent, `/calls/${call.id}/budget`, {
      budget: '2,000,000.00',
      alloc_ITI14: '600000,00',
      alloc_ITI17: '',
      reason: 'Seconda tranche',
    });
    expect(again.status).toBe(302);
    expect(await money(call.id)).toMatchObject({
      budget_cents: 2_000_000_00,
      first_budget_cents: 1_000_000_00,
    });
    expect(await reserves(call.id)).toEqual({ ITI14: 600_000_00, ITI17: 300_000_00 });
    expect(await raiseRows(call.id)).toHaveLength(2);
  });

  it.each([
    [
      'the same figure',
      { budget: '1.000.000' },
      'budget',
      'È già la dotazione attuale (1.000.000,00 €): indica un totale più alto.',
    ],
    [
      'a decrease',
      { budget: '900000' },
      'budget',
      'La dotazione si può solo aumentare: indica un totale più alto di quello attuale, 1.000.000,00 €.',
    ],
    [
      'not a number',
      { budget: 'un milione' },
      'budget',
      'Scrivi un importo in euro, ad esempio 12.500,50 oppure 12500.50.',
    ],
    ['too big', { budget: '1.000.000.000.001' }, 'budget', 'Tra 0,01 € e 1.000.000.000.000 €.'],
    ['a negative figure', { budget: '-2000000' }, 'budget', 'Tra 0,01 € e 1.000.000.000.000 €.'],
    [
      'a lower reserve',
      { alloc_ITI14: '100.000' },
      'alloc_ITI14',
      'Una riserva si può solo aumentare: indica almeno l&#x27;importo attuale, 400.000,00 €.',
    ],
    [
      'reserves above the budget',
      { alloc_ITI14: '1.300.000' },
      'alloc_ITI14',
      'Le riserve insieme farebbero 1.300.000,00 €, più della nuova dotazione di 1.200.000,00 €.',
    ],
    ['no reason', { reason: '  ' }, 'reason', 'Campo obbligatorio'],
    ['a reason too long', { reason: 'x'.repeat(501) }, 'reason', '500'],
  ])(
    'refuses %s, says why beside the field, keeps the input, changes nothing',
    async (_, change, field, message) => {
      const { call, agent } = await regionWithCall({
        allocations: [{ territory: 'ITI14', cents: 400_000_00 }],
      });
      const body = {
        budget: '1.200.000',
        alloc_ITI14: '400000,00',
        reason: 'Fondi nuovi',
        ...change,
      };
      const res = await submitForm(agent, `/calls/${call.id}/budget`, body);
      expect(res.status).toBe(422);
      const error = new RegExp(`<p id="error-${field}" class="field-error mb-1">([^<]*)</p>`).exec(
        res.text,
      );
      expect(error?.[1]?.replace(/\u00a0/g, ' ')).toContain(message);
      expect(res.text).toContain('href="#field-' + field + '"');
      if (field !== 'reason')
        expect(res.text).toContain(`value="${body[field as keyof typeof body]}"`);
      expect(res.text).toContain('name="_formKey"');
      expect(await money(call.id)).toEqual({
        budget_cents: 1_000_000_00,
        first_budget_cents: null,
        committed_cents: 0,
      });
      expect(await reserves(call.id)).toEqual({ ITI14: 400_000_00 });
      expect(await raiseRows(call.id)).toEqual([]);
    },
  );

  it('says every problem at once, also when one field is not even a figure', async () => {
    const { call, agent } = await regionWithCall({
      allocations: [{ territory: 'ITI14', cents: 400_000_00 }],
    });
    const res = await submitForm(agent, `/calls/${call.id}/budget`, {
      budget: '900.000',
      alloc_ITI14: '100.000',
      reason: '',
    });
    expect(res.status).toBe(422);
    for (const field of ['budget', 'alloc_ITI14', 'reason'])
      expect(res.text).toContain(`href="#field-${field}"`);
    const wrong = await submitForm(agent, `/calls/${call.id}/budget`, {
      budget: 'tanti',
      alloc_ITI14: '100.000',
      reason: 'Fondi',
    });
    expect(plain(wrong)).toContain('almeno l&#x27;importo attuale, 400.000,00 €');
    expect(await raiseRows(call.id)).toEqual([]);
  });

  it('is offered only while the call is open, and only to the region that manages it', async () => {
    const { region, call: closed, agent } = await regionWithCall({ status: 'closed' });
    expect((await agent.get(`/calls/${closed.id}`)).text).not.toContain('/budget"');
    expect((await agent.get(`/calls/${closed.id}/budget`)).headers.location).toBe(
      `/calls/${closed.id}`,
    );
    const open = await newCall(t.db, region);
    const { _csrf } = await formOf(agent, open.id);
    // Closed meanwhile, another tab: the post says why nothing changed.
    await t.db
      .updateTable('funding_calls')
      .set({ status: 'closed' })
      .where('id', '=', open.id)
      .execute();
    const late = await agent
      .post(`/calls/${open.id}/budget`)
      .type('form')
      .send({ _csrf, budget: '2000000', reason: 'Fondi' });
    expect(late.headers.location).toBe(`/calls/${open.id}`);
    expect((await agent.get(`/calls/${open.id}`)).text).toContain(
      'Si può aumentare la dotazione solo di un avviso aperto.',
    );
    expect((await money(open.id)).first_budget_cents).toBeNull();

    const draft = await newCall(t.db, region, { status: 'draft' });
    expect((await agent.get(`/calls/${draft.id}/budget`)).headers.location).toBe(
      `/calls/${draft.id}`,
    );

    const mine = await newCall(t.db, region);
    const authority = await newUser(t.db, { role: 'local_authority', territory: 'ITI14' });
    const theirs = await loginAs(testApp(t), authority.email, PASSWORD);
    expect((await theirs.get(`/calls/${mine.id}`)).text).not.toContain('/budget"');
    expect((await theirs.get(`/calls/${mine.id}/budget`)).status).toBe(403);
    // Another region's call is not found, as on every call route.
    const lombardy = await newUser(t.db, { role: 'region', territory: 'ITC4' });
    const other = await loginAs(testApp(t), lombardy.email, PASSWORD);
    expect((await other.get(`/calls/${mine.id}/budget`)).status).toBe(404);
    const csrf = /name="_csrf" value="([^"]+)"/.exec((await other.get('/calls')).text)![1]!;
    const posted = await other
      .post(`/calls/${mine.id}/budget`)
      .type('form')
      .send({ _csrf: csrf, budget: '5000000', reason: 'x' });
    expect(posted.status).toBe(404);
    expect((await money(mine.id)).budget_cents).toBe(100_000_00);
  });
});

describe('raiseCallBudget on the API', () => {
  it('raises, answers a retry with repeated: true, and refuses anything else with its reason', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const call = await newCall(t.db, region, {
      budgetCents: 1_000_000_00,
      allocations: [{ territory: 'ITI14', cents: 400_000_00 }],
    });
    const app = testApp(t);
    const { body: tok } = await request(app)
      .post('/api/v1/tokens')
      .send({ email: region.email, password: PASSWORD, name: 'prova' });
    const post = (body: object, id = call.id) =>
      request(app)
        .post(`/api/v1/calls/${id}/budget`)
        .set('Authorization', `Bearer ${tok.token}`)
        .send(body);
    const raise = {
      budgetCents: 1_500_000_00,
      allocations: [{ territoryCode: 'ITI14', amountCents: 500_000_00 }],
      reason: 'DGR 9/2027',
    };
    const ok = await post(raise);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      budgetCents: 1_500_000_00,
      firstBudgetCents: 1_000_000_00,
      availableCents: 1_500_000_00,
      repeated: false,
      // The reserve it raised, as getCall shows it.
      allocations: [{ territoryCode: 'ITI14', amountCents: 500_000_00, committedCents: 0 }],
    });
    const retry = await post(raise);
    expect([retry.status, retry.body.repeated, retry.body.raiseId]).toEqual([
      200,
      true,
      ok.body.raiseId,
    ]);
    expect(retry.body.allocations).toEqual(ok.body.allocations);
    expect(await raiseRows(call.id)).toHaveLength(1);

    // The same figure with another reason is not a retry: refused as on the page.
    const same = await post({ ...raise, reason: 'altro' });
    expect(same.status).toBe(422);
    // Pointers name the API's own fields, not the page's.
    expect(same.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual([
      'body/budgetCents',
    ]);
    const lower = await post({ ...raise, budgetCents: 1_400_000_00, allocations: [] });
    expect(lower.status).toBe(422);
    expect(lower.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual([
      'body/budgetCents',
    ]);
    // A reserve outside the call's territory (Lombardy's Varese), refused on its territory.
    const reserve = await post({
      budgetCents: 2_000_000_00,
      allocations: [{ territoryCode: 'ITC41', amountCents: 1_00 }],
      reason: 'x',
    });
    expect(reserve.status).toBe(422);
    expect(reserve.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual([
      'body/allocations.0.territoryCode',
    ]);
    expect((await post({ budgetCents: '2000000', reason: 'x' })).status).toBe(422);
    expect((await post({ budgetCents: 100_000_000_000_001, reason: 'x' })).status).toBe(422);
    expect((await post({ budgetCents: 2_000_000_00, reason: '' })).status).toBe(422);
    expect((await post({ ...raise, budgetCents: 2_000_000_00 }, crypto.randomUUID())).status).toBe(
      404,
    );
    expect(await raiseRows(call.id)).toHaveLength(1);

    const got = await request(app)
      .get(`/api/v1/calls/${call.id}`)
      .set('Authorization', `Bearer ${tok.token}`);
    expect(got.body).toMatchObject({
      budgetCents: 1_500_000_00,
      firstBudgetCents: 1_000_000_00,
      allocations: [{ territoryCode: 'ITI14', amountCents: 500_000_00, committedCents: 0 }],
    });

    await post({}, call.id);
    await request(app)
      .post(`/api/v1/calls/${call.id}/close`)
      .set('Authorization', `Bearer ${tok.token}`);
    // Closed since: the retry still hears it was done; a new raise, why not.
    expect((await post(raise)).body.repeated).toBe(true);
    expect((await post({ ...raise, budgetCents: 3_000_000_00 })).status).toBe(409);
  });
});

describe('a raise while approvals run', () => {
  it('never lets them commit past the budget: each sees the budget before or after the raise', async () => {
    // Each pact: 40 h × 100 € + 5 × 40 h × 5 € = 5,000 €; the budget fits four, raised to fit eight.
    const s = await scenario(t.db, { budgetCents: 20_000_00 }, 10_000);
    const pacts = [];
    for (let i = 0; i < 12; i++) pacts.push(await submittedPact(t.db, s));
    const pool = new pg.Pool({
      connectionString: t.url,
      max: Math.min(13, Math.floor(t.maxConnections / 2) - 1),
      connectionTimeoutMillis: 0,
    });
    const racers = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    const approvals = pacts.map((p) =>
      approvePact(racers, s.region, p.id, { revision: 1, remarks: '' }),
    );
    const raised = raiseCallBudget(racers, s.region, s.call.id, {
      budget: 40_000_00,
      allocations: [],
      reason: 'rifinanziamento',
    });
    const results = await Promise.allSettled([...approvals, raised]);
    await racers.destroy();
    expect(results.at(-1)!.status).toBe('fulfilled');
    const approved = results.slice(0, -1).filter((r) => r.status === 'fulfilled').length;
    expect(approved).toBeGreaterThanOrEqual(4);
    expect(approved).toBeLessThanOrEqual(8);
    const after = await money(s.call.id);
    expect(after.budget_cents).toBe(40_000_00);
    expect(after.committed_cents).toBe(approved * 5_000_00);
    expect(await ledgerSum(t.db, s.call.id)).toBe(approved * 5_000_00);
  });
});
