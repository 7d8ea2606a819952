/**
 * npm run bench:fold [-- 150,1000 20] — what the needs aggregate's upkeep costs per folded
 * submission: need_cells_apply over a batch of a campaign's answers (as the background folder
 * takes them), on real PostgreSQL, in a campaign of 10,000 firms × 10 need lines over the comuni
 * of Florence and Prato. Each batch runs in a transaction that is rolled back, so every run
 * starts from the same cells; median of the runs, per batch size.
 * Creates and drops its own database (patto_bench_fold); BENCH_DATABASE_URL overrides the
 * server (default postgres://postgres@127.0.0.1:5432/postgres).
 */
import { sql } from 'kysely';
import type { Db } from '../src/db';
import { benchUser, generateNeeds, ms, pct, withBenchDb } from './bench-kit';

const NAME = 'patto_bench_fold';
const BATCHES = (process.argv[2] ?? '1,150,1000').split(',').map(Number);
const RUNS = Number(process.argv[3] ?? 15);
const LINES = 100_000;

async function foldOnce(db: Db, campaignId: string, size: number): Promise<number> {
  const ids = await sql<{ id: string }>`
    SELECT id FROM responses WHERE campaign_id = ${campaignId}::uuid
    ORDER BY random() LIMIT ${size}`.execute(db);
  const add = ids.rows.map((r) => r.id);
  const trx = await db.startTransaction().execute();
  try {
    const t0 = process.hrtime.bigint();
    await sql`SELECT need_cells_apply(${add}::uuid[], '{}')`.execute(trx);
    return ms(t0);
  } finally {
    await trx.rollback().execute();
  }
}

async function main() {
  await withBenchDb(NAME, async (db) => {
    const region = await benchUser(db, 'region', 'ITI1');
    const campaignId = await db
      .transaction()
      .execute(async (tx) => generateNeeds(tx as unknown as Db, region, LINES, 10));
    await sql`SELECT need_cells_rebuild(${campaignId}::uuid)`.execute(db);
    await sql`VACUUM ANALYZE`.execute(db);
    console.log(`need_cells_apply over a batch of answers (${LINES / 10} firms × 10 lines)`);
    console.log('| batch | ms per fold (median) | ms per answer |\n|---|---|---|');
    for (const size of BATCHES) {
      await foldOnce(db, campaignId, size);
      const runs: number[] = [];
      for (let i = 0; i < RUNS; i++) runs.push(await foldOnce(db, campaignId, size));
      const p50 = pct(runs, 50);
      console.log(`| ${size} | ${p50.toFixed(1)} | ${(p50 / size).toFixed(3)} |`);
    }
  });
}

main().catch((err) => {
  console.error('bench:fold failed:', err instanceof Error ? err.message : err);
  process.exit(1);
});
