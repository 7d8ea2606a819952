import { sql, type Transaction } from 'kysely';
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
 * Keeps need_cells equal to the sum of the current responses, inside the caller's transaction.
 * Call it after the responses rows already say which version is current.
 *
 * need_cells holds each territory's own answers, summed up the tree on read (needs.repository),
 * so a version changes the cells of one territory only: for every dim value it touches (total,
 * skill area, skill, NACE section, size class) under every cut (all, its priority, its period,
 * both), firms ±1, workers ± its sum, workers_sq ± its square, and its share leaves or joins
 * the cell's exact top shares. Done by the database function need_cells_apply (migration
 * 2026_11_23_1180): one upsert in primary-key order, whose plan the function keeps per
 * connection; emptied cells are deleted; only a concentrated cell whose largest firms all left
 * is read again from the lines of its one territory.
 *
 * Why top shares and squares: dominance asks whether one firm holds more than d of a cell.
 * Keeping an exact maximum meant re-reading a whole comune whenever the firm holding it
 * declared less. The top shares (up to 4, exact) survive that; they may run out only on a cell
 * whose squares prove that no firm holds half of it (max² <= Σ share² <= workers² / 4).
 */
export async function applyResponseChange(
  tx: Transaction<Database>,
  change: ResponseChange,
): Promise<void> {
  const remove = list(change.remove);
  const add = list(change.add);
  if (remove.length + add.length === 0) return;
  await sql`SELECT need_cells_apply(${add}::uuid[], ${remove}::uuid[])`.execute(tx);
}

/** Sums one campaign again from scratch (the database function also used on tree changes). */
export async function rebuildNeedCells(tx: Transaction<Database>, campaignId: string) {
  await sql`SELECT need_cells_rebuild(${campaignId}::uuid)`.execute(tx);
}
