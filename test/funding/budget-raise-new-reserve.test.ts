import request from 'supertest';
import { approvePact } from '../../src/modules/funding/review.service';
import { loginAs, submitForm, testApp } from '../helpers/app';
import { newUser, PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { newCall, scenario, submittedPact } from './helpers';

// A raise could only raise the reserves a call already had: new money meant for a province
// without one (Arezzo, say) could not be set aside for it.

let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
});
afterAll(() => t.close());

const money = (id: string) =>
  t.db
    .selectFrom('funding_calls')
    .select(['budget_cents', 'first_budget_cents'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
const reserves = async (id: string) =>
  Object.fromEntries(
    (
      await t.db
        .selectFrom('funding_call_allocations')
        .select(['territory_code', 'amount_cents', 'committed_cents'])
        .where('call_id', '=', id)
        .execute()
    ).map((r) => [r.territory_code, [r.amount_cents, r.committed_cents]]),
  );
const raiseRows = (id: string) =>
  t.db.selectFrom('funding_call_budget_raises').selectAll().where('call_id', '=', id).execute();
const plain = (res: { text: string }) => res.text.replace(/\u00a0/g, ' ');
const errorOf = (res: { text: string }, field: string) =>
  new RegExp(`<p id="error-${field}" class="field-error mb-1">([^<]*)</p>`)
    .exec(res.text)?.[1]
    ?.replace(/\u00a0/g, ' ');

async function regionWithCall() {
  const region = await newUser(t.db, { role: 'region' });
  const call = await newCall(t.db, region, {
    budgetCents: 1_000_000_00,
    allocations: [{ territory: 'ITI14', cents: 400_000_00 }],
  });
  return { region, call, agent: await loginAs(testApp(t), region.email, PASSWORD) };
}

describe('a raise that adds a reserve, on the page', () => {
  it('offers the provinces without one, adds it with the raise, and lists it in the history', async () => {
    const { call, agent } = await regionWithCall();
    const form = await agent.get(`/calls/${call.id}/budget`);
    expect(form.text).toContain('Nuove riserve per territorio');
    expect(form.text).toContain('<option value="ITI18" >Arezzo (ITI18, NUTS3)</option>');
    // Florence has one already; the region itself, and Empoli inside Florence, are not offered.
    for (const code of ['ITI14', 'ITI1', '048014'])
      expect(form.text).not.toContain(`<option value="${code}"`);

    const res = await submitForm(agent, `/calls/${call.id}/budget`, {
      budget: '1.300.000',
      alloc_ITI14: '400.000,00',
      new0Territory: 'ITI18',
      new0Amount: '250.000',
      new1Territory: '',
      new1Amount: '',
      reason: 'DGR 77/2027: fondi per l’area aretina',
    });
    expect([res.status, res.headers.location]).toEqual([302, `/calls/${call.id}`]);
    expect(await money(call.id)).toEqual({
      budget_cents: 1_300_000_00,
      first_budget_cents: 1_000_000_00,
    });
    expect(await reserves(call.id)).toEqual({
      ITI14: [400_000_00, 0],
      ITI18: [250_000_00, 0],
    });
    const [row, ...more] = await raiseRows(call.id);
    expect(more).toEqual([]);
    expect(row!.allocations).toEqual([
      { territoryCode: 'ITI18', fromCents: 0, toCents: 250_000_00 },
    ]);
    const page = plain(await agent.get(`/calls/${call.id}`));
    expect(page).toContain('Arezzo: nuova riserva di 250.000,00 €');
    // Now one of the call's reserves: the next raise shows it among them, no longer as new.
    const next = await agent.get(`/calls/${call.id}/budget`);
    expect(next.text).toMatch(/id="field-alloc_ITI18"[^>]*value="250000,00"/);
    expect(next.text).not.toContain('<option value="ITI18"');
  });

  it.each([
    [
      'a territory outside the call',
      { new0Territory: 'ITC41', new0Amount: '1000' },
      'new0Territory',
      'Varese non è compreso nel territorio dell&#x27;avviso',
    ],
    [
      'the call’s own territory',
      { new0Territory: 'ITI1', new0Amount: '1000' },
      'new0Territory',
      'Toscana non è compreso nel territorio dell&#x27;avviso',
    ],
    [
      'a territory inside another reserve',
      { new0Territory: '048014', new0Amount: '1000' },
      'new0Territory',
      'Empoli si sovrappone alla riserva per Firenze',
    ],
    [
      'a territory that has a reserve already',
      { new0Territory: 'ITI14', new0Amount: '500.000' },
      'new0Territory',
      'Firenze ha già una riserva: per aumentarla cambia il suo importo qui sopra.',
    ],
    [
      'a territory that does not exist',
      { new0Territory: 'ZZ999', new0Amount: '1000' },
      'new0Territory',
      'Il territorio ZZ999 non esiste',
    ],
    [
      'the same territory twice',
      { new0Territory: 'ITI18', new0Amount: '1000', new1Territory: 'ITI18', new1Amount: '5' },
      'new1Territory',
      'La riserva per ITI18 è indicata due volte.',
    ],
    [
      'a territory without an amount',
      { new0Territory: 'ITI18', new0Amount: ' ' },
      'new0Amount',
      'Indica l&#x27;importo di questa riserva.',
    ],
    [
      'an amount without a territory',
      { new0Territory: '', new0Amount: '1000' },
      'new0Territory',
      'Scegli il territorio di questa riserva.',
    ],
    [
      'an amount of nothing',
      { new0Territory: 'ITI18', new0Amount: '0' },
      'new0Amount',
      'Tra 0,01 €',
    ],
    [
      'an amount not a figure',
      { new0Territory: 'ITI18', new0Amount: 'molti' },
      'new0Amount',
      'Scrivi un importo in euro',
    ],
    [
      'reserves above the new budget',
      { new0Territory: 'ITI18', new0Amount: '900.000' },
      'new0Amount',
      'Le riserve insieme farebbero 1.300.000,00 €, più della nuova dotazione di 1.200.000,00 €.',
    ],
  ])(
    'refuses %s beside the field, keeps the input, writes nothing',
    async (_, row, field, message) => {
      const { call, agent } = await regionWithCall();
      const body: Record<string, string> = {
        budget: '1.200.000',
        alloc_ITI14: '400000,00',
        reason: 'Fondi nuovi',
        ...row,
      };
      const res = await submitForm(agent, `/calls/${call.id}/budget`, body);
      expect(res.status).toBe(422);
      expect(errorOf(res, field)).toContain(message);
      expect(res.text).toContain(`href="#field-${field}"`);
      // What was typed and chosen is there again.
      for (const [name, value] of Object.entries(row))
        if (!value.trim()) continue;
        else if (name.endsWith('Amount'))
          expect(res.text).toMatch(new RegExp(`id="field-${name}"[^>]*value="${value}"`));
        else expect(res.text).toContain(`<option value="${value}" selected>`);
      expect(res.text).toMatch(/<textarea[^>]*name="reason"[^>]*>Fondi nuovi</);
      expect(await money(call.id)).toEqual({
        budget_cents: 1_000_000_00,
        first_budget_cents: null,
      });
      expect(await reserves(call.id)).toEqual({ ITI14: [400_000_00, 0] });
      expect(await raiseRows(call.id)).toEqual([]);
    },
  );

  it('refuses one where pacts are already funded on the call: the reserve would not count them', async () => {
    // Each pact: 40 h × 100 € + 5 × 40 h × 5 € = 5,000 €, in Empoli (Florence).
    const s = await scenario(t.db, { budgetCents: 20_000_00 });
    const pact = await submittedPact(t.db, s);
    await approvePact(t.db, s.region, pact.id, { revision: 1, remarks: '' });
    const agent = await loginAs(testApp(t), s.region.email, PASSWORD);
    const res = await submitForm(agent, `/calls/${s.call.id}/budget`, {
      budget: '30.000',
      new0Territory: 'ITI14',
      new0Amount: '10.000',
      reason: 'Riserva per Firenze',
    });
    expect(res.status).toBe(422);
    expect(errorOf(res, 'new0Territory')).toContain(
      'Per Firenze l&#x27;avviso ha già impegnato 5.000,00 € per patti finanziati',
    );
    expect(await reserves(s.call.id)).toEqual({});
    expect(await raiseRows(s.call.id)).toEqual([]);
    // Elsewhere in Tuscany it may.
    const ok = await submitForm(agent, `/calls/${s.call.id}/budget`, {
      budget: '30.000',
      new0Territory: 'ITI15',
      new0Amount: '10.000',
      reason: 'Riserva per Prato',
    });
    expect(ok.status).toBe(302);
    expect(await reserves(s.call.id)).toEqual({ ITI15: [10_000_00, 0] });
  });
});

describe('raiseCallBudget adding a reserve', () => {
  it('adds it, answers a retry with repeated: true, and refuses a bad one by its pointer', async () => {
    const { region, call } = await regionWithCall();
    const app = testApp(t);
    const { body: tok } = await request(app)
      .post('/api/v1/tokens')
      .send({ email: region.email, password: PASSWORD, name: 'prova' });
    const post = (body: object) =>
      request(app)
        .post(`/api/v1/calls/${call.id}/budget`)
        .set('Authorization', `Bearer ${tok.token}`)
        .send(body);

    const bad = await post({
      budgetCents: 1_500_000_00,
      allocations: [
        { territoryCode: 'ITI14', amountCents: 400_000_00 },
        { territoryCode: '048014', amountCents: 1_00 },
        { territoryCode: 'ITC41', amountCents: 1_00 },
      ],
      reason: 'x',
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual([
      'body/allocations.1.territoryCode',
      'body/allocations.2.territoryCode',
    ]);
    expect(await reserves(call.id)).toEqual({ ITI14: [400_000_00, 0] });

    const raise = {
      budgetCents: 1_500_000_00,
      allocations: [{ territoryCode: 'ITI18', amountCents: 300_000_00 }],
      reason: 'DGR 9/2027',
    };
    const ok = await post(raise);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ budgetCents: 1_500_000_00, repeated: false });
    expect(ok.body.allocations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ territoryCode: 'ITI18', amountCents: 300_000_00 }),
        expect.objectContaining({ territoryCode: 'ITI14', amountCents: 400_000_00 }),
      ]),
    );
    const retry = await post(raise);
    expect([retry.status, retry.body.repeated, retry.body.raiseId]).toEqual([
      200,
      true,
      ok.body.raiseId,
    ]);
    expect(await raiseRows(call.id)).toHaveLength(1);
    expect(await reserves(call.id)).toEqual({
      ITI14: [400_000_00, 0],
      ITI18: [300_000_00, 0],
    });
  });
});
