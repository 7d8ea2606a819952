import request from 'supertest';
import { sql } from 'kysely';
import { testApp } from '../helpers/app';
import { newUser } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { newCampaign } from '../needs/factories';
import { createApiToken } from '../../src/modules/accounts/tokens.service';
import { romeToday } from '../../src/modules/survey/calendar';
import { addDays } from '../survey/helpers';

let t: TestDb;
let app: ReturnType<typeof testApp>;
let campaignId: string;
beforeAll(async () => {
  t = await newTestDb();
  app = testApp(t);
  campaignId = (await newCampaign(t.db, { territory: 'ITI1' })).id;
});
afterAll(() => t.close());

async function authority() {
  const user = await newUser(t.db, { role: 'local_authority', territory: 'ITI14' });
  const { token } = await createApiToken(t.db, user.id, 'test');
  return { user, auth: `Bearer ${token}` };
}

/** The user's keys as a request that failed after its creation committed leaves them. */
const lose = (userId: string) =>
  t.db
    .updateTable('api_idempotency_keys')
    .set({ running: false, status: null, body: null })
    .where('user_id', '=', userId)
    .execute();

const pact = (title: string) => ({ campaignId, territoryCode: 'ITI14', title, summary: '' });

const createPact = (auth: string, body: object, key?: string) => {
  const req = request(app).post('/api/v1/pacts').set('Authorization', auth);
  return (key === undefined ? req : req.set('Idempotency-Key', key)).send(body);
};

async function pactsTitled(title: string) {
  const rows = await t.db.selectFrom('pacts').select('id').where('title', '=', title).execute();
  return rows.length;
}

