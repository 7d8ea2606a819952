/**
 * npm run bench:dashboard — the strategic dashboard on real PostgreSQL: a Tuscan campaign with
 * BENCH_LINES need lines (default 100,000; 1,000,000 supported; ten lines per firm over the
 * comuni of ITI14 and ITI15) and BENCH_PACTS pacts (default 500, five actions each, most of them
 * funded, with ledger commitments and outcome reports), then p50/p95 of the dashboard service
 * over BENCH_RUNS runs (default 30) for a region user: the region's view, a province's view, a
 * quarter. The target of issue 7: p50 < 150 ms at 1M lines and 500 pacts.
 * Creates and drops its own database (patto_bench_dashboard). BENCH_DATABASE_URL overrides the
 * server (default postgres://postgres@127.0.0.1:5432/postgres); BENCH_KEEP=1 keeps the database.
 */
import { sql } from 'kysely';
import type { Db } from '../src/db';
import type { SessionUser } from '../src/http/types';
import { dashboard } from '../src/modules/dashboard/dashboard.service';
import { benchUser, generateNeeds, ms, pct, time, withBenchDb } from './bench-kit';

const NAME = 'patto_bench_dashboard';
const LINES = Number(process.env.BENCH_LINES ?? 100_000);
const PACTS = Number(process.env.BENCH_PACTS ?? 500);
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const LINES_PER_FIRM = 10;
const ACTIONS_PER_PACT = 5;

/**
 * `count` pacts over the provinces and comuni of ITI14/ITI15, four in five funded: five actions
 * each, every funded action committed in the ledger and reported on in its quarter.
 */
async function pacts(db: Db, region: SessionUser, campaignId: string, count: number) {
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

async function main() {
  await withBenchDb(NAME, async (db) => {
    const region = await benchUser(db, 'region', 'ITI1');
    const t0 = process.hrtime.bigint();
    const campaignId = await db
      .transaction()
      .execute(async (tx) => generateNeeds(tx as unknown as Db, region, LINES, LINES_PER_FIRM));
    await sql`SELECT need_cells_rebuild(${campaignId}::uuid)`.execute(db);
    await pacts(db, region, campaignId, PACTS);
    const buildMs = ms(t0);
    // Index-only scans need the visibility map: what autovacuum gives a live database.
    await sql`VACUUM ANALYZE`.execute(db);
    const views = {
      'region (ITI1)': { campaignId },
      'province (ITI14)': { campaignId, territory: 'ITI14' },
      'region, one quarter': { campaignId, period: '2027-Q2' },
    };
    console.log(
      `${LINES.toLocaleString('en')} need lines, ${PACTS} pacts (built in ${(buildMs / 1000).toFixed(1)} s), ${RUNS} runs each\n`,
    );
    // "after a change": the campaign's version bumped before each read, as a submission does, so
    // the per-process summary of the answers is recomputed (the worst case of a busy campaign).
    const bump = () =>
      sql`UPDATE need_campaign_versions SET version = version + 1
          WHERE campaign_id = ${campaignId}`.execute(db);
    console.log('| view | p50 ms | p95 ms | after a change p50 ms | p95 ms |');
    console.log('|---|---|---|---|---|');
    for (const [label, q] of Object.entries(views)) {
      await time(3, () => dashboard(db, region, q));
      const runs = await time(RUNS, () => dashboard(db, region, q));
      const cold: number[] = [];
      for (let i = 0; i < Math.min(RUNS, 10); i++) {
        await bump();
        cold.push(...(await time(1, () => dashboard(db, region, q))));
      }
      console.log(
        `| ${label} | ${pct(runs, 50).toFixed(1)} | ${pct(runs, 95).toFixed(1)} | ${pct(cold, 50).toFixed(1)} | ${pct(cold, 95).toFixed(1)} |`,
      );
    }
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
