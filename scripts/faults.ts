import { sql } from 'kysely';
import { createDb, type Db } from '../src/db';
import { sleep, startApp, type AppProcess } from './support/app-process';
import { Browser, csrfToken, REQUEST_BOUND_MS } from './support/browser';
import { prepare, startPrimary, type Cluster } from './support/cluster';
import {
  createRegionUser,
  prepareSurvey,
  surveyAnswer,
  type SurveyFixture,
} from './support/load-fixtures';

// npm run faults: (a) PostgreSQL stopped and restarted under a load of firm registrations;
// (b) the app killed with SIGKILL during bursts of registrations; (c) the same during bursts of
// survey submissions (response, lines, draft and the aggregate's queued change: all or nothing,
// and the aggregate right afterwards). Everything runs on a private cluster and app process on
// loopback, removed at the end. Exit code 1 when a check fails.
const PG_PORT = 5491;
const APP_PORT = 3491;
const WORKERS = 3;
const RUN = Date.now().toString(36);
const EMAIL_DOMAIN = 'faults.patto.test';

type Result = 'registered' | 'refused' | 'server-error' | 'connection-error' | 'timeout';
interface Attempt {
  email: string;
  result: Result;
  ms: number;
  at: number;
  leaked?: boolean;
}

const checks: { ok: boolean; what: string }[] = [];
function check(ok: boolean, what: string): void {
  checks.push({ ok, what });
  console.log(`${ok ? 'PASS' : 'FAIL'}  ${what}`);
}

let serial = 0;
const nextEmail = (tag: string) => `${tag}-${RUN}-${++serial}@${EMAIL_DOMAIN}`;
const registration = (email: string) => ({
  organisationName: `Faults ${email}`,
  territoryCode: '048014',
  fullName: 'Fault Tester',
  email,
  password: 'fault-tolerant-1',
  passwordConfirm: 'fault-tolerant-1',
});