describe('Idempotency-Key on the API operations that create', () => {
  it('without the header, a retry creates again (unchanged)', async () => {
    const { auth } = await authority();
    expect((await createPact(auth, pact('No key'))).status).toBe(201);
    expect((await createPact(auth, pact('No key'))).status).toBe(201);
    expect(await pactsTitled('No key')).toBe(2);
  });

  it('a retry with the same key creates one pact and replays the first status and body', async () => {
    const { auth } = await authority();
    const first = await createPact(auth, pact('Keyed'), 'retry-1');
    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    // The same body with its fields in another order is the same request.
    const { title, ...rest } = pact('Keyed');
    const again = await createPact(auth, { title, ...rest }, 'retry-1');
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers['content-type']).toContain('application/json');
    expect(again.body).toEqual(first.body);
    expect(await pactsTitled('Keyed')).toBe(1);
  });

  it('the same key with another body or another operation is a 422 that creates nothing', async () => {
    const { auth } = await authority();
    const first = await createPact(auth, pact('Reused A'), 'reused');
    expect(first.status).toBe(201);
    const other = await createPact(auth, pact('Reused B'), 'reused');
    expect(other.status).toBe(422);
    expect(other.headers['content-type']).toContain('application/problem+json');
    expect(other.body).toMatchObject({
      status: 422,
      errors: [{ pointer: 'header/Idempotency-Key' }],
    });
    expect(other.body.detail).toMatch(/Idempotency-Key.*createPact/);
    expect(await pactsTitled('Reused B')).toBe(0);
    const addAction = (body: object) =>
      request(app)
        .post(`/api/v1/pacts/${first.body.id}/actions`)
        .set('Authorization', auth)
        .set('Idempotency-Key', 'reused')
        .set('Accept-Language', 'en')
        .send(body);
    // Invalid first: a body the schema refuses is told so, and never takes the key.
    const invalid = await addAction({ revision: 1 });
    expect(invalid.status).toBe(422);
    expect(invalid.body.errors[0].pointer).toMatch(/^body\//);
    const action = {
      revision: 1,
      title: 'Robotica di base',
      skills: ['F40.a'],
      participants: 1,
      hours: 40,
      modality: 'classroom',
      eqfLevel: 4,
      period: '2027-Q1',
    };
    const otherOperation = await addAction(action);
    expect(otherOperation.status).toBe(422);
    expect(otherOperation.body.detail).toMatch(/already used for a different request \(createPact/);
    const actions = () =>
      t.db.selectFrom('pact_actions').select('id').where('pact_id', '=', first.body.id).execute();
    expect(await actions()).toHaveLength(0);
    // Under a key of its own the same action reaches the pact's rules (no need declared here):
    // the 422 was the key's.
    const ownKey = await request(app)
      .post(`/api/v1/pacts/${first.body.id}/actions`)
      .set('Authorization', auth)
      .set('Idempotency-Key', 'action-1')
      .send(action);
    expect(ownKey.status).toBe(409);
    expect(ownKey.body.errors).toEqual([
      { pointer: 'body/participants', detail: expect.any(String) },
    ]);
  });

  it("another user's same key is another request", async () => {
    const a = await authority();
    const b = await authority();
    const first = await createPact(a.auth, pact('Shared key'), 'same-key');
    const second = await createPact(b.auth, pact('Shared key'), 'same-key');
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.headers['idempotent-replayed']).toBeUndefined();
    expect(second.body.id).not.toBe(first.body.id);
    expect(await pactsTitled('Shared key')).toBe(2);
  });

  it('two requests with the same key at the same moment create one pact', async () => {
    const { auth } = await authority();
    const answers = await Promise.all(
      [1, 2, 3].map(() => createPact(auth, pact('Concurrent'), 'at-once')),
    );
    expect(await pactsTitled('Concurrent')).toBe(1);
    const made = answers.filter((r) => r.status === 201 && !r.headers['idempotent-replayed']);
    expect(made).toHaveLength(1);
    for (const r of answers.filter((a) => a !== made[0]))
      if (r.status === 409) {
        expect(r.headers['retry-after']).toBe('1');
        expect(r.body.errors).toEqual([
          { pointer: 'header/Idempotency-Key', detail: expect.stringMatching(/ancora in corso/) },
        ]);
      } else expect(r.body).toEqual(made[0]!.body);
    // Once the first has answered, the same key gets its answer.
    const later = await createPact(auth, pact('Concurrent'), 'at-once');
    expect(later.status).toBe(201);
    expect(later.body).toEqual(made[0]!.body);
  });

  it('a malformed key is a 400 naming the header, and creates nothing', async () => {
    const { auth } = await authority();
    for (const key of ['x'.repeat(256), 'clé', 'two words', ''])
      expect(await createPact(auth, pact('Bad key'), key)).toMatchObject({
        status: 400,
        body: {
          status: 400,
          errors: [{ pointer: 'header/Idempotency-Key', detail: expect.stringMatching(/255/) }],
        },
      });
    expect(await pactsTitled('Bad key')).toBe(0);
    expect((await createPact(auth, pact('Long key'), 'k'.repeat(255))).status).toBe(201);
  });

  it('a refused request leaves its key free for the corrected one', async () => {
    const { auth } = await authority();
    const outside = await createPact(auth, { ...pact('Fixed'), territoryCode: 'ITI15' }, 'fix-me');
    expect(outside.status).toBe(422);
    const fixed = await createPact(auth, pact('Fixed'), 'fix-me');
    expect(fixed.status).toBe(201);
    expect(fixed.headers['idempotent-replayed']).toBeUndefined();
    expect(await pactsTitled('Fixed')).toBe(1);
  });

  it('a key is forgotten after 24 hours', async () => {
    const { user, auth } = await authority();
    expect((await createPact(auth, pact('Expired'), 'old-key')).status).toBe(201);
    await t.db
      .updateTable('api_idempotency_keys')
      .set({ created_at: sql<Date>`now() - interval '25 hours'` })
      .where('user_id', '=', user.id)
      .execute();
    const after = await createPact(auth, pact('Expired'), 'old-key');
    expect(after.status).toBe(201);
    expect(after.headers['idempotent-replayed']).toBeUndefined();
    expect(await pactsTitled('Expired')).toBe(2);
    const kept = await t.db
      .selectFrom('api_idempotency_keys')
      .select('created_at')
      .where('user_id', '=', user.id)
      .execute();
    expect(kept).toHaveLength(1);
  });

  it("a campaign is made once even when the first answer was lost before it was kept (the service's form key)", async () => {
    const region = await newUser(t.db, { role: 'region', territory: 'ITI1' });
    const auth = `Bearer ${(await createApiToken(t.db, region.id, 'test')).token}`;
    const body = {
      title: 'Idempotent campaign',
      territoryCode: 'ITI1',
      opensAt: romeToday(),
      closesAt: addDays(romeToday(), 10),
      skillAreas: ['F40'],
      readiness: false,
    };
    const post = () =>
      request(app)
        .post('/api/v1/campaigns')
        .set('Authorization', auth)
        .set('Idempotency-Key', 'campaign-1')
        .send(body);
    const first = await post();
    expect(first.status).toBe(201);
    // As if the request had failed after the creation's commit (the key freed, no answer kept).
    await lose(region.id);
    const again = await post();
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    const rows = await t.db
      .selectFrom('campaigns')
      .select('id')
      .where('title', '=', 'Idempotent campaign')
      .execute();
    expect(rows).toHaveLength(1);
  });

  it('so is a pact (its formId), also when its process died while it ran', async () => {
    const { user, auth } = await authority();
    const first = await createPact(auth, pact('Lost answer'), 'pact-lost');
    expect(first.status).toBe(201);
    await lose(user.id);
    expect((await createPact(auth, pact('Lost answer'), 'pact-lost')).body.id).toBe(first.body.id);
    // Still "running" after a process died: refused for 10 minutes, then claimed again.
    const running = (minutes: number) =>
      t.db
        .updateTable('api_idempotency_keys')
        .set({
          running: true,
          status: null,
          claimed_at: sql<Date>`now() - ${minutes} * interval '1 minute'`,
        })
        .where('user_id', '=', user.id)
        .execute();
    await running(1);
    expect((await createPact(auth, pact('Lost answer'), 'pact-lost')).status).toBe(409);
    await running(11);
    const again = await createPact(auth, pact('Lost answer'), 'pact-lost');
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(await pactsTitled('Lost answer')).toBe(1);
  });

  it('the OpenAPI document gives the header to the creating operations, and only to them', async () => {
    const doc = (await request(app).get('/api/v1/openapi.json')).body;
    const keyed: string[] = [];
    for (const methods of Object.values(doc.paths) as Record<string, Record<string, unknown>>[])
      for (const op of Object.values(methods) as {
        operationId: string;
        parameters?: { $ref?: string }[];
        responses: Record<string, { headers?: Record<string, unknown> }>;
      }[])
        if (op.parameters?.some((p) => p.$ref === '#/components/parameters/IdempotencyKey')) {
          keyed.push(op.operationId);
          expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['400', '409', '422']));
          expect(op.responses['201']!.headers).toHaveProperty('Idempotent-Replayed');
        }
    expect(keyed.sort()).toEqual(
      [
        'addAction',
        'commentOnPact',
        'createCall',
        'createCampaign',
        'createPact',
        'grantDelegation',
        'inviteSignatory',
        'proposeAmendment',
        'signPact',
        'submitResponse',
      ].sort(),
    );
    expect(doc.components.parameters.IdempotencyKey).toMatchObject({
      in: 'header',
      name: 'Idempotency-Key',
      schema: { type: 'string', minLength: 1, maxLength: 255 },
    });
    expect(doc.components.parameters.IdempotencyKey.required).toBeFalsy();
  });
});
