import { sql } from 'kysely';
import os from 'node:os';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { createDb, type Db } from '../src/db';
import type { SessionUser } from '../src/http/types';
import { hashPassword } from '../src/lib/password';
import { createOrganisationWithUser } from '../src/modules/accounts/accounts.service';
import { createApiToken } from '../src/modules/accounts/tokens.service';
import { foldAllNeeds } from '../src/modules/needs/aggregate';
import { startApp, type AppProcess } from './support/app-process';
import { processCpu, serverCpu, serverCpuSpent } from './bench-kit';
import { Browser } from './support/browser';
import { prepare, startPrimary } from './support/cluster';
import {
  createRegionUser,
  prepareAnswers,
  prepareSurvey,
  type SurveyFixture,
} from './support/load-fixtures';
import { bareSubmission, submission } from './support/load-survey';

// npm run bench:load [-- --duration 10 --runs 3 --connections 50 --only login,home --statements]
// The app (production mode, one process) under autocannon on a private PostgreSQL cluster, next
// to the ceiling measured in the same run: scripts/support/ceiling-server.ts, bare Express + zod
// + pg doing the same database work. Each figure is the median of the runs.
const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    runs: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    only: { type: 'string' },
    // Where the database's time goes: pg_stat_statements over each scenario's app runs, the
    // statements that took most of it, per op (nested ones too: those of the PL/pgSQL functions).
    statements: { type: 'boolean', default: false },
  },
});
const DURATION = Number(args.duration);
const RUNS = Number(args.runs);
const CONNECTIONS = Number(args.connections);
const PG_PORT = 5494;
const APP_PORT = 3494;
const CEILING_PORT = 3495;
const PASSWORD = 'bench-load-password';
const WARM_UP = 2;

interface Context {
  email: string;
  cookie: string;
  /** The session id inside the cookie, for the ceiling's session lookup. */
  sid: string;
  apiToken: string;
  /** Filled by the scenarios that need them (their prepare), on first use. */
  survey?: SurveyFixture;
  region?: { campaignId: string; cookie: string; sid: string };
}
/** What a scenario's prepare may use: the database and the running app. */
interface Env {
  db: Db;
  app: AppProcess;
  context: Context;
}
type Requests = autocannon.Request[];
type Ctx = Record<string, string>;

