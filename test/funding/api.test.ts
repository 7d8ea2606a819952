import request from 'supertest';
import { testApp } from '../helpers/app';
import { newUser, PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { outcomeFromForm } from '../../src/modules/pacts/execution.schemas';
import { reportOutcome } from '../../src/modules/pacts/execution.service';
import { approvedPact, THIS_QUARTER } from '../execution/helpers';
import { newCall, scenario, submittedPact } from './helpers';
import { farDay } from '../helpers/dates';

const zeroCounts = {
  women: 0,
  men: 0,
  nonBinary: 0,
  ageUnder30: 0,
  age30to54: 0,
  age55plus: 0,
  employed: 0,
  unemployed: 0,
  longTermUnemployed: 0,
  inactive: 0,
  isced02: 0,
  isced34: 0,
  isced58: 0,
};

let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
});
afterAll(() => t.close());

async function tokenFor(app: ReturnType<typeof testApp>, email: string) {
  const res = await request(app).post('/api/v1/tokens').send({ email, password: PASSWORD });
  return `Bearer ${res.body.token as string}`;
}

describe('the funding API', () => {
  it('createCall → listCalls; bad input is a 422 naming the field, nothing written', async () => {
    const app = testApp(t);
    const region = await newUser(t.db, { role: 'region' });
    const auth = await tokenFor(app, region.email);
    const body = {
      title: 'Digitale per le PMI',
      territoryCode: 'ITI1',
      budgetCents: 500_000_00,
      courseHourCents: 100_00,
      participantHourCents: 5_00,
      deadline: farDay(),
      skillAreas: ['DC1'],
      allocations: [{ territoryCode: 'ITI14', amountCents: 100_000_00 }],
    };
    const created = await request(app).post('/api/v1/calls').set('Authorization', auth).send(body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      status: 'draft',
      budgetCents: 500_000_00,
      availableCents: 500_000_00,
    });
    const list = await request(app).get('/api/v1/calls').set('Authorization', auth);
    expect(list.body.map((c: { id: string }) => c.id)).toContain(created.body.id);

    const bad = await request(app)
      .post('/api/v1/calls')
      .set('Authorization', auth)
      .send({ ...body, allocations: [{ territoryCode: 'ITI14', amountCents: 600_000_00 }] });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].pointer).toBe('body/allocations.0.amountCents');
    const neg = await request(app)
      .post('/api/v1/calls')
      .set('Authorization', auth)
      .send({ ...body, budgetCents: -1 });
    expect(neg.status).toBe(422);
    const free = await request(app)
      .post('/api/v1/calls')
      .set('Authorization', auth)
      .send({ ...body, courseHourCents: 0, participantHourCents: 0 });
    expect(free.status).toBe(422);
    expect(free.body.errors[0].pointer).toBe('body/courseHourCents');
    const n = await t.db
      .selectFrom('funding_calls')
      .select('id')
      .where('organisation_id', '=', region.organisationId)
      .execute();
    expect(n).toHaveLength(1);

    const authority = await newUser(t.db, { role: 'local_authority' });
    const forbidden = await request(app)
      .post('/api/v1/calls')
      .set('Authorization', await tokenFor(app, authority.email))
      .send(body);
    expect(forbidden.status).toBe(403);
  });

  it('documents that the rules’ params hold euros, unlike the report’s …Cents fields', async () => {
    const doc = (await request(testApp(t)).get('/api/v1/openapi.json')).body;
    const rule = doc.components.schemas.EligibilityReport.properties.rules.items;
    expect(rule.properties.params.description).toContain('in euros, not cents');
  });

  it('getEligibilityReport → approvePact; a short budget is a 409 with the figures', async () => {
    const app = testApp(t);
    const s = await scenario(t.db, { budgetCents: 7000_00 });
    const a = await submittedPact(t.db, s);
    const b = await submittedPact(t.db, s);
    const auth = await tokenFor(app, s.region.email);
    const report = await request(app)
      .get(`/api/v1/pacts/${a.id}/eligibility`)
      .set('Authorization', auth);
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({
      eligible: true,
      grantCents: 5000_00,
      availableCents: 7000_00,
    });
    // The text names the territories; the params keep the codes for programs.
    expect(report.body.rules.find((r: { rule: string }) => r.rule === 'territory')).toMatchObject({
      params: { territory: 'ITI14', callTerritory: 'ITI1' },
      text: "Il territorio del patto, Firenze (ITI14), è compreso in quello dell'avviso, Toscana (ITI1)",
    });
    expect(report.body.rules.find((r: { rule: string }) => r.rule === 'budget')).toMatchObject({
      ok: true,
      params: { requested: 5000, available: 7000 },
    });
    const ok = await request(app)
      .post(`/api/v1/pacts/${a.id}/approve`)
      .set('Authorization', auth)
      .send({ revision: 1 });
    expect(ok.status).toBe(200);
    expect(ok.body.approvedCents).toBe(5000_00);
    const short = await request(app)
      .post(`/api/v1/pacts/${b.id}/approve`)
      .set('Authorization', auth)
      .send({ revision: 1 });
    expect(short.status).toBe(409);
    // Intl puts a no-break space before the euro sign in Italian.
    expect(short.body.detail.replace(/\u00a0/g, ' ')).toBe(
      "L'avviso ha 2.000,00 € disponibili; questa approvazione richiede 5.000,00 €.",
    );
    const english = await request(app)
      .post(`/api/v1/pacts/${b.id}/approve`)
      .set('Authorization', auth)
      .set('Accept-Language', 'en')
      .send({ revision: 1 });
    expect(english.body.detail.replace(/\u00a0/g, ' ')).toBe(
      'The call has €2,000.00 available; this approval needs €5,000.00.',
    );
    const lowered = await request(app)
      .post(`/api/v1/pacts/${b.id}/approve`)
      .set('Authorization', auth)
      .send({ revision: 1, amounts: { [b.actions[0]!.id]: 2000_00 } });
    expect(lowered.status).toBe(200);
    const call = await request(app).get(`/api/v1/calls/${s.call.id}`).set('Authorization', auth);
    expect(call.body).toMatchObject({ committedCents: 7000_00, availableCents: 0 });
  });

  it('reducePact with the same amount, or none, is a 422 and records no decision', async () => {
    const app = testApp(t);
    const s = await scenario(t.db);
    const pact = await submittedPact(t.db, s);
    const actionId = pact.actions[0]!.id;
    const auth = await tokenFor(app, s.region.email);
    const approved = await request(app)
      .post(`/api/v1/pacts/${pact.id}/approve`)
      .set('Authorization', auth)
      .send({ revision: 1 });
    expect(approved.status).toBe(200);
    for (const body of [{ revision: 1, amounts: { [actionId]: 5000_00 } }, { revision: 1 }]) {
      const res = await request(app)
        .post(`/api/v1/pacts/${pact.id}/reduce`)
        .set('Authorization', auth)
        .send(body);
      expect(res.status).toBe(422);
      expect(res.body.detail).toContain('Nessun importo è stato ridotto');
    }
    const decisions = await t.db
      .selectFrom('pact_decisions')
      .select('kind')
      .where('pact_id', '=', pact.id)
      .execute();
    expect(decisions.map((d) => d.kind)).toEqual(['approve']);
    const lowered = await request(app)
      .post(`/api/v1/pacts/${pact.id}/reduce`)
      .set('Authorization', auth)
      .send({ revision: 1, amounts: { [actionId]: 4000_00 } });
    expect(lowered.status).toBe(200);
    expect(lowered.body).toMatchObject({ approvedCents: 4000_00, releasedCents: 1000_00 });
  });

  it('getEligibilityReport says what each action spent; reducePact below it is a 422', async () => {
    const app = testApp(t);
    const p = await approvedPact(t.db);
    const actionId = p.pact.actions[0]!.id;
    const spent = { actionId, period: THIS_QUARTER, enrolled: 0, completed: 0, hoursDelivered: 4 };
    await reportOutcome(
      t.db,
      p.authority,
      p.pact.id,
      outcomeFromForm({ ...zeroCounts, ...spent, spent: 1000_00, cofinanced: 0 }),
    );
    const auth = await tokenFor(app, p.region.email);
    const report = await request(app)
      .get(`/api/v1/pacts/${p.pact.id}/eligibility`)
      .set('Authorization', auth);
    expect(report.body.actions[0]).toMatchObject({ committedCents: 4800_00, spentCents: 1000_00 });
    const below = await request(app)
      .post(`/api/v1/pacts/${p.pact.id}/reduce`)
      .set('Authorization', auth)
      .send({ revision: 1, amounts: { [actionId]: 999_99 } });
    expect(below.status).toBe(422);
    expect(below.body.detail).toContain('già speso');
  });

  it('returnPact and rejectPact need remarks; the promoter may not decide', async () => {
    const app = testApp(t);
    const s = await scenario(t.db);
    const pact = await submittedPact(t.db, s);
    const auth = await tokenFor(app, s.region.email);
    const empty = await request(app)
      .post(`/api/v1/pacts/${pact.id}/return`)
      .set('Authorization', auth)
      .send({ revision: 1, remarks: '' });
    expect(empty.status).toBe(422);
    const promoter = await tokenFor(app, s.authority.email);
    const self = await request(app)
      .post(`/api/v1/pacts/${pact.id}/approve`)
      .set('Authorization', promoter)
      .send({ revision: 1 });
    expect(self.status).toBe(403);
    const stale = await request(app)
      .post(`/api/v1/pacts/${pact.id}/reject`)
      .set('Authorization', auth)
      .send({ revision: 2, remarks: 'No' });
    expect(stale.status).toBe(409);
    const rejected = await request(app)
      .post(`/api/v1/pacts/${pact.id}/reject`)
      .set('Authorization', auth)
      .send({ revision: 1, remarks: 'Fuori tema' });
    expect(rejected.status).toBe(200);
    const again = await request(app)
      .post(`/api/v1/pacts/${pact.id}/return`)
      .set('Authorization', auth)
      .send({ revision: 1, remarks: 'x' });
    expect(again.status).toBe(409);
  });
});

