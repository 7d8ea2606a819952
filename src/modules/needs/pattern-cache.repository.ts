import { sql } from 'kysely';
import type { Executor } from '../../db';

// The cache of protected patterns (see campaign-protection.ts): Kysely code only.

/** The campaign's version: bumped by every change of its cells (need_cells_apply). */
export async function campaignVersion(db: Executor, campaignId: string): Promise<number> {
  const row = await db
    .selectFrom('need_campaign_versions')
    .select('version')
    .where('campaign_id', '=', campaignId)
    .executeTakeFirst();
  return Number(row?.version ?? 0);
}

export interface PatternKey {
  campaignId: string;
  root: string;
  k: number;
}

/** The hidden cells of one filter, if a pattern was solved at this very version. */
export async function cachedPattern(
  db: Executor,
  key: PatternKey & { priority: string; period: string; version: number },
): Promise<Record<string, string> | undefined> {
  const row = await db
    .selectFrom('need_protection_cache')
    .select('hidden')
    .where('campaign_id', '=', key.campaignId)
    .where('root_code', '=', key.root)
    .where('k', '=', key.k)
    .where('priority', '=', key.priority)
    .where('period', '=', key.period)
    .where('version', '=', key.version)
    .executeTakeFirst();
  return row?.hidden;
}

/** Stores the patterns of every filter solved at `version`; never overwrites a newer one. */
export async function storePatterns(
  db: Executor,
  key: PatternKey & { version: number },
  patterns: { priority: string; period: string; hidden: Record<string, string> }[],
): Promise<void> {
  if (patterns.length === 0) return;
  await sql`
    INSERT INTO need_protection_cache AS p
      (campaign_id, root_code, k, priority, period, version, hidden)
    SELECT ${key.campaignId}::uuid, ${key.root}::text, ${key.k}::smallint, x.priority, x.period,
           ${key.version}::bigint, x.hidden
    FROM jsonb_to_recordset(${JSON.stringify(patterns)}::jsonb)
      AS x(priority text, period text, hidden jsonb)
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (campaign_id, root_code, k, priority, period) DO UPDATE
      SET version = EXCLUDED.version, hidden = EXCLUDED.hidden
      WHERE p.version < EXCLUDED.version`.execute(db);
}