interface Scenario {
  name: string;
  /**
   * Statuses that count as success; anything else is an error. The requests run in sequence on
   * each connection (a login through the page: GET the form, POST it); the last one ends an op.
   */
  expect: number[];
  app(c: Context): Requests;
  ceiling(c: Context): Requests;
  /** Data of its own, made before its warm-up (so it changes no scenario listed before it). */
  prepare?(env: Env): Promise<void>;
  /**
   * The work the app still owes when its run ends (the needs aggregate's fold of the answers),
   * done and timed into the app's run: a setting that defers work cannot push it into the
   * ceiling's run that follows.
   */
  settle?(db: Db): Promise<unknown>;
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const formHeaders = (cookie: string) => ({
  cookie,
  'content-type': 'application/x-www-form-urlencoded',
});
const json = { 'content-type': 'application/json' };
let serial = 0;
const newEmail = () => `bench-${Date.now().toString(36)}-${++serial}@load.patto.test`;

/** GET a form with a fresh anonymous session, keep its cookie and CSRF token for the POST. */
function getForm(path: string): autocannon.Request {
  return {
    method: 'GET',
    path,
    setupRequest: (req) => ({ ...req, headers: {} }),
    onResponse: (_status, body, context, headers) => {
      const ctx = context as Ctx;
      // autocannon keeps the header names as the server sent them (Set-Cookie).
      const name = Object.keys(headers ?? {}).find((h) => h.toLowerCase() === 'set-cookie');
      const setCookie = ([] as string[]).concat((name && headers?.[name]) || []);
      ctx.cookie = setCookie.find((c) => c.startsWith('patto.sid='))?.split(';')[0] ?? '';
      ctx.csrf = /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? '';
    },
  };
}

function registration(email: string) {
  return {
    organisationName: `Bench ${email}`,
    territoryCode: '048014',
    fullName: 'Bench Firm',
    email,
    password: PASSWORD,
  };
}

const REGION_EMAIL = 'bench-region@load.patto.test';
let regionUser: Promise<SessionUser> | undefined;
const region = (db: Db) =>
  (regionUser ??= hashPassword(PASSWORD).then((hash) => createRegionUser(db, REGION_EMAIL, hash)));

// A firm answers a campaign once through the API (amending is a page), so each op takes the next
// firm that has not answered yet: no two connections ever share a draft. The firms are enough
// for SURVEY_OPS_PER_S over the warm-up and every run; past that, ops fail with 409 (errors).
const SURVEY_OPS_PER_S = 600;
const SURVEY_FIRMS = Math.ceil((WARM_UP + RUNS * DURATION) * SURVEY_OPS_PER_S);
// The ceiling writes each firm's answer into one campaign after another: 8× the app's capacity.
const CEILING_CAMPAIGNS = 8;

async function prepareSurveyFirms({ db, context }: Env) {
  context.survey = await prepareSurvey(db, await region(db), SURVEY_FIRMS, CEILING_CAMPAIGNS);
}

// The needs page and the dashboard read a campaign a few thousand firms answered, with pacts.
const ANSWERING_FIRMS = 3000;
const PACTS = 60;
let answered: Promise<void> | undefined;
function prepareRegionView({ db, app, context }: Env) {
  return (answered ??= (async () => {
    const campaignId = await prepareAnswers(db, await region(db), ANSWERING_FIRMS, PACTS);
    context.region = { campaignId, ...(await signIn(app, REGION_EMAIL)) };
  })());
}

/** A region's page of the answered campaign with its session cookie; the ceiling's by sid. */
function regionView(path: string) {
  return {
    app: (c: Context): Requests => [
      {
        method: 'GET',
        path: `${path}?campaign=${c.region!.campaignId}`,
        headers: { cookie: c.region!.cookie },
      },
    ],
    ceiling: (c: Context): Requests => [
      {
        method: 'GET',
        path: `${path}?campaign=${c.region!.campaignId}&sid=${encodeURIComponent(c.region!.sid)}`,
      },
    ],
  };
}

// A new scenario is one more entry: what the app serves, and the ceiling for the same work.
const SCENARIOS: Scenario[] = [
  {
    name: 'login',
    expect: [200, 302],
    app: (c) => [
      getForm('/login'),
      {
        method: 'POST',
        path: '/login',
        setupRequest: (req, context) => {
          const ctx = context as Ctx;
          const body = form({ email: c.email, password: PASSWORD, _csrf: ctx.csrf! });
          return { ...req, headers: formHeaders(ctx.cookie!), body };
        },
      },
    ],
    ceiling: (c) => [
      {
        method: 'POST',
        path: '/login',
        headers: json,
        body: JSON.stringify({ email: c.email, password: PASSWORD }),
      },
    ],
  },
  {
    name: 'GET / (signed in)',
    expect: [200],
    app: (c) => [{ method: 'GET', path: '/', headers: { cookie: c.cookie } }],
    ceiling: (c) => [{ method: 'GET', path: `/home?sid=${encodeURIComponent(c.sid)}` }],
  },
  {
    name: 'GET /territories?code=ITI1',
    expect: [200],
    app: (c) => [{ method: 'GET', path: '/territories?code=ITI1', headers: { cookie: c.cookie } }],
    ceiling: (c) => [
      { method: 'GET', path: `/territories?code=ITI1&sid=${encodeURIComponent(c.sid)}` },
    ],
  },
  {
    name: 'GET /api/v1/me (bearer)',
    expect: [200],
    app: (c) => [
      { method: 'GET', path: '/api/v1/me', headers: { authorization: `Bearer ${c.apiToken}` } },
    ],
    ceiling: (c) => [
      { method: 'GET', path: '/me', headers: { authorization: `Bearer ${c.apiToken}` } },
    ],
  },
  {
    name: 'register a firm',
    expect: [200, 302],
    app: () => [
      getForm('/register'),
      {
        method: 'POST',
        path: '/register',
        setupRequest: (req, context) => {
          const ctx = context as Ctx;
          const email = newEmail();
          const body = form({
            ...registration(email),
            passwordConfirm: PASSWORD,
            _csrf: ctx.csrf!,
          });
          return { ...req, headers: formHeaders(ctx.cookie!), body };
        },
      },
    ],
    ceiling: () => [
      {
        method: 'POST',
        path: '/register',
        setupRequest: (req) => ({
          ...req,
          headers: json,
          body: JSON.stringify(registration(newEmail())),
        }),
      },
    ],
  },
  {
    name: 'survey submission (API)',
    expect: [200, 201],
    prepare: prepareSurveyFirms,
    settle: (db) => foldAllNeeds(db),
    app: (c) => submission(c.survey!),
    ceiling: (c) => bareSubmission(c.survey!),
  },
  {
    name: 'GET /needs (region)',
    expect: [200],
    prepare: prepareRegionView,
    ...regionView('/needs'),
  },
  {
    name: 'GET /dashboard (region)',
    expect: [200],
    prepare: prepareRegionView,
    ...regionView('/dashboard'),
  },
  {
    name: 'GET /open-data/pacts.json (public)',
    expect: [200],
    prepare: prepareRegionView,
    app: (c) => [{ method: 'GET', path: `/open-data/pacts.json?campaign=${c.region!.campaignId}` }],
    ceiling: (c) => [{ method: 'GET', path: `/open-data/pacts?campaign=${c.region!.campaignId}` }],
  },
];

interface Measure {
  /** Ops done (for a median: of the median run). */
  ops: number;
  opsPerSec: number;
  reqPerSec: number;
  p50: number;
  p99: number;
  errors: number;
  /** How long the work owed after the run took (Scenario.settle), counted in its ops/s. */
  settleMs: number;
  /** CPU milliseconds per op: the server process (app or ceiling) and PostgreSQL's backends. */
  processMs: number;
  databaseMs: number;
}

/**
 * One autocannon run against `server` (the app or the ceiling, never both at once), with the CPU
 * its process and the database's backends (`databaseUrl`: the benchmark's cluster) used meanwhile.
 */
async function measure(
  server: AppProcess,
  databaseUrl: string,
  scenario: Scenario,
  requests: Requests,
  seconds: number,
  settle?: () => Promise<unknown>,
): Promise<Measure> {
  const url = server.url;
  const database = new URL(databaseUrl).pathname.slice(1);
  const process0 = processCpu(server.pid) ?? 0;
  const database0 = await serverCpu(database, databaseUrl);
  const unexpected = new Map<number, number>();
  // An operation is done when the last request of its sequence succeeds.
  let done = 0;
  const last = requests.at(-1)!;
  const counted: Requests = [
    ...requests.slice(0, -1),
    {
      ...last,
      onResponse: (status, body, context, headers) => {
        if (scenario.expect.includes(status)) done++;
        if (typeof last.onResponse === 'function') last.onResponse(status, body, context, headers);
      },
    },
  ];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const options = { url, connections: CONNECTIONS, duration: seconds, requests: counted };
    const instance = autocannon(options, (err, res) => (err ? reject(err) : resolve(res)));
    instance.on('response', (_client, status) => {
      if (!scenario.expect.includes(status))
        unexpected.set(status, (unexpected.get(status) ?? 0) + 1);
    });
  });
  if (unexpected.size) console.log(`  ${url}: unexpected statuses`, Object.fromEntries(unexpected));
  const settling = performance.now();
  await settle?.();
  const settledS = (performance.now() - settling) / 1000;
  const perOp = (seconds: number) => (1000 * seconds) / Math.max(1, done);
  return {
    ops: done,
    reqPerSec: result.requests.total / result.duration,
    opsPerSec: done / (result.duration + settledS),
    settleMs: 1000 * settledS,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + [...unexpected.values()].reduce((a, b) => a + b, 0),
    processMs: perOp((processCpu(server.pid) ?? 0) - process0),
    databaseMs: perOp(serverCpuSpent(database0, await serverCpu(database, databaseUrl))),
  };
}

