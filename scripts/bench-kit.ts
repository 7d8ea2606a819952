/**
 * What the benchmarks share: a database of their own on the real PostgreSQL, timing and
 * percentiles, bench users, and a campaign's firms, responses, need lines and pacts made by
 * generate_series (minutes faster than going through the services, which the tests cover).
 */
import fs from 'node:fs';
import { sql } from 'kysely';
import pg from 'pg';
import { createDb, type Db } from '../src/db';
import { migrateToLatest } from '../src/db/migrator';
import type { SessionUser } from '../src/http/types';
import { findSessionUser } from '../src/modules/accounts/accounts.repository';
import { createOrganisationWithUser } from '../src/modules/accounts/accounts.service';
import { loadBuiltinReference } from '../src/modules/reference/builtin';
import { addDaysTo, romeToday } from '../src/modules/survey/calendar';
import { createCampaign, transitionCampaign } from '../src/modules/survey/campaigns.service';

export const ADMIN =
  process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function admin(query: string) {
  const c = new pg.Client({ connectionString: ADMIN });
  await c.connect();
  await c.query(query);
  await c.end();
}

/**
 * CPU seconds used so far by each server process connected to database `name` on `adminUrl`'s
 * server (from /proc when the server runs on this machine; empty otherwise): on a shared machine,
 * CPU time is the steadier figure, wall time measures the other jobs too.
 */
export async function serverCpu(name: string, adminUrl = ADMIN): Promise<Map<number, number>> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    const { rows } = await c.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = $1',
      [name],
    );
    const out = new Map<number, number>();
    for (const { pid } of rows) {
      const cpu = processCpu(pid);
      // null: a server on another machine, no CPU figure.
      if (cpu !== null) out.set(pid, cpu);
    }
    return out;
  } finally {
    await c.end();
  }
}

