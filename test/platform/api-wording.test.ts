import type { Express, Request, Response } from 'express';
import request from 'supertest';
import { z } from 'zod';
import { errorHandler } from '../../src/http/errors';
import { getI18n } from '../../src/http/i18n';
import { invalidInput } from '../../src/http/validate';
import { submitForm, type Agent } from '../helpers/app';
import type { TestDb } from '../helpers/test-db';
import { newPact } from '../pacts/factories';
import { signedInScenario, type PactScenario } from '../pacts/scenario';

/**
 * The API's errors said in the API's words: a program has no page to reload, no form below, no
 * list to choose from; it is told which field of its request is wrong and what to send instead.
 */
let t: TestDb;
let app: Express;
let s: PactScenario;
let employers: Agent;

beforeAll(async () => {
  ({ t, app, s, employers } = await signedInScenario());
});
afterAll(() => t.close());

const pageWords = /reload|page|form|below|list|pagina|modulo|sotto|elenco/i;

/** A pact in negotiation that moved on to revision 2 (the promoter removed one of two actions). */
async function movedOn() {
  const pact = await newPact(t.db, {
    promoter: s.authority,
    campaign: s.campaign.id,
    status: 'negotiation',
    actions: [{ title: 'Uno' }, { title: 'Due' }],
    signatories: [s.employers.organisationId, s.union.organisationId],
  });
  const promoter = { Authorization: `Bearer ${await s.token(s.authority.id)}` };
  const read = await request(app).get(`/api/v1/pacts/${pact.id}`).set(promoter);
  const removed = await request(app)
    .delete(`/api/v1/pacts/${pact.id}/actions/${read.body.actions[1].id as string}`)
    .set(promoter)
    .send({ revision: 1 });
  expect([removed.status, removed.body.revision]).toEqual([200, 2]);
  return { pact, first: read.body.actions[0].id as string, now: removed.body };
}

describe('a request made against a revision no longer current', () => {
  it('is a 409 pointing at body/revision that says to read the pact again, not to reload a page', async () => {
    const { pact, first, now } = await movedOn();
    const partner = { Authorization: `Bearer ${await s.token(s.employers.id)}` };
    const en = { ...partner, 'Accept-Language': 'en' };

    const stale = await request(app)
      .post(`/api/v1/pacts/${pact.id}/signatures`)
      .set(en)
      .send({ revision: 1, hash: now.revisionHash });
    const signing =
      'Revision 1 is no longer current: the pact is now at revision 2, and the signature was not recorded. Read the pact again (GET /api/v1/pacts/{id}) and sign its “revision” with its “revisionHash”.';
    expect([stale.status, stale.body.detail]).toEqual([409, signing]);
    expect(stale.body.errors).toEqual([{ pointer: 'body/revision', detail: signing }]);

    const tampered = await request(app)
      .post(`/api/v1/pacts/${pact.id}/signatures`)
      .set(en)
      .send({ revision: 2, hash: 'f'.repeat(64) });
    expect(tampered.status).toBe(409);
    expect(tampered.body.errors).toEqual([
      {
        pointer: 'body/hash',
        detail:
          "The “hash” sent is not revision 2's: the signature was not recorded. Send the “revisionHash” that GET /api/v1/pacts/{id} gives for this revision.",
      },
    ]);

    const proposal = await request(app)
      .post(`/api/v1/pacts/${pact.id}/amendments`)
      .set(partner)
      .send({ kind: 'change_pact', title: 'Altro titolo', rationale: 'Perché', revision: 1 });
    expect(proposal.status).toBe(409);
    expect(proposal.body.errors[0].pointer).toBe('body/revision');
    expect(proposal.body.detail).toMatch(/^Il patto è ora alla revisione 2, non a quella indicata/);

    const promoter = { Authorization: `Bearer ${await s.token(s.authority.id)}` };
    const removal = await request(app)
      .delete(`/api/v1/pacts/${pact.id}/actions/${first}`)
      .set(promoter)
      .send({ revision: 1 });
    expect(removal.status).toBe(409);
    expect(removal.body.detail).toBe(
      'Il patto è ora alla revisione 2, non alla 1 indicata in «revision»: non è stato modificato nulla. Rileggilo (GET /api/v1/pacts/{id}) e invia la sua revisione attuale.',
    );
    expect(removal.body.errors).toEqual([
      { pointer: 'body/revision', detail: removal.body.detail },
    ]);

    for (const res of [stale, tampered, proposal, removal])
      expect(res.body.detail).not.toMatch(pageWords);
    // Nothing was recorded by any of them.
    const signatures = await t.db
      .selectFrom('pact_signatures')
      .select('revision')
      .where('pact_id', '=', pact.id)
      .execute();
    expect(signatures).toEqual([]);
    const after = await t.db
      .selectFrom('pacts')
      .select('revision')
      .where('id', '=', pact.id)
      .executeTakeFirstOrThrow();
    expect(after.revision).toBe(2);
  });

  it('still tells a page’s reader what the page shows', async () => {
    const { pact } = await movedOn();
    const res = await submitForm(
      employers,
      `/pacts/${pact.id}/sign`,
      { revision: '1', hash: '0'.repeat(64) },
      `/pacts/${pact.id}/sign`,
    );
    expect(res.status).toBe(409);
    expect(res.text).toContain(
      'Stavi firmando la revisione 1, ma il patto è ora alla revisione 2: la firma non è stata registrata.',
    );
  });
});