/** CPU per op as "process + database": where an op's cost is, next to the ceiling's. */
const cpu = (m: Measure) => `${m.processMs.toFixed(2)} + ${m.databaseMs.toFixed(2)}`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
function medianOf(runs: Measure[]): Measure {
  return {
    ops: median(runs.map((r) => r.ops)),
    opsPerSec: median(runs.map((r) => r.opsPerSec)),
    reqPerSec: median(runs.map((r) => r.reqPerSec)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    settleMs: median(runs.map((r) => r.settleMs)),
    processMs: median(runs.map((r) => r.processMs)),
    databaseMs: median(runs.map((r) => r.databaseMs)),
  };
}

interface Statement {
  query: string;
  calls: number;
  planMs: number;
  execMs: number;
}

/** The statements that took most of the database's time since the last reset. */
async function topStatements(db: Db): Promise<Statement[]> {
  const { rows } = await sql<Statement>`
    SELECT left(regexp_replace(query, '[[:space:]]+', ' ', 'g'), 110) AS query, calls::int AS calls,
           total_plan_time AS "planMs", total_exec_time AS "execMs"
    FROM pg_stat_statements
    WHERE query NOT LIKE '%pg_stat_statements%'
    ORDER BY total_plan_time + total_exec_time DESC LIMIT 15`.execute(db);
  return rows;
}

/** Per op of the app's runs: calls, planning and execution ms (nested time counts twice). */
function printStatements(statements: Statement[], runs: Measure[]): void {
  const ops = runs.reduce((n, r) => n + r.ops, 0);
  const byQuery = new Map<string, Statement>();
  for (const st of statements) {
    const sum = byQuery.get(st.query) ?? { ...st, calls: 0, planMs: 0, execMs: 0 };
    sum.calls += st.calls;
    sum.planMs += st.planMs;
    sum.execMs += st.execMs;
    byQuery.set(st.query, sum);
  }
  const top = [...byQuery.values()].sort((a, b) => b.planMs + b.execMs - (a.planMs + a.execMs));
  console.log(
    `  statements over ${ops} ops (per op: calls, plan ms, exec ms; nested counted twice)`,
  );
  for (const st of top.slice(0, 15)) {
    const perOp = (x: number) => (x / Math.max(1, ops)).toFixed(3);
    console.log(`  ${perOp(st.calls)} | ${perOp(st.planMs)} | ${perOp(st.execMs)} | ${st.query}`);
  }
}

async function signIn(app: AppProcess, email: string): Promise<{ cookie: string; sid: string }> {
  const browser = new Browser(app.url);
  const res = await browser.submit('/login', { email, password: PASSWORD });
  if (res.status !== 302) throw new Error(`login failed: ${res.status}`);
  // The cookie is express-session's signed id: s:<sid>.<signature>, URL-encoded.
  const sid = /^s:([^.]+)\./.exec(decodeURIComponent(browser.cookie.split('=')[1]!))![1]!;
  return { cookie: browser.cookie, sid };
}

async function main(): Promise<void> {
  const pg = await startPrimary(
    PG_PORT,
    args.statements
      ? [
          "shared_preload_libraries = 'pg_stat_statements'",
          'pg_stat_statements.track = all',
          'pg_stat_statements.track_planning = on',
        ]
      : [],
  );
  await prepare(pg.url);
  const { db } = createDb(pg.url, 2);
  if (args.statements) await sql`CREATE EXTENSION IF NOT EXISTS pg_stat_statements`.execute(db);
  const email = 'bench-user@load.patto.test';
  const userId = await createOrganisationWithUser(db, {
    org: { kind: 'firm', partner_type: null, name: 'Bench S.r.l.', territory_code: '048014' },
    user: { email, full_name: 'Bench User', password_hash: await hashPassword(PASSWORD) },
  });
  const { token: apiToken } = await createApiToken(db, userId, 'bench');
  // BENCH_APP_ENTRY=dist/src/server.js: the app compiled by `npm run build`, without tsx.
  const app = await startApp({
    port: APP_PORT,
    databaseUrl: pg.url,
    entry: process.env.BENCH_APP_ENTRY,
  });
  const ceiling = await startApp({
    port: CEILING_PORT,
    databaseUrl: pg.url,
    entry: 'scripts/support/ceiling-server.ts',
  });
  const context: Context = { email, apiToken, ...(await signIn(app, email)) };
  const only = args.only?.split(',');
  const scenarios = SCENARIOS.filter((s) => !only || only.some((o) => s.name.startsWith(o)));
  // Other work on the machine skews every figure: say how busy it was.
  const load = () => os.loadavg()[0]!.toFixed(1);
  console.log(
    `autocannon: ${CONNECTIONS} connections, ${DURATION} s per run, median of ${RUNS} runs; ` +
      `${os.cpus().length} CPUs, load average ${load()}\n`,
  );
  const rows: string[][] = [];
  let peakMb = 0;
  for (const s of scenarios) {
    await s.prepare?.({ db, app, context });
    // A short warm-up of both, not counted: JIT, pools, caches.
    const settle = s.settle && (() => s.settle!(db));
    await measure(app, pg.url, s, s.app(context), WARM_UP, settle);
    await measure(ceiling, pg.url, s, s.ceiling(context), WARM_UP);
    // The statistics a live database has (autovacuum analyses a table after its first 50 rows
    // changed, here a minute too late): the warm-up's rows counted, the plans made from them.
    await sql`ANALYZE`.execute(db);
    const appRuns: Measure[] = [];
    const ceilingRuns: Measure[] = [];
    const appStatements: Statement[] = [];
    for (let i = 0; i < RUNS; i++) {
      if (args.statements) await sql`SELECT pg_stat_statements_reset()`.execute(db);
      appRuns.push(await measure(app, pg.url, s, s.app(context), DURATION, settle));
      if (args.statements) appStatements.push(...(await topStatements(db)));
      ceilingRuns.push(await measure(ceiling, pg.url, s, s.ceiling(context), DURATION));
    }
    if (args.statements) printStatements(appStatements, appRuns);
    const a = medianOf(appRuns);
    const c = medianOf(ceilingRuns);
    const { rssMb, peakMb: peak } = app.memory();
    peakMb = Math.max(peakMb, peak);
    const row = [
      s.name,
      a.opsPerSec.toFixed(0),
      a.p50.toFixed(0),
      a.p99.toFixed(0),
      String(a.errors),
      String(rssMb),
      c.opsPerSec.toFixed(0),
      c.p99.toFixed(0),
      String(c.errors),
      `${((100 * a.opsPerSec) / c.opsPerSec).toFixed(0)} %`,
      cpu(a),
      cpu(c),
    ];
    rows.push(row);
    console.log(row.join(' | '));
    if (settle)
      console.log(
        `  the app's work owed after its runs took ${a.settleMs.toFixed(0)} ms (median), ` +
          'counted in its ops/s',
      );
  }
  await Promise.all([app.stop(), ceiling.stop(), db.destroy()]);
  await pg.stop();
  const header = [
    'scenario',
    'app ops/s',
    'p50 ms',
    'p99 ms',
    'errors',
    'RSS MB',
    'ceiling ops/s',
    'ceiling p99 ms',
    'ceiling errors',
    'app / ceiling',
    'app CPU ms/op (process + PostgreSQL)',
    'ceiling CPU ms/op',
  ];
  console.log(`\n| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  console.log(`\napp peak RSS (VmHWM): ${peakMb} MB; load average at the end ${load()}`);
}

main().catch((err) => {
  console.error('bench:load failed:', err instanceof Error ? err.message : err);
  process.exit(1);
});