describe('a decision repeated through the API (a retry after a timeout)', () => {
  /** What a decision writes: its record, the audit, the ledger, the notifications. */
  const written = async (pactId: string) => ({
    decisions: (
      await t.db.selectFrom('pact_decisions').select('id').where('pact_id', '=', pactId).execute()
    ).length,
    audit: (
      await t.db.selectFrom('pact_audit').select('seq').where('pact_id', '=', pactId).execute()
    ).length,
    ledger: (
      await t.db
        .selectFrom('budget_commitments')
        .select('id')
        .where('pact_id', '=', pactId)
        .execute()
    ).length,
    notifications: (await t.db.selectFrom('notifications').select('id').execute()).length,
  });
  const post = (app: ReturnType<typeof testApp>, auth: string, path: string, body: object) =>
    request(app).post(`/api/v1/pacts${path}`).set('Authorization', auth).send(body);

  it('answers an approval made again as it stands, repeated, and writes nothing', async () => {
    const app = testApp(t);
    const s = await scenario(t.db);
    const pact = await submittedPact(t.db, s);
    const auth = await tokenFor(app, s.region.email);
    const body = { revision: 1, remarks: 'Bene', amounts: { [pact.actions[0]!.id]: 4000_00 } };
    const first = await post(app, auth, `/${pact.id}/approve`, body);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ approvedCents: 4000_00, repeated: false });
    const before = await written(pact.id);
    const again = await post(app, auth, `/${pact.id}/approve`, body);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ ...first.body, repeated: true });
    expect(await written(pact.id)).toEqual(before);
    // Not the same decision: other amounts, the full grant, or a rejection now.
    for (const [path, other] of [
      ['approve', { ...body, amounts: { [pact.actions[0]!.id]: 3000_00 } }],
      ['approve', { revision: 1, remarks: 'Bene' }],
      ['reject', { revision: 1, remarks: 'Fuori tema' }],
    ] as const) {
      const refused = await post(app, auth, `/${pact.id}/${path}`, other);
      expect(refused.status).toBe(409);
      expect(refused.body.detail).toBe(
        'Il patto non è in attesa di una decisione (stato: Approvato).',
      );
    }
    expect(await written(pact.id)).toEqual(before);
  });

  it('answers a rejection or a reduction made again as it stands, and writes nothing', async () => {
    const app = testApp(t);
    const s = await scenario(t.db);
    const auth = await tokenFor(app, s.region.email);
    const rejected = await submittedPact(t.db, s);
    const reasons = { revision: 1, remarks: 'Fuori tema' };
    const first = await post(app, auth, `/${rejected.id}/reject`, reasons);
    expect(first.body.repeated).toBe(false);
    const before = await written(rejected.id);
    const again = await post(app, auth, `/${rejected.id}/reject`, reasons);
    expect([again.status, again.body]).toEqual([200, { ...first.body, repeated: true }]);
    expect(await written(rejected.id)).toEqual(before);
    const otherReasons = await post(app, auth, `/${rejected.id}/reject`, {
      ...reasons,
      remarks: 'Altro',
    });
    expect(otherReasons.status).toBe(409);
    const returned = await post(app, auth, `/${rejected.id}/return`, reasons);
    expect([returned.status, returned.body.detail]).toEqual([
      409,
      'Il patto non è in attesa di una decisione (stato: Respinto).',
    ]);

    const funded = await submittedPact(t.db, s);
    const actionId = funded.actions[0]!.id;
    await post(app, auth, `/${funded.id}/approve`, { revision: 1 });
    const cut = { revision: 1, remarks: 'Meno iscritti', amounts: { [actionId]: 4000_00 } };
    const reduced = await post(app, auth, `/${funded.id}/reduce`, cut);
    expect(reduced.body).toMatchObject({ releasedCents: 1000_00, repeated: false });
    const cutBefore = await written(funded.id);
    const reducedAgain = await post(app, auth, `/${funded.id}/reduce`, cut);
    expect([reducedAgain.status, reducedAgain.body]).toEqual([
      200,
      { ...reduced.body, repeated: true },
    ]);
    expect(await written(funded.id)).toEqual(cutBefore);
  });
});