/** One registration as a browser does it: GET the form (token + cookie), POST it. */
async function register(app: AppProcess, email: string): Promise<Attempt> {
  const started = Date.now();
  const done = (result: Result, leaked = false): Attempt => ({
    email,
    result,
    leaked,
    ms: Date.now() - started,
    at: started,
  });
  const leaks = (html: string) => /\.ts:\d+|\bat [\w.]+ \(|SELECT|INSERT/.test(html);
  try {
    const browser = new Browser(app.url);
    const form = await browser.get('/register');
    // An error page must never show a stack trace or SQL.
    if (form.status !== 200) return done('server-error', leaks(form.text));
    const page = await browser.post('/register', {
      ...registration(email),
      _csrf: csrfToken(form.text),
    });
    if (page.status === 302 && page.location === '/') return done('registered');
    return done(page.status >= 500 ? 'server-error' : 'refused', leaks(page.text));
  } catch (err) {
    return done((err as Error).name === 'TimeoutError' ? 'timeout' : 'connection-error');
  }
}

function startLoad(app: AppProcess) {
  const attempts: Attempt[] = [];
  let running = true;
  const workers = Array.from({ length: WORKERS }, async () => {
    while (running) {
      attempts.push(await register(app, nextEmail('a')));
      await sleep(50);
    }
  });
  return {
    attempts,
    stop: async () => {
      running = false;
      await Promise.all(workers);
    },
  };
}

function pollReadiness(app: AppProcess) {
  const polls: { at: number; status: number }[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const res = await fetch(`${app.url}/readyz`, { signal: AbortSignal.timeout(5000) }).catch(
        () => null,
      );
      polls.push({ at: Date.now(), status: res?.status ?? 0 });
      await sleep(200);
    }
  })();
  const seen = (status: number, since: number) =>
    polls.find((p) => p.at >= since && p.status === status);
  return {
    polls,
    async waitFor(status: number, since: number, boundMs: number) {
      const deadline = Date.now() + boundMs;
      while (Date.now() < deadline && !seen(status, since)) await sleep(50);
      return seen(status, since) ?? null;
    },
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

/** Firm organisations of this run that do not have exactly one user, and users without theirs. */
async function halfWritten(db: Db): Promise<string[]> {
  const { rows } = await sql<{ name: string; users: number }>`
    SELECT o.name, count(u.id)::int AS users
    FROM organisations o LEFT JOIN users u ON u.organisation_id = o.id
    WHERE o.kind = 'firm' AND o.name LIKE ${`Faults %-${RUN}-%`}
    GROUP BY o.id, o.name HAVING count(u.id) <> 1
    UNION ALL
    SELECT u.email, 0 FROM users u JOIN organisations o ON o.id = u.organisation_id
    WHERE u.email LIKE ${`%-${RUN}-%@${EMAIL_DOMAIN}`} AND o.name <> 'Faults ' || u.email`.execute(
    db,
  );
  return rows.map((r) => `${r.name} (${r.users} users)`);
}

async function registeredEmails(db: Db): Promise<Set<string>> {
  const rows = await db
    .selectFrom('users')
    .select('email')
    .where('email', 'like', `%-${RUN}-%@${EMAIL_DOMAIN}`)
    .execute();
  return new Set(rows.map((r) => r.email));
}

function count(attempts: Attempt[], result: Result, from = 0, to = Infinity): number {
  return attempts.filter((a) => a.result === result && a.at >= from && a.at < to).length;
}

async function databaseStopped(pg: Cluster, db: Db, app: AppProcess): Promise<AppProcess> {
  console.log('\n(a) PostgreSQL stopped and restarted under load');
  const load = startLoad(app);
  const ready = pollReadiness(app);
  await sleep(4000);
  const stoppedAt = Date.now();
  await pg.stop();
  const unready = await ready.waitFor(503, stoppedAt, 10_000);
  await sleep(4000);
  const restartedAt = Date.now();
  await pg.start();
  const backAt = Date.now();
  const readyAgain = await ready.waitFor(200, restartedAt, 30_000);
  const deadline = Date.now() + 30_000;
  while (
    Date.now() < deadline &&
    !load.attempts.some((a) => a.at >= restartedAt && a.result === 'registered')
  )
    await sleep(100);
  const firstOk = load.attempts.find((a) => a.at >= restartedAt && a.result === 'registered');
  await sleep(4000);
  await load.stop();
  await ready.stop();

  const all = load.attempts;
  const failed = all.filter((a) => a.result !== 'registered');
  const slowest = Math.max(...failed.map((a) => a.ms), 0);
  console.log(
    `requests: ${all.length} registrations (${all.length * 2} HTTP requests), ${ready.polls.length} /readyz polls`,
  );
  console.log(
    `  before the stop: ${count(all, 'registered', 0, stoppedAt)} registered, ` +
      `${all.filter((a) => a.at < stoppedAt && a.result !== 'registered').length} failed`,
  );
  console.log(
    `  outage (${backAt - stoppedAt} ms until PostgreSQL accepted again): ` +
      `${count(all, 'server-error', stoppedAt, backAt)} error pages, ` +
      `${count(all, 'connection-error', stoppedAt, backAt)} connection errors, ` +
      `${count(all, 'registered', stoppedAt, backAt)} registered`,
  );
  console.log(
    `  after: ${count(all, 'registered', backAt)} registered, ` +
      `${all.filter((a) => a.at >= backAt && a.result !== 'registered').length} failed`,
  );
  console.log(`  slowest failed registration: ${slowest} ms (bound ${REQUEST_BOUND_MS} ms)`);
  check(
    !!unready,
    `/readyz turned 503 ${unready ? unready.at - stoppedAt : '—'} ms after the stop`,
  );
  check(
    !!readyAgain,
    `/readyz turned 200 ${readyAgain ? readyAgain.at - restartedAt : '—'} ms after the restart`,
  );
  check(
    !!firstOk,
    `registrations succeed again ${firstOk ? firstOk.at + firstOk.ms - restartedAt : '—'} ms after the restart`,
  );
  check(count(all, 'timeout') === 0, `no request hung past ${REQUEST_BOUND_MS} ms`);
  check(count(all, 'refused') === 0, 'no registration was refused as invalid');
  check(!all.some((a) => a.leaked), 'no error page showed a stack trace or SQL');
  check(app.alive(), 'the app process stayed up');
  if (!app.alive()) console.log(`the app's last output:\n${app.output()}`);
  const registered = await registeredEmails(db);
  const lost = all.filter((a) => a.result === 'registered' && !registered.has(a.email));
  check(lost.length === 0, `every confirmed registration is in the database (${lost.length} lost)`);
  const half = await halfWritten(db);
  check(half.length === 0, `nothing half-written (${half.length}: ${half.slice(0, 3).join(', ')})`);
  return app;
}

async function appKilled(db: Db, app: AppProcess): Promise<AppProcess> {
  console.log('\n(b) the app killed with SIGKILL during bursts of registrations');
  const attempted: Attempt[] = [];
  for (const delay of [50, 300, 600]) {
    const browsers = Array.from({ length: 10 }, () => new Browser(app.url));
    const emails = browsers.map(() => nextEmail('b'));
    const tokens = await Promise.all(
      browsers.map(
        async (b) => /name="_csrf" value="([^"]+)"/.exec((await b.get('/register')).text)![1]!,
      ),
    );
    const started = Date.now();
    const burst = Promise.all(
      browsers.map((b, i) =>
        b
          .post('/register', { ...registration(emails[i]!), _csrf: tokens[i]! })
          .then((p): Result => (p.status === 302 ? 'registered' : 'server-error'))
          .catch((): Result => 'connection-error')
          .then((result) => ({ email: emails[i]!, result, ms: Date.now() - started, at: started })),
      ),
    );
    await sleep(delay);
    await app.kill9();
    const results = await burst;
    attempted.push(...results);
    app = await startApp({ port: APP_PORT, databaseUrl: app.databaseUrl });
    const there = await registeredEmails(db);
    console.log(
      `  kill after ${delay} ms: ${count(results, 'registered')} answered 302, ` +
        `${count(results, 'connection-error')} cut off; ` +
        `${results.filter((r) => there.has(r.email)).length} of 10 registered after the restart`,
    );
  }
  const there = await registeredEmails(db);
  const lost = attempted.filter((a) => a.result === 'registered' && !there.has(a.email));
  check(
    lost.length === 0,
    `every registration answered 302 before the kill is there (${lost.length} lost)`,
  );
  const half = await halfWritten(db);
  check(
    half.length === 0,
    `each of ${attempted.length} attempted e-mails is fully registered (${attempted.filter((a) => there.has(a.email)).length}) or absent (${attempted.filter((a) => !there.has(a.email)).length}); half-written: ${half.length}`,
  );
  check(app.alive(), 'the app restarted and serves');
  return app;
}

