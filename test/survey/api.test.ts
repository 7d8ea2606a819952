import request from 'supertest';
import { testApp } from '../helpers/app';
import { newUser, PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { romeToday } from '../../src/modules/survey/calendar';
import { addDays, newCampaign, newFirmUser, newVat, quarterAhead } from './helpers';

let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
});
afterAll(() => t.close());

type App = ReturnType<typeof testApp>;

async function tokenFor(app: App, email: string) {
  const res = await request(app).post('/api/v1/tokens').send({ email, password: PASSWORD });
  return `Bearer ${res.body.token as string}`;
}

const line = (o: Record<string, unknown> = {}) => ({
  skill: 'F40.b',
  occupation: '72',
  workers: 3,
  eqf: 4,
  priority: 'medium',
  modality: 'on_the_job',
  period: quarterAhead(2),
  ...o,
});

/** saveResponseDraft and submitResponse as the firm (or its delegate) holding `auth`. */
const saveDraft = (app: App, auth: string, campaign: string, body: object) =>
  request(app)
    .put(`/api/v1/campaigns/${campaign}/response/draft`)
    .set('Authorization', auth)
    .send(body);
const submit = (app: App, auth: string, campaign: string, body: object) =>
  request(app)
    .post(`/api/v1/campaigns/${campaign}/response/submit`)
    .set('Authorization', auth)
    .send(body);