describe('PATCH /api/v1/calls/:id', () => {
  const draft = {
    title: 'Digitale per le PMl',
    territoryCode: 'ITI1',
    budgetCents: 500_000_00,
    courseHourCents: 100_00,
    participantHourCents: 5_00,
    minParticipants: 5,
    maxParticipants: 12,
    deadline: farDay(),
    skillAreas: ['DC1'],
    allocations: [{ territoryCode: 'ITI14', amountCents: 100_000_00 }],
  };

  it('corrects the fields sent, keeps the others, and clears one sent as null', async () => {
    const app = testApp(t);
    const region = await newUser(t.db, { role: 'region' });
    const auth = await tokenFor(app, region.email);
    const created = await request(app).post('/api/v1/calls').set('Authorization', auth).send(draft);
    const res = await request(app)
      .patch(`/api/v1/calls/${created.body.id}`)
      .set('Authorization', auth)
      .send({ title: 'Digitale per le PMI', minParticipants: null, skillAreas: ['DC1', 'DC2'] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      title: 'Digitale per le PMI',
      status: 'draft',
      budgetCents: 500_000_00,
      minParticipants: null,
      maxParticipants: 12,
      deadline: draft.deadline,
      skillAreas: ['DC1', 'DC2'],
      allocations: [{ territoryCode: 'ITI14', amountCents: 100_000_00, committedCents: 0 }],
    });
    const row = await t.db
      .selectFrom('funding_calls')
      .selectAll()
      .where('id', '=', created.body.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ title: 'Digitale per le PMI', min_participants: null });
    const got = await request(app)
      .get(`/api/v1/calls/${created.body.id}`)
      .set('Authorization', auth);
    expect(got.body).toEqual(res.body);
  });

  it('fixes a draft whose deadline has gone by, which could then not be opened', async () => {
    const app = testApp(t);
    const region = await newUser(t.db, { role: 'region' });
    const auth = await tokenFor(app, region.email);
    const call = await newCall(t.db, region, { status: 'draft', deadline: '2020-01-31' });
    const open = await request(app)
      .post(`/api/v1/calls/${call.id}/open`)
      .set('Authorization', auth);
    expect(open.status).toBe(409);
    // Anything else alone is refused: the draft as a whole must keep the rules of a new call.
    const title = await request(app)
      .patch(`/api/v1/calls/${call.id}`)
      .set('Authorization', auth)
      .send({ title: 'Nuovo titolo' });
    expect(title.status).toBe(422);
    expect(title.body.errors).toEqual([
      { pointer: 'body/deadline', detail: 'La scadenza non può essere già passata.' },
    ]);
    const fixed = await request(app)
      .patch(`/api/v1/calls/${call.id}`)
      .set('Authorization', auth)
      .send({ deadline: farDay() });
    expect(fixed.status).toBe(200);
    expect(fixed.body.deadline).toBe(farDay());
    const opened = await request(app)
      .post(`/api/v1/calls/${call.id}/open`)
      .set('Authorization', auth);
    expect(opened.status).toBe(200);
  });

  it('refuses bad input with 422 naming each field, writing nothing', async () => {
    const app = testApp(t);
    const region = await newUser(t.db, { role: 'region' });
    const auth = await tokenFor(app, region.email);
    const created = await request(app).post('/api/v1/calls').set('Authorization', auth).send(draft);
    const id = created.body.id as string;
    const cases: [object, string[]][] = [
      [{ budgetCents: -5, title: '' }, ['body/title', 'body/budgetCents']],
      [{ colour: 'red' }, ['body/_form']],
      [{ title: null }, ['body/title']],
      // The minimum sent alone is checked against the stored maximum (12).
      [{ minParticipants: 20 }, ['body/maxParticipants']],
      [{ budgetCents: 50_000_00 }, ['body/allocations.0.amountCents']],
      [{ territoryCode: 'ITC1' }, ['body/territoryCode']],
    ];
    for (const [body, pointers] of cases) {
      const res = await request(app)
        .patch(`/api/v1/calls/${id}`)
        .set('Authorization', auth)
        .send(body);
      expect([res.status, res.body.errors?.map((e: { pointer: string }) => e.pointer)]).toEqual([
        422,
        pointers,
      ]);
    }
    // Sent as a form or as text, the change would read as none: refused, not a silent 200.
    const form = await request(app)
      .patch(`/api/v1/calls/${id}`)
      .set('Authorization', auth)
      .type('form')
      .send({ title: 'Altro' });
    expect([form.status, form.type]).toEqual([415, 'application/problem+json']);
    const row = await t.db
      .selectFrom('funding_calls')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      title: draft.title,
      budget_cents: 500_000_00,
      min_participants: 5,
    });
  });

  it('is 409 once opened, 404 outside the region, 403 for an authority', async () => {
    const app = testApp(t);
    const region = await newUser(t.db, { role: 'region' });
    const auth = await tokenFor(app, region.email);
    const open = await newCall(t.db, region, { status: 'open' });
    const res = await request(app)
      .patch(`/api/v1/calls/${open.id}`)
      .set('Authorization', auth)
      .send({ title: 'Altro' });
    expect(res.status).toBe(409);
    expect(res.body.detail).toContain('bozza');
    const lombardy = await newUser(t.db, { role: 'region', territory: 'ITC4' });
    const draftCall = await newCall(t.db, region, { status: 'draft' });
    const other = await request(app)
      .patch(`/api/v1/calls/${draftCall.id}`)
      .set('Authorization', await tokenFor(app, lombardy.email))
      .send({ title: 'Altro' });
    expect(other.status).toBe(404);
    const authority = await newUser(t.db, { role: 'local_authority' });
    const forbidden = await request(app)
      .patch(`/api/v1/calls/${draftCall.id}`)
      .set('Authorization', await tokenFor(app, authority.email))
      .send({ title: 'Altro' });
    expect(forbidden.status).toBe(403);
    const row = await t.db
      .selectFrom('funding_calls')
      .select('title')
      .where('id', 'in', [open.id, draftCall.id])
      .execute();
    expect(row.map((r) => r.title)).not.toContain('Altro');
  });

  it('is in the OpenAPI document', async () => {
    const doc = await request(testApp(t)).get('/api/v1/openapi.json');
    const op = doc.body.paths['/calls/{id}'].patch;
    expect(op.operationId).toBe('updateCall');
    expect(Object.keys(op.responses).sort()).toEqual([
      '200',
      '400',
      '401',
      '403',
      '404',
      '409',
      '413',
      '415',
      '422',
    ]);
    expect(doc.body.paths['/campaigns/{id}'].patch.operationId).toBe('updateCampaign');
  });
});
