import { sql, type Transaction } from 'kysely';
import type { Executor } from '../../db';
import type { Database } from '../../db/database';

export interface ResponseChange {
  /** A response version that stops counting (superseded or withdrawn). */
  remove?: string | readonly string[];
  /** A response version that starts counting (just submitted or imported). */
  add?: string | readonly string[];
}

const list = (v: string | readonly string[] | undefined): string[] =>
  v === undefined ? [] : typeof v === 'string' ? [v] : [...v];

/**
 * Records, inside the caller's transaction, that some response versions start or stop counting
 * in the needs aggregate. Call it after the responses rows already say which version is current.
 *
 * The change is only appended to need_changes (migration 2026_12_06_1000): no submission waits
 * for another's row locks. foldNeeds brings need_cells up to date with the changes committed so
 * far; every reader of the cells calls it first, and a background folder keeps the queue short.
 * A submission writes the same entries from its own supersede and insert statements (one round
 * trip fewer each: survey/responses.repository.ts); withdrawals and imports call this.
 */
export async function applyResponseChange(
  tx: Transaction<Database>,
  change: ResponseChange,
): Promise<void> {
  const remove = list(change.remove);
  const add = list(change.add);
  if (remove.length + add.length === 0) return;
  await sql`
    INSERT INTO need_changes (response_id, sign, campaign_id)
    SELECT r.id, CASE WHEN r.id = ANY(${add}::uuid[]) THEN 1 ELSE -1 END, r.campaign_id
    FROM responses r WHERE r.id = ANY(${[...add, ...remove]}::uuid[])
    ORDER BY r.id`.execute(tx);
}

/**
 * Folds the committed changes of some campaigns into need_cells (need_fold): afterwards the
 * cells are the sum of every version that counts, as of this call. need_cells holds each
 * territory's own answers, summed up the tree on read (needs.repository): a version changes
 * the cells of one territory only, for every dim value it touches under every cut; see
 * need_cells_apply (migrations 2026_11_23_1180 and 2026_12_06_1000) for the top shares and
 * squares that keep dominance exact without re-reading lines.
 *
 * Cheap when nothing is pending (an index probe). Run it in read committed: in its own
 * statement, or in a caller's read-committed transaction (which then holds the campaign's fold
 * lock until it ends); never inside a repeatable-read one, whose snapshot predates the fold.
 */
export async function foldNeeds(db: Executor, campaignIds: string | readonly string[]) {
  const ids = list(campaignIds);
  if (ids.length === 0) return 0;
  const { rows } = await sql<{ taken: number }>`
    SELECT coalesce(sum(need_fold(id)), 0)::int AS taken
    FROM (SELECT DISTINCT unnest(${ids}::uuid[]) AS id ORDER BY 1) c`.execute(db);
  return rows[0]!.taken;
}

/** Folds every campaign with pending changes (the background folder); returns how many changes. */
export async function foldAllNeeds(db: Executor): Promise<number> {
  const { rows } = await sql<{ taken: number }>`
    SELECT coalesce(sum(need_fold(campaign_id)), 0)::int AS taken
    FROM (SELECT DISTINCT campaign_id FROM need_changes ORDER BY 1) c`.execute(db);
  return rows[0]!.taken;
}

/** Sums one campaign again from scratch (the database function also used on tree changes). */
export async function rebuildNeedCells(tx: Transaction<Database>, campaignId: string) {
  await sql`SELECT need_cells_rebuild(${campaignId}::uuid)`.execute(tx);
}
