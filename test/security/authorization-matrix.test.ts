import type { Express } from 'express';
import request from 'supertest';
import type { Role } from '../../src/db/database';
import { PERMISSIONS } from '../../src/lib/permissions';
import { submitForm, testApp } from '../helpers/app';
import { newUser, PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { apiCaller, CALLERS, webCaller, type Caller } from './callers';
import { describeRoute, fillPath, listRoutes, type AppRoute } from './routes';

/**
 * Every route of the app × every role and anonymous, read from the router and from PERMISSIONS:
 * a route added tomorrow is in this matrix without anyone editing it.
 */
// One case per caller sends every route (several hundred requests): 11–26 s each alone on a
// 2-core machine that other suites are loading, past jest's default 30 s in a full run.
jest.setTimeout(120_000);

let t: TestDb;
let app: Express;
let routes: AppRoute[];
const users = {} as Record<Role, { id: string; email: string }>;

beforeAll(async () => {
  t = await newTestDb();
  app = testApp(t);
  routes = listRoutes(app);
  for (const role of CALLERS) if (role !== 'anonymous') users[role] = await newUser(t.db, { role });
});
afterAll(() => t.close());

type Outcome = 'allowed' | 'login redirect' | 'unauthenticated' | 'forbidden';

function expectedOutcome(route: AppRoute, caller: Caller): Outcome {
  const access = route.accesses[0]!;
  if (access === 'public') return 'allowed';
  if (caller === 'anonymous')
    return route.api || route.method !== 'get' ? 'unauthenticated' : 'login redirect';
  return (PERMISSIONS[access] as readonly Role[]).includes(caller) ? 'allowed' : 'forbidden';
}

function observedOutcome(route: AppRoute, url: string, res: request.Response): string {
  if (res.status >= 500) return `server error ${res.status}`;
  const location = String(res.headers.location ?? '');
  if (res.status === 302 && location.startsWith('/login')) {
    return location === `/login?next=${encodeURIComponent(url)}`
      ? 'login redirect'
      : `redirect to ${location}`;
  }
  const outcome = res.status === 401 ? 'unauthenticated' : res.status === 403 ? 'forbidden' : '';
  if (!outcome) return 'allowed';
  if (route.api && !String(res.headers['content-type']).startsWith('application/problem+json'))
    return `${outcome} without problem+json`;
  return outcome;
}

describe('the route table', () => {
  it('finds the pages and the API', () => {
    expect(routes.map(describeRoute)).toEqual(
      expect.arrayContaining(['GET /', 'POST /login', 'GET /invitations', 'GET /api/v1/me']),
    );
  });

  it('gives every route exactly one allow(), before any other handler', () => {
    const undeclared = routes
      .filter((r) => r.accesses.length !== 1 || !r.allowFirst)
      .map((r) => `${describeRoute(r)}: ${r.accesses.length} allow(), first: ${r.allowFirst}`);
    expect(undeclared).toEqual([]);
  });

  it('declares only permissions that PERMISSIONS defines', () => {
    const unknown = routes.filter(
      (r) => r.accesses[0] !== 'public' && !(r.accesses[0]! in PERMISSIONS),
    );
    expect(unknown.map(describeRoute)).toEqual([]);
  });
});

describe.each(CALLERS)('every route called by %s', (caller) => {
  it('answers what PERMISSIONS says, and never a server error', async () => {
    const mismatches: string[] = [];
    // Each caller gets fresh sessions/tokens, kept across its routes and renewed when a route
    // (logout, token revocation) ends them.
    const web = webCaller(app, caller === 'anonymous' ? undefined : users[caller].email);
    const api = apiCaller(app, caller === 'anonymous' ? undefined : users[caller].email);
    for (const route of routes) {
      const url = fillPath(route.path);
      let res: request.Response;
      if (route.api) {
        const req = request(app)
          [route.method as 'get'](url)
          .set(await api());
        res = await (route.method === 'get' ? req : req.send({}));
      } else {
        const { agent, csrf } = await web();
        const req = agent[route.method as 'get'](url);
        res = await (route.method === 'get' ? req : req.type('form').send({ _csrf: csrf }));
      }
      const expected = expectedOutcome(route, caller);
      const observed = observedOutcome(route, url, res);
      if (observed !== expected)
        mismatches.push(`${describeRoute(route)}: expected ${expected}, got ${observed}`);
    }
    expect(mismatches).toEqual([]);
  });
});

describe('territory scope of invitations', () => {
  async function inviteAs(role: 'admin' | 'region', email: string, territoryCode: string) {
    const inviter = await webCaller(app, users[role].email)();
    const res = await submitForm(
      inviter.agent,
      '/invitations/new',
      { email, role: 'local_authority', organisationName: `Comune ${email}`, territoryCode },
      '/invitations',
    );
    expect(res.status).toBe(201);
    return t.db
      .selectFrom('invitations')
      .select(['id', 'revoked_at'])
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
  }

  const revokedAt = async (id: string) =>
    (
      await t.db
        .selectFrom('invitations')
        .select('revoked_at')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).revoked_at;

  it('lets a region neither see nor revoke an invitation outside its territory (404)', async () => {
    const milan = await inviteAs('admin', 'milano@test.patto', 'ITC4C');
    const region = await webCaller(app, users.region.email)();
    expect((await region.agent.get('/invitations')).text).not.toContain('milano@test.patto');
    const res = await region.agent
      .post(`/invitations/${milan.id}/revoke`)
      .type('form')
      .send({ _csrf: region.csrf });
    expect(res.status).toBe(404);
    expect(await revokedAt(milan.id)).toBeNull();

    const admin = await webCaller(app, users.admin.email)();
    const byAdmin = await admin.agent
      .post(`/invitations/${milan.id}/revoke`)
      .type('form')
      .send({ _csrf: admin.csrf });
    expect(byAdmin.status).toBe(302);
    expect(await revokedAt(milan.id)).not.toBeNull();
  });

  it('lets a region revoke an invitation inside its territory', async () => {
    const vinci = await inviteAs('admin', 'vinci@test.patto', '048050');
    const region = await webCaller(app, users.region.email)();
    const res = await region.agent
      .post(`/invitations/${vinci.id}/revoke`)
      .type('form')
      .send({ _csrf: region.csrf });
    expect(res.status).toBe(302);
    expect(await revokedAt(vinci.id)).not.toBeNull();
  });
});

describe('POST /account/tokens/:id/revoke', () => {
  it("refuses to revoke another user's token (404) and leaves it working", async () => {
    const a = await newUser(t.db, { role: 'firm' });
    const b = await newUser(t.db, { role: 'firm' });
    const created = await request(app)
      .post('/api/v1/tokens')
      .send({ email: a.email, password: PASSWORD, name: 'A' });
    expect(created.status).toBe(201);
    const { token, tokenId } = created.body as { token: string; tokenId: string };

    const asB = await webCaller(app, b.email)();
    const res = await asB.agent
      .post(`/account/tokens/${tokenId}/revoke`)
      .type('form')
      .send({ _csrf: asB.csrf });
    expect(res.status).toBe(404);
    const me = await request(app).get('/api/v1/me').set('Authorization', `Bearer ${token}`);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: a.id });

    const asA = await webCaller(app, a.email)();
    const own = await asA.agent
      .post(`/account/tokens/${tokenId}/revoke`)
      .type('form')
      .send({ _csrf: asA.csrf });
    expect(own.status).toBe(302);
    expect(
      (await request(app).get('/api/v1/me').set('Authorization', `Bearer ${token}`)).status,
    ).toBe(401);
  });
});