describe('the survey API', () => {
  it('registerFirm refuses a province with 422 on the field, creating no account', async () => {
    const email = 'api-province@test.patto';
    const reg = await request(testApp(t)).post('/api/v1/firms').send({
      organisationName: 'Officine Provincia',
      territoryCode: 'ITI14',
      fullName: 'Ada Api',
      email,
      password: 'a long enough password',
    });
    expect(reg.status).toBe(422);
    expect(JSON.stringify(reg.body)).toContain('territoryCode');
    const users = await t.db.selectFrom('users').select('id').where('email', '=', email).execute();
    expect(users).toEqual([]);
  });

  it('registerFirm → updateMyFirm → a campaign → draft → submit → listResponses', async () => {
    const app = testApp(t);
    const email = 'api-firm@test.patto';
    const reg = await request(app).post('/api/v1/firms').send({
      organisationName: 'Officine API',
      territoryCode: '048014',
      fullName: 'Ada Api',
      email,
      password: 'a long enough password',
    });
    expect(reg.status).toBe(201);
    expect(reg.body).toMatchObject({
      legalName: 'Officine API',
      complete: false,
      territoryCode: '048014',
    });
    const firmAuth = `Bearer ${(await request(app).post('/api/v1/tokens').send({ email, password: 'a long enough password' })).body.token}`;
    // The new firm is read where Location says, with its user's token.
    expect(reg.headers.location).toBe('/api/v1/firms/me');
    const read = await request(app).get(reg.headers.location!).set('Authorization', firmAuth);
    expect([read.status, read.body.id]).toEqual([200, reg.body.id]);
    const upd = await request(app).put('/api/v1/firms/me').set('Authorization', firmAuth).send({
      legalName: 'Officine API S.r.l.',
      vatNumber: newVat(),
      naceDivision: '28',
      employees: 12,
      territoryCode: '048014',
      contactName: 'Ada Api',
      contactEmail: email,
    });
    expect(upd.status).toBe(200);
    expect(upd.body).toMatchObject({ complete: true, sizeClass: 'small', naceSection: 'C' });

    const region = await newUser(t.db, { role: 'region' });
    const regionAuth = await tokenFor(app, region.email);
    const created = await request(app)
      .post('/api/v1/campaigns')
      .set('Authorization', regionAuth)
      .send({
        title: 'API campaign',
        territoryCode: 'ITI1',
        opensAt: romeToday(),
        closesAt: addDays(romeToday(), 10),
        skillAreas: ['F40'],
        readiness: false,
      });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(
      (await request(app).post(`/api/v1/campaigns/${id}/open`).set('Authorization', regionAuth))
        .body.state,
    ).toBe('open');

    const listed = await request(app).get('/api/v1/campaigns').set('Authorization', firmAuth);
    expect(listed.body).toEqual([expect.objectContaining({ id, answer: 'not_started' })]);

    const mine = await request(app)
      .get(`/api/v1/campaigns/${id}/response`)
      .set('Authorization', firmAuth);
    expect(mine.status).toBe(200);
    const v = mine.body.draft.version as number;
    const bad = await saveDraft(app, firmAuth, id, { version: v, needs: [line({ workers: 2.5 })] });
    expect(bad.status).toBe(422);
    // A fractional head count is named for what it is, not reported as a missing field.
    expect(bad.body.errors).toEqual([
      { pointer: 'body/needs.0.workers', detail: 'Inserisci un numero intero' },
    ]);
    const saved = await saveDraft(app, firmAuth, id, {
      version: v,
      needs: [line(), line({ workers: 13 })],
    });
    expect(saved.status).toBe(200);
    // 13 workers in a firm of 12, and a duplicate: submit names the first problem's field.
    const refused = await submit(app, firmAuth, id, { version: saved.body.version });
    expect(refused.status).toBe(422);
    expect(refused.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual([
      'body/needs.1.workers',
      'body/needs.1.skill',
    ]);
    const stale = await saveDraft(app, firmAuth, id, { version: v, needs: [line()] });
    expect(stale.status).toBe(409);
    // Answers sent with the submit: checked as a draft would be; refused, they change nothing.
    const outside = await submit(app, firmAuth, id, {
      version: saved.body.version,
      needs: [line({ skill: 'DC1.1' })],
    });
    expect(outside.status).toBe(422);
    expect(outside.body.errors[0].pointer).toBe('body/needs.0.skill');
    const kept = await request(app)
      .get(`/api/v1/campaigns/${id}/response`)
      .set('Authorization', firmAuth);
    expect(kept.body.draft).toMatchObject({ version: saved.body.version, state: 'editing' });
    expect(kept.body.draft.payload.needs).toHaveLength(2);
    // One call: the answers replace the draft's and are submitted in the same transaction.
    const answers = [line(), line({ eqf: 5, workers: 12 })];
    const submitted = await submit(app, firmAuth, id, {
      version: saved.body.version,
      needs: answers,
    });
    expect(submitted.status).toBe(201);
    expect(submitted.body).toEqual({ id: expect.any(String), version: 1, repeated: false });
    // Location: the firm's answer to the campaign, whose latest version is the one just made.
    expect(submitted.headers.location).toBe(`/api/v1/campaigns/${id}/response`);
    const answer = await request(app)
      .get(submitted.headers.location!)
      .set('Authorization', firmAuth);
    expect(answer.body.latest).toMatchObject({ id: submitted.body.id, version: 1 });
    // A retry of the very same call (its answer lost): the version it made, nothing new.
    const retry = await submit(app, firmAuth, id, { version: saved.body.version, needs: answers });
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual({ id: submitted.body.id, version: 1, repeated: true });
    expect(retry.headers.location).toBeUndefined();
    // The same version with other answers is not a retry: refused as before.
    const other = await submit(app, firmAuth, id, {
      version: saved.body.version,
      needs: [line({ workers: 2 })],
    });
    expect(other.status).toBe(409);
    expect(
      await t.db.selectFrom('responses').select('id').where('campaign_id', '=', id).execute(),
    ).toHaveLength(1);
    const after = await request(app)
      .get(`/api/v1/campaigns/${id}/response`)
      .set('Authorization', firmAuth);
    expect(after.body.draft).toMatchObject({ state: 'submitted', payload: { needs: answers } });

    const list = await request(app)
      .get(`/api/v1/campaigns/${id}/responses?status=current`)
      .set('Authorization', regionAuth);
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({
      total: 1,
      items: [{ id: submitted.body.id, workersTotal: 15, sizeClass: 'small' }],
    });
    expect(
      (await request(app).get(`/api/v1/campaigns/${id}/responses`).set('Authorization', firmAuth))
        .status,
    ).toBe(403);

    const w = await request(app)
      .post(`/api/v1/responses/${submitted.body.id}/withdraw`)
      .set('Authorization', firmAuth);
    expect(w.body).toEqual({ id: submitted.body.id, status: 'withdrawn', repeated: false });
    // A retry after a lost answer: done already, said so.
    const again = await request(app)
      .post(`/api/v1/responses/${submitted.body.id}/withdraw`)
      .set('Authorization', firmAuth);
    expect([again.status, again.body]).toEqual([
      200,
      { id: submitted.body.id, status: 'withdrawn', repeated: true },
    ]);
    const row = await t.db
      .selectFrom('responses')
      .select('status')
      .where('id', '=', submitted.body.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('withdrawn');

    // A submitted answer is not saved over: the API says how to change it, and can.
    const closed = await request(app)
      .get(`/api/v1/campaigns/${id}/response`)
      .set('Authorization', firmAuth);
    const over = await saveDraft(app, firmAuth, id, {
      version: closed.body.draft.version,
      needs: [line({ workers: 4 })],
    }).set('Accept-Language', 'en');
    expect([over.status, over.body.detail]).toEqual([
      409,
      'This answer has already been submitted: to change it, reopen it as a draft (amendResponse: POST …/response/amend), then save it and submit it again.',
    ]);
    const amend = () =>
      request(app).post(`/api/v1/campaigns/${id}/response/amend`).set('Authorization', firmAuth);
    const reopened = await amend();
    expect(reopened.status).toBe(200);
    expect(reopened.body.state).toBe('editing');
    expect(reopened.body.payload.needs).toHaveLength(2);
    // Asked again (a retry): the draft as it stands, opened once.
    expect((await amend()).body).toEqual(reopened.body);
    const changed = await submit(app, firmAuth, id, {
      version: reopened.body.version,
      needs: [line({ workers: 4 })],
    });
    expect([changed.status, changed.body.version]).toEqual([201, 2]);
  });

  it('publishes the contract operationIds', async () => {
    const res = await request(testApp(t)).get('/api/v1/openapi.json');
    const ids = Object.values(
      res.body.paths as Record<string, Record<string, { operationId: string }>>,
    ).flatMap((p) => Object.values(p).map((o) => o.operationId));
    expect(ids).toEqual(
      expect.arrayContaining([
        'registerFirm',
        'getMyFirm',
        'updateMyFirm',
        'listCampaigns',
        'createCampaign',
        'openCampaign',
        'closeCampaign',
        'getMyResponse',
        'saveResponseDraft',
        'submitResponse',
        'withdrawResponse',
        'listResponses',
      ]),
    );
  });

  it('lists every problem of a refused submit where the body names it, readiness answers under readiness', async () => {
    const app = testApp(t);
    const firm = await newFirmUser(t.db);
    const auth = await tokenFor(app, firm.email);
    const { id } = await newCampaign(t.db, { readiness: true });
    const opened = await request(app)
      .get(`/api/v1/campaigns/${id}/response`)
      .set('Authorization', auth);
    expect(opened.status).toBe(200);
    // Saved as a draft: need lines of the right shape, but more workers than the firm's 40, and
    // no readiness answers yet. The submit's own check names both, each where the body puts it.
    const saved = await saveDraft(app, auth, id, {
      version: opened.body.draft.version,
      needs: [line({ workers: 41 })],
    });
    expect(saved.status).toBe(200);
    const refused = await submit(app, auth, id, { version: saved.body.version });
    expect(refused.status).toBe(422);
    const pointers = (refused.body.errors as { pointer: string }[]).map((e) => e.pointer);
    expect(pointers).toEqual(
      expect.arrayContaining([
        'body/readiness.strategy',
        'body/readiness.green',
        'body/needs.0.workers',
      ]),
    );
    expect(pointers.every((p) => /^body\/(readiness|needs)\./.test(p))).toBe(true);
    for (const e of refused.body.errors as { detail: string }[]) expect(e.detail).not.toBe('');
    // Several fields refused: the summary says so instead of repeating the first field's reason.
    expect(refused.body.detail).toBe('Alcuni campi non sono validi.');
    // Nothing was written: the draft is as it was, and no version exists.
    const after = await request(app)
      .get(`/api/v1/campaigns/${id}/response`)
      .set('Authorization', auth);
    expect(after.body).toMatchObject({
      draft: { version: saved.body.version },
      latest: null,
    });
  });
  it('checks a submit against the skills as they are then: one retired after the draft was saved is refused', async () => {
    const app = testApp(t);
    const firm = await newFirmUser(t.db);
    const auth = await tokenFor(app, firm.email);
    const { id } = await newCampaign(t.db, { readiness: false });
    const opened = await request(app)
      .get(`/api/v1/campaigns/${id}/response`)
      .set('Authorization', auth);
    const saved = await saveDraft(app, auth, id, {
      version: opened.body.draft.version,
      needs: [line({ skill: 'F40.a' }), line({ skill: 'F40.c' })],
    });
    expect(saved.status).toBe(200);
    await t.db
      .updateTable('skills')
      .set({ valid_to: addDays(romeToday(), -1) })
      .where('code', '=', 'F40.c')
      .execute();
    try {
      // The draft's lines: the retired one is named, the other is not.
      const refused = await submit(app, auth, id, { version: saved.body.version });
      expect(refused.status).toBe(422);
      expect(refused.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual([
        'body/needs.1.skill',
      ]);
      // Lines sent with the submit replace the draft's: checked the same way.
      const sent = await submit(app, auth, id, {
        version: saved.body.version,
        needs: [line({ skill: 'F40.c' }), line({ skill: 'F40.d' })],
      });
      expect(sent.status).toBe(422);
      expect(sent.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual([
        'body/needs.0.skill',
      ]);
      const accepted = await submit(app, auth, id, {
        version: saved.body.version,
        needs: [line({ skill: 'F40.d' }), line({ skill: 'F40.a', eqf: 5 })],
      });
      expect(accepted.status).toBe(201);
      const lines = await t.db
        .selectFrom('response_needs')
        .select(['skill_code', 'area_code'])
        .where('response_id', '=', accepted.body.id)
        .orderBy('line_no')
        .execute();
      expect(lines).toEqual([
        { skill_code: 'F40.d', area_code: 'F40' },
        { skill_code: 'F40.a', area_code: 'F40' },
      ]);
    } finally {
      await t.db
        .updateTable('skills')
        .set({ valid_to: null })
        .where('code', '=', 'F40.c')
        .execute();
    }
  });
});
