import type { Express } from 'express';
import request from 'supertest';
import { testApp } from '../helpers/app';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { newPact } from './factories';
import { pactScenario, type PactScenario } from './scenario';

/**
 * A comment, an amendment or a signature sent with an Idempotency-Key whose answer was lost after
 * the creation committed (the key freed, nothing kept): the retry with the same key gets what the
 * first request made, and makes nothing more, even once the pact moved on meanwhile.
 */
let t: TestDb;
let app: Express;
let s: PactScenario;

beforeAll(async () => {
  t = await newTestDb();
  app = testApp(t);
  s = await pactScenario(t.db);
});
afterAll(() => t.close());

/** The user's keys as a request that failed after its creation committed leaves them. */
const lose = (userId: string) =>
  t.db
    .updateTable('api_idempotency_keys')
    .set({ running: false, status: null, body: null })
    .where('user_id', '=', userId)
    .execute();

async function negotiating() {
  const pact = await newPact(t.db, {
    promoter: s.authority,
    campaign: s.campaign.id,
    status: 'negotiation',
    actions: [{ title: 'Uno' }, { title: 'Due' }],
    signatories: [s.employers.organisationId, s.union.organisationId],
  });
  const promoter = `Bearer ${await s.token(s.authority.id)}`;
  const partner = `Bearer ${await s.token(s.employers.id)}`;
  const read = await request(app).get(`/api/v1/pacts/${pact.id}`).set('Authorization', promoter);
  /** The promoter removes the second action: the pact moves on to revision 2. */
  const moveOn = async () => {
    const res = await request(app)
      .delete(`/api/v1/pacts/${pact.id}/actions/${read.body.actions[1].id as string}`)
      .set('Authorization', promoter)
      .send({ revision: 1 });
    expect([res.status, res.body.revision]).toEqual([200, 2]);
  };
  const post = (path: string, key: string, body: object) =>
    request(app)
      .post(`/api/v1/pacts/${pact.id}${path}`)
      .set('Authorization', partner)
      .set('Idempotency-Key', key)
      .send(body);
  return { pact, read: read.body, promoter, post, moveOn };
}

const rows = (table: 'pact_comments' | 'pact_amendments' | 'pact_signatures', pactId: string) =>
  t.db.selectFrom(table).select('pact_id').where('pact_id', '=', pactId).execute();

describe('a creation retried with its Idempotency-Key after its answer was lost', () => {
  it('a comment: the first one, at the revision it was written on', async () => {
    const { pact, post, moveOn } = await negotiating();
    const body = { body: 'Serve più tempo per il corso' };
    const first = await post('/comments', 'comment-1', body);
    expect([first.status, first.body.revision]).toEqual([201, 1]);
    await lose(s.employers.id);
    await moveOn();
    const again = await post('/comments', 'comment-1', body);
    expect([again.status, again.body]).toEqual([201, first.body]);
    expect(await rows('pact_comments', pact.id)).toHaveLength(1);
  });

  it('an amendment: the first one, even once it was declined', async () => {
    const { pact, post, promoter } = await negotiating();
    const body = {
      kind: 'change_pact',
      title: 'Titolo nuovo',
      rationale: 'Più chiaro',
      revision: 1,
    };
    const first = await post('/amendments', 'amendment-1', body);
    expect(first.status).toBe(201);
    await lose(s.employers.id);
    const declined = await request(app)
      .post(`/api/v1/pacts/${pact.id}/amendments/${first.body.id as string}/decision`)
      .set('Authorization', promoter)
      .send({ revision: 1, decision: 'decline', reason: 'Il titolo resta' });
    expect(declined.status).toBe(200);
    const again = await post('/amendments', 'amendment-1', body);
    expect([again.status, again.body]).toEqual([201, first.body]);
    expect(await rows('pact_amendments', pact.id)).toHaveLength(1);
  });

  it('a signature: answered as the first was (201), even once the pact moved on', async () => {
    const { pact, read, post, moveOn } = await negotiating();
    const body = { revision: 1, hash: read.revisionHash as string };
    const first = await post('/signatures', 'signature-1', body);
    expect([first.status, first.body.repeated]).toEqual([201, false]);
    await lose(s.employers.id);
    const retried = await post('/signatures', 'signature-1', body);
    expect([retried.status, retried.body]).toEqual([201, first.body]);
    await lose(s.employers.id);
    await moveOn();
    const later = await post('/signatures', 'signature-1', body);
    expect([later.status, later.body]).toEqual([201, first.body]);
    expect(await rows('pact_signatures', pact.id)).toHaveLength(1);
    // A new key is a new request: revision 1 is no longer current.
    expect((await post('/signatures', 'signature-2', body)).status).toBe(409);
  });
});