describe('a query parameter missing or not an id', () => {
  it('is named as a request’s parameter, not as a page’s address', async () => {
    const auth = {
      Authorization: `Bearer ${await s.token(s.authority.id)}`,
      'Accept-Language': 'en',
    };
    const missing = await request(app).get('/api/v1/needs/aggregate').set(auth);
    expect(missing.status).toBe(422);
    expect(missing.body.errors).toEqual([
      { pointer: 'query/campaignId', detail: 'The parameter “campaignId” is required.' },
    ]);
    const notId = await request(app).get('/api/v1/pacts?campaign=xx').set(auth);
    expect(notId.status).toBe(422);
    expect(notId.body.errors).toEqual([
      {
        pointer: 'query/campaign',
        detail:
          'The parameter “campaign” is not valid: it must be an id (a UUID), as the API gives them.',
      },
    ]);
    // The page keeps its words: the parameter ignored, said of the address's links.
    const page = await employers.get('/pacts?campaign=xx').set('Accept-Language', 'en');
    expect(page.text).toContain(
      'it must be the identifier of an item, as in the platform&#x27;s links',
    );
  });
});

describe('a body refused against the database', () => {
  it('names what to send, not a list to choose from', async () => {
    const auth = {
      Authorization: `Bearer ${await s.token(s.region.id)}`,
      'Accept-Language': 'en',
    };
    const created = await request(app)
      .post('/api/v1/campaigns')
      .set(auth)
      .send({
        title: 'Bozza',
        territoryCode: 'ITI14',
        opensAt: '2030-01-10',
        closesAt: '2030-02-10',
        skillAreas: ['DC1'],
      });
    expect(created.status).toBe(201);
    const res = await request(app)
      .patch(`/api/v1/campaigns/${created.body.id as string}`)
      .set(auth)
      .send({ skillAreas: ['ZZ9'] });
    expect(res.status).toBe(422);
    const typed = await request(app)
      .patch(`/api/v1/campaigns/${created.body.id as string}`)
      .set(auth)
      .send({ readiness: 'yes' });
    expect(typed.body.errors).toEqual([
      { pointer: 'body/readiness', detail: 'Must be a JSON boolean' },
    ]);
    expect(res.body.errors).toEqual([
      {
        pointer: 'body/skillAreas',
        detail:
          'A skill area sent does not exist: the codes are the “areaCode” values of GET /api/v1/skills.',
      },
    ]);
  });
});

describe('a patch refused once laid over the stored record', () => {
  /** The problem the API answers for `err`, in English. */
  function answered(err: unknown) {
    let body: { errors?: unknown } = {};
    const res = {
      headersSent: false,
      locals: {},
      get: () => undefined,
      set: () => res,
      status: () => res,
      type: () => res,
      json: (b: typeof body) => void (body = b),
    };
    const req = { originalUrl: '/api/v1/calls/x', t: getI18n().getFixedT('en') };
    errorHandler()(err, req as unknown as Request, res as unknown as Response, () => undefined);
    return body;
  }

  it('names the values a field takes, and what an id is', () => {
    const merged = z.object({ modality: z.enum(['online', 'classroom']), callId: z.uuid() });
    const parsed = merged.safeParse({ modality: 'x', callId: 'y' });
    expect(answered(invalidInput(parsed.error!)).errors).toEqual([
      { pointer: 'body/modality', detail: 'Accepted values: online, classroom' },
      { pointer: 'body/callId', detail: 'Must be an id (a UUID), as the API gives them' },
    ]);
  });
});
