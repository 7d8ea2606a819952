/**
 * npm run bench:aggregate — the needs aggregate on real PostgreSQL, at 10k, 100k and 1M need
 * lines in Tuscany (ten lines per firm, firms spread over the comuni of ITI14 and ITI15):
 *   (a) the read of NUTS-3 × skill area for the region (p50/p95),
 *   (b) the same answer by a naive GROUP BY over the raw lines, and the ratio (b)/(a),
 *   (c) the extra time a submission's aggregate upkeep costs (p50): queueing its change
 *       (applyResponseChange) and folding it alone (foldNeeds), both timed in its transaction —
 *       the worst case; the app's background folder takes many changes per fold,
 *   plus the protected read of a local authority: "solved" right after a change (the campaign's
 *   pattern for every filter solved and cached), "cached" when the pattern is reused.
 * Creates and drops its own database (patto_bench_aggregate). BENCH_DATABASE_URL overrides the
 * server (default postgres://postgres@127.0.0.1:5432/postgres); BENCH_KEEP=1 keeps the database
 * afterwards, to look at plans.
 */
import { sql } from 'kysely';
import type { Db } from '../src/db';
import { applyResponseChange, foldNeeds } from '../src/modules/needs/aggregate';
import { needsAggregate } from '../src/modules/needs/needs.service';
import { benchUser, generateNeeds, ms, pct, time, withBenchDb } from './bench-kit';

const NAME = 'patto_bench_aggregate';
const SIZES = (process.env.BENCH_SIZES ?? '10000,100000,1000000').split(',').map(Number);
const LINES_PER_FIRM = 10;

/**
 * The campaign's cells from scratch (need_cells_rebuild, one statement): a bulk import of 100k
 * firms through applyResponseChange in batches works too (the property test covers imports) but
 * takes minutes at 1M lines for nothing this benchmark measures.
 */
async function build(db: Db, campaignId: string) {
  await sql`SELECT need_cells_rebuild(${campaignId}::uuid)`.execute(db);
}

const naive = (db: Db, campaignId: string) =>
  sql`
  SELECT t.parent_code AS province, n.area_code, count(DISTINCT r.firm_id) AS firms,
         sum(n.workers) AS workers
  FROM responses r
  JOIN response_needs n ON n.response_id = r.id
  JOIN territories t ON t.code = r.territory_code
  WHERE r.campaign_id = ${campaignId} AND r.status = 'current'
  GROUP BY 1, 2`.execute(db);

/** One amendment of a random firm: supersede, new version with ten lines, the aggregate call. */
async function amend(db: Db, campaignId: string, userId: string): Promise<number> {
  return db.transaction().execute(async (tx) => {
    const { rows } = await sql<{ id: string }>`
      SELECT id FROM responses WHERE campaign_id = ${campaignId} AND status = 'current'
      OFFSET floor(random() * 500) LIMIT 1`.execute(tx);
    const old = rows[0]!.id;
    await sql`UPDATE responses SET status = 'superseded', superseded_at = now() WHERE id = ${old}`.execute(
      tx,
    );
    const { rows: added } = await sql<{ id: string }>`
      INSERT INTO responses (campaign_id, firm_id, version, status, submitted_by, legal_name,
        territory_code, nace_version, nace_section, nace_division, employees, size_class,
        need_count, workers_total)
      SELECT campaign_id, firm_id, version + 1, 'current', ${userId}, legal_name, territory_code,
             nace_version, nace_section, nace_division, employees, size_class, need_count, 0
      FROM responses WHERE id = ${old}
      RETURNING id`.execute(tx);
    const id = added[0]!.id;
    await sql`
      INSERT INTO response_needs (response_id, line_no, area_code, skill_code, occupation_code,
        workers, eqf_level, priority, modality, period)
      SELECT ${id}, line_no, area_code, skill_code, occupation_code,
             1 + (workers + line_no) % 6, eqf_level, priority, modality, period
      FROM response_needs WHERE response_id = ${old}`.execute(tx);
    const t0 = process.hrtime.bigint();
    await applyResponseChange(tx, { remove: old, add: id });
    await foldNeeds(tx, campaignId);
    return ms(t0);
  });
}

async function main() {
  await withBenchDb(NAME, async (db) => {
    const region = await benchUser(db, 'region', 'ITI1');
    const authority = await benchUser(db, 'local_authority', 'ITI14');
    const rows: string[] = [];
    for (const size of SIZES) {
      let t0 = process.hrtime.bigint();
      const campaignId = await db
        .transaction()
        .execute(async (tx) => generateNeeds(tx as unknown as Db, region, size, LINES_PER_FIRM));
      const genMs = ms(t0);
      t0 = process.hrtime.bigint();
      await build(db, campaignId);
      const buildMs = ms(t0);
      await sql`ANALYZE`.execute(db);
      const q = { campaignId, territory: 'ITI1', by: 'area' as const, priority: '*', period: '*' };
      await time(5, () => needsAggregate(db, region, q));
      const a = await time(50, () => needsAggregate(db, region, q));
      const b = await time(size >= 1_000_000 ? 5 : 10, () => naive(db, campaignId));
      const protectedRead = () => needsAggregate(db, authority, { ...q, territory: 'ITI14' });
      const c: number[] = [];
      const cold: number[] = [];
      for (let i = 0; i < 50; i++) {
        c.push(await amend(db, campaignId, region.id));
        // Every tenth change, the next protected read solves the pattern again (cache miss).
        if (i % 10 === 9) cold.push(...(await time(1, protectedRead)));
      }
      const warm = await time(20, protectedRead);
      const cells = await db
        .selectFrom('need_cells')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('campaign_id', '=', campaignId)
        .executeTakeFirstOrThrow();
      const line =
        `| ${size.toLocaleString('en')} | ${(size / LINES_PER_FIRM).toLocaleString('en')} | ${Number(cells.n).toLocaleString('en')} ` +
        `| ${pct(a, 50).toFixed(1)} / ${pct(a, 95).toFixed(1)} | ${pct(b, 50).toFixed(0)} | ${(pct(b, 50) / pct(a, 50)).toFixed(0)}× ` +
        `| ${pct(c, 50).toFixed(1)} / ${pct(c, 95).toFixed(1)} | ${pct(cold, 50).toFixed(0)} / ${pct(warm, 50).toFixed(1)} | ${(genMs / 1000).toFixed(1)} s + ${(buildMs / 1000).toFixed(1)} s |`;
      console.log(line);
      rows.push(line);
    }
    console.log(
      '\n| need lines | firms | cells | (a) read p50 / p95 ms | (b) naive GROUP BY p50 ms | (b)/(a) | (c) queue + fold p50 / p95 ms | protected read (LA) p50 ms, solved / cached | generate + rebuild |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const r of rows) console.log(r);
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
