import type { Express } from 'express';
import request from 'supertest';
import { sql } from 'kysely';
import { createApp } from '../../src/app';
import { createDb, type DbHandle } from '../../src/db';
import { openReplica } from '../../src/db/replica';
import { createLogger } from '../../src/logger';
import { csrfFrom, loginAs, testApp, testConfig } from '../helpers/app';
import { newUser, PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';

// Two app instances on one database, each with its own pool, as two processes behind a load
// balancer would be: nothing but PostgreSQL is shared between them.
let t: TestDb;
let second: DbHandle;
let appA: Express;
let appB: Express;
beforeAll(async () => {
  t = await newTestDb();
  second = createDb(t.url, 2);
  appA = testApp(t);
  appB = createApp({
    db: second.db,
    readDb: second.db,
    pool: second.pool,
    config: testConfig(t.url),
    logger: createLogger('silent', false),
  });
});
afterAll(async () => {
  await second.db.destroy();
  await t.close();
});

describe('two instances sharing PostgreSQL sessions', () => {
  it('serves on instance B the user who logged in on instance A', async () => {
    const user = await newUser(t.db, { role: 'local_authority', organisation: 'Unione Valdelsa' });
    const agentA = await loginAs(appA, user.email, PASSWORD);
    const cookie = (await agentA.get('/')).request.cookies;
    const home = await request(appB).get('/').set('Cookie', cookie);
    expect(home.status).toBe(200);
    expect(home.text).toContain('Area ente locale');
    expect(home.text).toContain('Unione Valdelsa');
  });

  it('accepts on B a form posted with the CSRF token of a page served by A', async () => {
    const user = await newUser(t.db, { role: 'firm' });
    const agentA = await loginAs(appA, user.email, PASSWORD);
    const _csrf = await csrfFrom(agentA, '/account/tokens');
    const cookie = (await agentA.get('/account/tokens')).request.cookies;

    const refused = await request(appB)
      .post('/account/tokens')
      .set('Cookie', cookie)
      .type('form')
      .send({ name: 'no token' });
    expect(refused.status).toBe(403);

    const res = await request(appB)
      .post('/account/tokens')
      .set('Cookie', cookie)
      .type('form')
      .send({ name: 'made on B', _csrf });
    expect(res.status).toBe(201);
    const rows = await t.db
      .selectFrom('api_tokens')
      .select('name')
      .where('user_id', '=', user.id)
      .execute();
    expect(rows.map((r) => r.name)).toEqual(['made on B']);
  });

  it('ends the session everywhere when the user logs out on B', async () => {
    const user = await newUser(t.db, { role: 'region' });
    const agentA = await loginAs(appA, user.email, PASSWORD);
    const _csrf = await csrfFrom(agentA, '/');
    const cookie = (await agentA.get('/')).request.cookies;
    const out = await request(appB)
      .post('/logout')
      .set('Cookie', cookie)
      .type('form')
      .send({ _csrf });
    expect(out.status).toBe(302);
    const after = await agentA.get('/account/password');
    expect(after.status).toBe(302);
    expect(after.headers.location).toMatch(/^\/login/);
  });
});

describe('a read replica', () => {
  // Nothing listens on port 1: a replica that is down, refusing connections at once.
  const DOWN = 'postgres://postgres@127.0.0.1:1/postgres';

  it('falls back to the primary for reads while the replica is down', async () => {
    const replica = openReplica(DOWN, 2, t.pool);
    try {
      const { rows } = await sql<{ n: number }>`SELECT 1 AS n`.execute(replica.readDb);
      expect(rows).toEqual([{ n: 1 }]);
    } finally {
      await replica.readDb.destroy();
    }
  });

  it('stays ready when the replica is down, and says so', async () => {
    const replica = openReplica(DOWN, 2, t.pool);
    try {
      const app = createApp({
        db: t.db,
        readDb: replica.readDb,
        pool: t.pool,
        replicaPool: replica.replicaPool,
        config: testConfig(t.url),
        logger: createLogger('silent', false),
      });
      const res = await request(app).get('/readyz');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ready', database: 'ok', replica: 'unreachable' });
    } finally {
      await replica.readDb.destroy();
    }
  });

  it('reports a replica that answers', async () => {
    const app = createApp({
      db: t.db,
      readDb: second.db,
      pool: t.pool,
      replicaPool: second.pool,
      config: testConfig(t.url),
      logger: createLogger('silent', false),
    });
    const res = await request(app).get('/readyz');
    expect(res.body).toEqual({ status: 'ready', database: 'ok', replica: 'ok' });
  });
});
