import { sql } from 'kysely';
import { createDb, type Db } from '../src/db';
import { openReplica } from '../src/db/replica';
import { hashPassword } from '../src/lib/password';
import { createOrganisationWithUser } from '../src/modules/accounts/accounts.service';
import { sleep, startApp, type AppProcess } from './support/app-process';
import { Browser, csrfToken } from './support/browser';
import { prepare, startPrimary, startReplica, type Cluster } from './support/cluster';

// npm run scale-out: (1) two app processes on one PostgreSQL share sessions: log in on A,
// continue on B; (2) a streaming replica (pg_basebackup) behind DATABASE_REPLICA_URL: writes on
// the primary reach it, and the app stays ready when it stops. Private clusters on loopback only.
const PRIMARY_PORT = 5492;
const REPLICA_PORT = 5493;
const PORT_A = 3492;
const PORT_B = 3493;
const PASSWORD = 'scale-out-password';
const ORGANISATION = 'Unione dei Comuni Valdelsa';

const checks: { ok: boolean; what: string }[] = [];
function check(ok: boolean, what: string): void {
  checks.push({ ok, what });
  console.log(`${ok ? 'PASS' : 'FAIL'}  ${what}`);
}

async function readyz(app: AppProcess): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${app.url}/readyz`, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: await res.json() };
}

async function inRecovery(db: Db): Promise<boolean> {
  const { rows } = await sql<{ standby: boolean }>`SELECT pg_is_in_recovery() AS standby`.execute(
    db,
  );
  return rows[0]!.standby;
}

async function twoInstances(db: Db, primary: Cluster): Promise<void> {
  console.log('\n(1) two app processes, one PostgreSQL');
  const email = `authority-${Date.now()}@scale-out.patto.test`;
  await createOrganisationWithUser(db, {
    org: {
      kind: 'local_authority',
      partner_type: null,
      name: ORGANISATION,
      territory_code: 'ITI14',
    },
    user: { email, full_name: 'Scale Out', password_hash: await hashPassword(PASSWORD) },
  });
  const [a, b] = await Promise.all([
    startApp({ port: PORT_A, databaseUrl: primary.url }),
    startApp({ port: PORT_B, databaseUrl: primary.url }),
  ]);
  try {
    const onA = new Browser(a.url);
    const login = await onA.submit('/login', { email, password: PASSWORD });
    check(
      login.status === 302,
      `logged in on A (port ${PORT_A}): ${login.status} → ${login.location}`,
    );
    const onB = new Browser(b.url);
    onB.cookie = onA.cookie;
    const home = await onB.get('/');
    check(
      home.status === 200 && home.text.includes(ORGANISATION),
      `B (port ${PORT_B}) shows the user's home with A's cookie: ${home.status}`,
    );
    const token = csrfToken((await onA.get('/account/tokens')).text);
    const made = await onB.post('/account/tokens', { name: 'made on B', _csrf: token });
    check(made.status === 201, `a POST on B with the CSRF token of A's page: ${made.status}`);
    const refused = await onB.post('/account/tokens', { name: 'no token' });
    check(
      refused.status === 403,
      `the same POST on B without a token is refused: ${refused.status}`,
    );
    const out = await onB.post('/logout', { _csrf: token });
    const after = await onA.get('/account/password');
    check(
      out.status === 302 && after.status === 302 && !!after.location?.startsWith('/login'),
      `logged out on B → A sends the user to ${after.location}`,
    );
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
}

async function replica(db: Db, primary: Cluster): Promise<void> {
  console.log('\n(2) a streaming replica behind DATABASE_REPLICA_URL');
  let started = Date.now();
  const standby = await startReplica(primary, REPLICA_PORT);
  console.log(`  pg_basebackup + start: ${Date.now() - started} ms`);
  const { rows } = await sql<{ state: string }>`SELECT state FROM pg_stat_replication`.execute(db);
  check(rows[0]?.state === 'streaming', `the primary streams to the replica: ${rows[0]?.state}`);

  const app = await startApp({
    port: PORT_A,
    databaseUrl: primary.url,
    replicaUrl: standby.url,
  });
  // The app's own read path (src/db/replica.ts), opened here as the app opens it.
  const { pool: primaryPool } = createDb(primary.url, 2);
  const reads = openReplica(standby.url, 2, primaryPool);
  try {
    const ready = await readyz(app);
    check(
      ready.status === 200 && (ready.body as { replica?: string }).replica === 'ok',
      `/readyz with the replica up: ${ready.status} ${JSON.stringify(ready.body)}`,
    );
    // A write through the app: the registration lands on the primary.
    const email = `firm-${Date.now()}@scale-out.patto.test`;
    const registered = await new Browser(app.url).submit('/register', {
      organisationName: `Replicated ${email}`,
      territoryCode: '048014',
      fullName: 'Replica Reader',
      email,
      password: PASSWORD,
      passwordConfirm: PASSWORD,
    });
    check(registered.status === 302, `a firm registered through the app: ${registered.status}`);
    check(await inRecovery(reads.readDb), 'readDb is served by the replica (pg_is_in_recovery)');
    started = Date.now();
    let seen = false;
    while (!seen && Date.now() - started < 10_000) {
      seen = !!(await reads.readDb
        .selectFrom('users')
        .select('id')
        .where('email', '=', email)
        .executeTakeFirst());
      if (!seen) await sleep(5);
    }
    check(seen, `the new user is read through readDb (replica) after ${Date.now() - started} ms`);
    const write = await sql`CREATE TABLE not_here (id int)`
      .execute(reads.readDb)
      .then(() => 'accepted')
      .catch((err: { code?: string }) => `refused (${err.code})`);
    check(write.startsWith('refused (25006)'), `a write on the replica is ${write}`);

    await standby.stop();
    const down = await readyz(app);
    check(
      down.status === 200 && (down.body as { replica?: string }).replica === 'unreachable',
      `/readyz with the replica stopped: ${down.status} ${JSON.stringify(down.body)}`,
    );
    const fallback = await reads.readDb
      .selectFrom('users')
      .select('id')
      .where('email', '=', email)
      .executeTakeFirst();
    check(
      !!fallback && !(await inRecovery(reads.readDb)),
      'readDb falls back to the primary while the replica is down',
    );
    const home = await new Browser(app.url).submit('/login', { email, password: PASSWORD });
    check(home.status === 302, `the app still logs users in: ${home.status}`);
  } finally {
    await reads.readDb.destroy();
    await primaryPool.end();
    await app.stop();
    await standby.stop();
  }
}

async function main(): Promise<void> {
  const primary = await startPrimary(PRIMARY_PORT);
  await prepare(primary.url);
  const { db } = createDb(primary.url, 2);
  try {
    await twoInstances(db, primary);
    await replica(db, primary);
  } finally {
    await db.destroy();
    await primary.stop();
  }
  const failed = checks.filter((c) => !c.ok).length;
  console.log(`\n${failed ? 'FAIL' : 'PASS'}: ${checks.length - failed}/${checks.length} checks`);
  process.exitCode = failed ? 1 : 0;
}

main().catch((err) => {
  console.error('FAIL:', err instanceof Error ? err.message : err);
  process.exit(1);
});
