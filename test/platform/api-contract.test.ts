import type { Express } from 'express';
import request from 'supertest';
import { seedDemo, DEMO_PASSWORD } from '../../src/db/seed-demo';
import { createLogger } from '../../src/logger';
import { apiOperations } from '../../src/modules/api/api.routes';
import type { ApiOperation } from '../../src/modules/api/operation';
import { testApp, testConfig } from '../helpers/app';
import { newTestDb, type TestDb } from '../helpers/test-db';

/**
 * Every read of the API, called as an integrator would on the demo's data: each answer has a
 * status and a media type the OpenAPI document lists for it, and a JSON body that is exactly what
 * the document's schema describes (no field missing, none of another type, none left out of it).
 */
jest.setTimeout(120_000);

type Doc = {
  paths: Record<string, Record<string, { operationId: string; responses: Record<string, Resp> }>>;
};
type Resp = { content?: Record<string, unknown> };

let t: TestDb;
let app: Express;
let doc: Doc;
let operations: Map<string, ApiOperation>;
const tokens: Record<string, string> = {};
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await newTestDb();
  await seedDemo(t.db);
  app = testApp(t);
  doc = (await request(app).get('/api/v1/openapi.json')).body as Doc;
  const services = {
    db: t.db,
    readDb: t.db,
    pool: t.pool,
    config: testConfig(t.url),
    logger: createLogger('silent', false),
  };
  operations = new Map(apiOperations(services).map((op) => [op.operationId, op]));
  for (const role of ['firm', 'authority', 'region']) {
    const res = await request(app)
      .post('/api/v1/tokens')
      .send({ email: `${role}@demo.patto.test`, password: DEMO_PASSWORD });
    tokens[role] = res.body.token as string;
  }
  const get = (role: string, path: string) =>
    request(app).get(`/api/v1${path}`).set('Authorization', `Bearer ${tokens[role]}`);
  ids.campaign = (await get('region', '/campaigns')).body[0].id;
  ids.call = (await get('region', '/calls')).body[0].id;
  const pacts = (await get('authority', '/pacts')).body as { id: string; status: string }[];
  ids.pact = pacts.find((p) => p.status === 'in_progress')!.id;
});
afterAll(() => t.close());

/** Each read, by operationId: who calls it and on which path. */
const reads = (): [string, string | null, string][] => [
  ['getMe', 'firm', '/me'],
  ['listTerritories', 'firm', '/territories?parent=ITI1'],
  ['getTerritory', 'firm', '/territories/ITI14'],
  ['listSkills', 'firm', '/skills?area=F40'],
  ['listSectors', 'firm', '/sectors'],
  ['listOccupations', 'firm', '/occupations'],
  ['getNeedsAggregate', 'authority', `/needs/aggregate?campaignId=${ids.campaign}`],
  ['getMyFirm', 'firm', '/firms/me'],
  ['listCampaigns', 'firm', '/campaigns'],
  ['getMyResponse', 'firm', `/campaigns/${ids.campaign}/response`],
  ['listResponses', 'region', `/campaigns/${ids.campaign}/responses`],
  ['listPacts', 'authority', '/pacts'],
  ['getPact', 'authority', `/pacts/${ids.pact}`],
  ['getPactAudit', 'authority', `/pacts/${ids.pact}/audit`],
  ['listCalls', 'region', '/calls'],
  ['getCall', 'region', `/calls/${ids.call}`],
  ['getEligibilityReport', 'region', `/pacts/${ids.pact}/eligibility`],
  ['getDashboard', null, '/dashboard'],
  ['getEsfIndicators', 'region', `/calls/${ids.call}/esf-indicators`],
  ['getOpenData', null, `/open-data?dataset=needs&campaignId=${ids.campaign}`],
];

function documented(operationId: string): Record<string, Resp> {
  for (const methods of Object.values(doc.paths))
    for (const op of Object.values(methods))
      if (op.operationId === operationId) return op.responses;
  throw new Error(`${operationId} is not in the OpenAPI document`);
}