/** CPU seconds (user + system) a process on this machine has used so far, or null. */
export function processCpu(pid: number): number | null {
  try {
    // Fields 14 and 15 of /proc/PID/stat: user and system time, in clock ticks (1/100 s).
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** The server CPU seconds spent between two serverCpu readings. */
export function serverCpuSpent(before: Map<number, number>, after: Map<number, number>): number {
  let spent = 0;
  for (const [pid, s] of after) spent += s - (before.get(pid) ?? 0);
  return spent;
}

/**
 * A fresh database `name`, migrated, with the built-in reference set; `run` gets it, then it is
 * dropped (kept with BENCH_KEEP=1, to look at plans).
 */
export async function withBenchDb(
  name: string,
  run: (db: Db) => Promise<void>,
  pool = 4,
): Promise<void> {
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN);
  url.pathname = `/${name}`;
  const { db } = createDb(url.toString(), pool);
  try {
    await migrateToLatest(db);
    await loadBuiltinReference(db);
    await run(db);
  } finally {
    await db.destroy();
    if (!process.env.BENCH_KEEP) await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

/** The current comuni of Florence and Prato (ITI14, ITI15), in code order: where bench firms are. */
export async function benchComuni(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom('territories')
    .select('code')
    .where('level', '=', 'LAU')
    .where('parent_code', 'in', ['ITI14', 'ITI15'])
    .where('valid_to', 'is', null)
    .orderBy('code')
    .execute();
  return rows.map((r) => r.code);
}

export const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

export function pct(xs: number[], p: number) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** `n` timed calls of `f`, one after the other, in milliseconds. */
export async function time(n: number, f: () => Promise<unknown>) {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await f();
    out.push(ms(t0));
  }
  return out;
}

/**
 * A region user and an open campaign over Tuscany offering `skillAreas`, through the services a
 * region's clicks run (for benchmarks that then go through the survey's own services).
 */
export async function openBenchCampaign(db: Db, skillAreas: string[]) {
  const regionId = await createOrganisationWithUser(db, {
    org: { kind: 'region', partner_type: null, name: 'Regione', territory_code: 'ITI1' },
    user: { email: 'region@bench.test', full_name: 'Region', password_hash: 'x' },
  });
  const region = (await findSessionUser(db, regionId))!;
  const today = romeToday();
  const campaignId = await createCampaign(db, region, {
    title: 'Bench',
    territoryCode: 'ITI1',
    opensAt: today,
    closesAt: addDaysTo(today, 30),
    skillAreas,
    readiness: true,
  });
  await transitionCampaign(db, region, campaignId, 'open');
  return { region, campaignId };
}

/** A user of its own organisation, as the session would hold it. */
export async function benchUser(
  db: Db,
  kind: 'region' | 'local_authority',
  territory: string,
): Promise<SessionUser> {
  const org = await db
    .insertInto('organisations')
    .values({ kind, name: `Bench ${kind}`, territory_code: territory })
    .returning(['id'])
    .executeTakeFirstOrThrow();
  const u = await db
    .insertInto('users')
    .values({
      organisation_id: org.id,
      email: `${kind}@bench.patto`,
      full_name: kind,
      password_hash: 'x',
    })
    .returning(['id'])
    .executeTakeFirstOrThrow();
  return {
    id: u.id,
    email: `${kind}@bench.patto`,
    fullName: kind,
    role: kind,
    partnerType: null,
    organisationId: org.id,
    organisationName: 'Bench',
    territoryCode: territory,
  };
}

/**
 * A Tuscan campaign with `lines` need lines, `linesPerFirm` per firm: firms spread (skewed) over
 * the comuni of ITI14/ITI15, each response with a readiness self-assessment. Run it inside a
 * transaction (it uses a temporary table dropped at commit). Returns the campaign id.
 */
export async function generateNeeds(
  db: Db,
  region: SessionUser,
  lines: number,
  linesPerFirm: number,
) {
  const firms = Math.max(1, Math.round(lines / linesPerFirm));
  const { id } = await db
    .insertInto('campaigns')
    .values({
      organisation_id: region.organisationId,
      title: `Bench ${lines}`,
      territory_code: 'ITI1',
      opens_at: '2026-01-01',
      closes_at: '2030-12-31',
      status: 'open',
      opened_at: new Date(),
      created_by: region.id,
    })
    .returning(['id'])
    .executeTakeFirstOrThrow();
  await sql`
    CREATE TEMP TABLE bench_firms ON COMMIT DROP AS
    WITH comuni AS (
      SELECT array_agg(code ORDER BY code) AS codes FROM territories
      WHERE parent_code IN ('ITI14', 'ITI15') AND level = 'LAU')
    SELECT i, gen_random_uuid() AS id,
           -- a skewed spread: big comuni hold more firms, as in life
           codes[1 + floor(power(random(), 2) * array_length(codes, 1))::int] AS territory,
           (ARRAY['C','F','G','J'])[1 + i % 4] AS section,
           (ARRAY['25','41','46','62'])[1 + i % 4] AS division,
           (ARRAY[5, 20, 80, 400])[1 + (i / 4) % 4] AS employees
    FROM comuni, generate_series(1, ${firms}) i`.execute(db);
  await sql`
    INSERT INTO organisations (id, kind, name, territory_code)
    SELECT id, 'firm', 'Firm ' || i, territory FROM bench_firms`.execute(db);
  await sql`
    INSERT INTO firms (organisation_id, legal_name, territory_code)
    SELECT id, 'Firm ' || i, territory FROM bench_firms`.execute(db);
  await sql`
    INSERT INTO responses (campaign_id, firm_id, version, status, submitted_by, legal_name,
      territory_code, nace_version, nace_section, nace_division, employees, size_class,
      need_count, workers_total, dma_strategy, dma_readiness, dma_human, dma_data,
      dma_automation, dma_green, readiness_score)
    SELECT ${id}, id, 1, 'current', ${region.id}, 'Firm ' || i, territory, 'NACE2', section,
           division, employees,
           CASE WHEN employees < 10 THEN 'micro' WHEN employees < 50 THEN 'small'
                WHEN employees < 250 THEN 'medium' ELSE 'large' END,
           ${linesPerFirm}, 0, i % 6, (i + 1) % 6, (i + 2) % 6, (i + 3) % 6, (i + 4) % 6,
           (i + 5) % 6, 50
    FROM bench_firms`.execute(db);
  await sql`
    INSERT INTO response_needs (response_id, line_no, area_code, skill_code, occupation_code,
      workers, eqf_level, priority, modality, period)
    SELECT r.id, l, s.area_code, s.code, '31', 1 + (abs(hashtext(r.id::text || l)) % 5), 4,
           (ARRAY['high','medium','low'])[1 + (abs(hashtext(r.id::text)) + l) % 3], 'classroom',
           (ARRAY['2027-Q1','2027-Q2','2027-Q3','2027-Q4'])[1 + l % 4]
    FROM responses r
    CROSS JOIN generate_series(1, ${linesPerFirm}) l
    JOIN LATERAL (SELECT code, area_code FROM skills ORDER BY code
                  OFFSET (abs(hashtext(r.id::text)) + l * 3) % 30 LIMIT 1) s ON true
    WHERE r.campaign_id = ${id}`.execute(db);
  return id;
}

const ACTIONS_PER_PACT = 5;

/**
 * `count` pacts over the provinces and comuni of ITI14/ITI15, four in five funded: five actions
 * each, every funded action committed in the ledger and reported on in its quarter.
 */
export async function generatePacts(
  db: Db,
  region: SessionUser,
  campaignId: string,
  count: number,
) {
  const { id: callId } = await db
    .insertInto('funding_calls')
    .values({
      organisation_id: region.organisationId,
      territory_code: 'ITI1',
      campaign_id: campaignId,
      title: 'Bench call',
      budget_cents: 100_000_000_000_000,
      course_hour_cents: 100_00,
      participant_hour_cents: 5_00,
      deadline: '2030-12-31',
      status: 'open',
      created_by: region.id,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await sql`
    INSERT INTO pacts (campaign_id, territory_code, promoter_org_id, call_id, title, status,
      revision_hash, created_by)
    SELECT ${campaignId}, t.codes[1 + i % array_length(t.codes, 1)], ${region.organisationId},
           ${callId}, 'Bench pact ' || i,
           (ARRAY['approved','in_progress','closed','approved','submitted'])[1 + i % 5],
           repeat('0', 64), ${region.id}
    FROM (SELECT array_agg(code ORDER BY code) AS codes FROM territories
          WHERE code IN ('ITI14', 'ITI15') OR parent_code IN ('ITI14', 'ITI15')) t,
         generate_series(1, ${count}) i`.execute(db);
  await sql`
    INSERT INTO pact_actions (pact_id, position, title, skill_codes, participants, hours,
      modality, eqf_level, period, cost_cents, approved_cents)
    SELECT p.id, a, 'Action ' || a, ARRAY['F40.a'], 5 + (a * 7) % 20, 40, 'classroom', 4,
           (ARRAY['2027-Q1','2027-Q2','2027-Q3','2027-Q4'])[1 + a % 4], 600000, 600000
    FROM pacts p CROSS JOIN generate_series(1, ${ACTIONS_PER_PACT}) a
    WHERE p.campaign_id = ${campaignId}`.execute(db);
  await sql`
    INSERT INTO budget_commitments (call_id, pact_id, action_id, territory_code, kind,
      amount_cents, reason, by_user)
    SELECT ${callId}, p.id, a.id, p.territory_code, 'commit', a.approved_cents, 'bench',
           ${region.id}
    FROM pacts p JOIN pact_actions a ON a.pact_id = p.id
    WHERE p.campaign_id = ${campaignId} AND p.status IN ('approved','in_progress','closed')`.execute(
    db,
  );
  await sql`
    INSERT INTO action_outcomes (action_id, period, pact_id, enrolled, completed,
      hours_delivered, spent_cents, women, age_30_54, employed, isced_3_4, reported_by)
    SELECT a.id, a.period, p.id, a.participants, a.participants - 1, 40, 300000,
           a.participants, a.participants, a.participants, a.participants, ${region.id}
    FROM pacts p JOIN pact_actions a ON a.pact_id = p.id
    WHERE p.campaign_id = ${campaignId} AND p.status IN ('in_progress','closed')`.execute(db);
}