/** POST one firm's answers with the submit (the API's one-call submission). */
async function submitAnswers(app: AppProcess, s: SurveyFixture, token: string): Promise<Result> {
  try {
    const res = await fetch(`${app.url}/api/v1/campaigns/${s.campaignId}/response/submit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ version: 1, ...surveyAnswer() }),
      signal: AbortSignal.timeout(REQUEST_BOUND_MS),
    });
    await res.arrayBuffer();
    return res.status === 201 ? 'registered' : 'server-error';
  } catch {
    return 'connection-error';
  }
}

async function submissionsKilled(db: Db, app: AppProcess): Promise<AppProcess> {
  console.log('\n(c) the app killed with SIGKILL during bursts of survey submissions');
  const region = await createRegionUser(db, `faults-region-${RUN}@${EMAIL_DOMAIN}`, 'x');
  const s = await prepareSurvey(db, region, 60, 0);
  const attempted: { firm: string; result: Result }[] = [];
  for (const [i, delay] of [100, 300, 600].entries()) {
    const firms = s.firms.slice(i * 20, i * 20 + 20);
    const burst = Promise.all(
      firms.map(async (f) => ({ firm: f.id, result: await submitAnswers(app, s, f.token) })),
    );
    await sleep(delay);
    await app.kill9();
    const results = await burst;
    attempted.push(...results);
    app = await startApp({ port: APP_PORT, databaseUrl: app.databaseUrl });
    const n = (r: Result) => results.filter((x) => x.result === r).length;
    console.log(
      `  kill after ${delay} ms: ${n('registered')} answered 201, ${n('connection-error')} cut off`,
    );
  }
  // Per firm: a current version with its 10 lines and a submitted draft, or none of them.
  const { rows } = await sql<{ firm: string; versions: number; lines: number; state: string }>`
    SELECT d.firm_id AS firm, count(DISTINCT r.id)::int AS versions, count(n.line_no)::int AS lines,
           d.state
    FROM response_drafts d
    LEFT JOIN responses r ON r.campaign_id = d.campaign_id AND r.firm_id = d.firm_id
    LEFT JOIN response_needs n ON n.response_id = r.id
    WHERE d.campaign_id = ${s.campaignId}
    GROUP BY d.firm_id, d.state`.execute(db);
  const byFirm = new Map(rows.map((r) => [r.firm, r]));
  const whole = (f: string) => {
    const r = byFirm.get(f);
    return r !== undefined && r.versions === 1 && r.lines === 10 && r.state === 'submitted';
  };
  const absent = (f: string) => {
    const r = byFirm.get(f);
    return r !== undefined && r.versions === 0 && r.state === 'editing';
  };
  const lost = attempted.filter((a) => a.result === 'registered' && !whole(a.firm));
  check(
    lost.length === 0,
    `every submission answered 201 before the kill is there (${lost.length} lost)`,
  );
  const half = attempted.filter((a) => !whole(a.firm) && !absent(a.firm));
  check(
    half.length === 0,
    `each of ${attempted.length} firms has its answer whole (${attempted.filter((a) => whole(a.firm)).length}) or not at all (${attempted.filter((a) => absent(a.firm)).length}); half-written: ${half.length}`,
  );
  // The aggregate after the restart: whatever was queued before the kills is folded, exactly.
  await sql`SELECT need_fold(${s.campaignId}::uuid)`.execute(db);
  const { rows: sums } = await sql<{ kept: number; lines: number }>`
    SELECT (SELECT coalesce(sum(workers), 0)::int FROM need_cells
            WHERE campaign_id = ${s.campaignId} AND dim = 'total' AND priority = '*'
              AND period = '*') AS kept,
           (SELECT coalesce(sum(n.workers), 0)::int FROM responses r
            JOIN response_needs n ON n.response_id = r.id
            WHERE r.campaign_id = ${s.campaignId} AND r.status = 'current') AS lines`.execute(db);
  check(
    sums[0]!.kept === sums[0]!.lines,
    `the needs aggregate matches the stored answers after the restart (${sums[0]!.kept} = ${sums[0]!.lines} workers)`,
  );
  check(app.alive(), 'the app restarted and serves');
  return app;
}

async function main(): Promise<void> {
  const started = Date.now();
  const pg = await startPrimary(PG_PORT);
  await prepare(pg.url);
  const { db } = createDb(pg.url, 2);
  let app = await startApp({ port: APP_PORT, databaseUrl: pg.url });
  try {
    app = await databaseStopped(pg, db, app);
    app = await appKilled(db, app);
    app = await submissionsKilled(db, app);
  } finally {
    await app.stop();
    await db.destroy();
    await pg.stop();
  }
  const failed = checks.filter((c) => !c.ok).length;
  console.log(
    `\n${failed ? 'FAIL' : 'PASS'}: ${checks.length - failed}/${checks.length} checks in ${Math.round((Date.now() - started) / 1000)} s`,
  );
  process.exitCode = failed ? 1 : 0;
}

main().catch((err) => {
  console.error('FAIL:', err instanceof Error ? err.message : err);
  process.exit(1);
});