describe('the API answers as its OpenAPI document says', () => {
  it('calls every read the document lists', () => {
    const documentedReads = Object.values(doc.paths)
      .flatMap((methods) => (methods.get ? [methods.get.operationId] : []))
      .sort();
    expect(
      reads()
        .map(([id]) => id)
        .sort(),
    ).toEqual(documentedReads);
  });

  it.each(reads().map(([id]) => [id]))('%s', async (operationId) => {
    const [, role, path] = reads().find(([id]) => id === operationId)!;
    const req = request(app).get(`/api/v1${path}`);
    const res = role ? await req.set('Authorization', `Bearer ${tokens[role]}`) : await req;
    const responses = documented(operationId);
    expect(Object.keys(responses)).toContain(String(res.status));
    expect(res.status).toBe(operations.get(operationId)!.response.status);
    expect(Object.keys(responses[String(res.status)]!.content ?? {})).toContain(res.type);
    const parsed = operations.get(operationId)!.response.schema!.safeParse(res.body);
    expect(parsed.error?.issues ?? []).toEqual([]);
    // What the schema keeps is the whole answer: no field the document does not describe.
    expect(parsed.data).toEqual(res.body);
  });
});

describe('the public operations, called with a token that no longer works', () => {
  it('answer 401, which the document lists for each of them', async () => {
    const { body } = await request(app)
      .post('/api/v1/tokens')
      .send({ email: 'union@demo.patto.test', password: DEMO_PASSWORD });
    const revoked = body.token as string;
    await request(app).delete('/api/v1/tokens/current').set('Authorization', `Bearer ${revoked}`);
    const publicOps = [...operations.values()].filter((op) => op.access === 'public');
    expect(publicOps.map((op) => op.operationId).sort()).toEqual([
      'createToken',
      'getDashboard',
      'getOpenData',
      'registerFirm',
    ]);
    for (const op of publicOps) {
      const path = `/api/v1${op.path}${op.operationId === 'getOpenData' ? `?dataset=needs&campaignId=${ids.campaign}` : ''}`;
      const res = await request(app)[op.method](path).set('Authorization', `Bearer ${revoked}`);
      expect([op.operationId, res.status]).toEqual([op.operationId, 401]);
      expect([op.operationId, Object.keys(documented(op.operationId))]).toEqual([
        op.operationId,
        expect.arrayContaining(['401']),
      ]);
    }
  });
});

describe('an operation that creates a record', () => {
  it('answers 201 with its Location, as the document says, on a replay too', async () => {
    const create = () =>
      request(app)
        .post('/api/v1/pacts')
        .set('Authorization', `Bearer ${tokens.authority}`)
        .set('Idempotency-Key', 'contract-location')
        .send({ title: 'Patto del contratto', campaignId: ids.campaign, territoryCode: 'ITI14' });
    const created = await create();
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe(`/api/v1/pacts/${created.body.id as string}`);
    const again = await create();
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers.location).toBe(created.headers.location);
    const read = await request(app)
      .get(created.headers.location!)
      .set('Authorization', `Bearer ${tokens.authority}`);
    expect([read.status, read.body.id]).toEqual([200, created.body.id]);
    const responses = doc.paths['/pacts']!.post!.responses as Record<
      string,
      { headers?: Record<string, unknown> }
    >;
    expect(Object.keys(responses['201']!.headers ?? {})).toEqual(
      expect.arrayContaining(['Location', 'Idempotent-Replayed']),
    );
  });

  it('every 201 whose record the API reads says where (Location), and the document says so', () => {
    const withLocation = [...operations.values()]
      .filter((op) => op.response.status === 201 && op.response.location)
      .map((op) => [op.operationId, `${op.response.location!.path}`]);
    expect(withLocation.sort()).toEqual(
      [
        ['createCall', '/calls/{id}'],
        ['createPact', '/pacts/{id}'],
        ['registerFirm', '/firms/me'],
        ['submitResponse', '/campaigns/{id}/response'],
      ].sort(),
    );
    for (const [operationId, path] of withLocation) {
      // Each Location is a path the API reads with GET.
      expect([operationId, doc.paths[path!]?.get?.operationId]).toEqual([
        operationId,
        expect.any(String),
      ]);
      const responses = documented(operationId!) as Record<
        string,
        { headers?: Record<string, { description?: string }> }
      >;
      expect(responses['201']!.headers?.Location?.description).toContain(`/api/v1${path!}`);
    }
  });
});
