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
import { dashboard } from '../src/modules/dashboard/dashboard.service';
import { benchUser, generateNeeds, generatePacts, ms, pct, time, withBenchDb } from './bench-kit';

const NAME = 'patto_bench_dashboard';
const LINES = Number(process.env.BENCH_LINES ?? 100_000);
const PACTS = Number(process.env.BENCH_PACTS ?? 500);
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const LINES_PER_FIRM = 10;

async function main() {
  await withBenchDb(NAME, async (db) => {
    const region = await benchUser(db, 'region', 'ITI1');
    const t0 = process.hrtime.bigint();
    const campaignId = await db
      .transaction()
      .execute(async (tx) => generateNeeds(tx as unknown as Db, region, LINES, LINES_PER_FIRM));
    await sql`SELECT need_cells_rebuild(${campaignId}::uuid)`.execute(db);
    await generatePacts(db, region, campaignId, PACTS);
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
