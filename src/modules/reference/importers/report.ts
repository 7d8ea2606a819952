import { rowError, type RowParams, type RowProblem } from './row-problems';

/** What an import did. Counts are of changes: a second run of the same file reports zeros. */
export interface ImportReport {
  rows: number;
  inserted: number;
  updated: number;
  closed: number;
  /** Old codes linked to their new code (renumbered comuni). */
  linked: number;
  errors: ImportRowError[];
  /** 'utf8' or 'cp1252', as detected. */
  encoding: string | null;
}

export interface ImportRowError {
  line: number;
  /** English, for the command line and the logs. */
  message: string;
  /**
   * Why, for pages to word it in the reader's language: a RowProblem with its `params`, or why
   * the file itself was refused (csv-source's SourceProblem, with `column`).
   */
  code?: string;
  column?: string;
  params?: Record<string, string | number>;
}

export interface ImportOptions {
  /** Called after each batch with the number of data rows read so far. */
  onProgress?: (rowsDone: number) => void;
}

export const MAX_ERRORS = 1000;
export const BATCH_SIZE = 5000;

/**
 * The batch writes of one import transaction, started while the next batch is parsed. Up to
 * `depth` writes are queued at once (the transaction's connection runs them in order), so the
 * database starts the next batch as soon as it finishes one instead of waiting for this process
 * to hand it over; `push` waits while the queue is full, which bounds what sits in memory.
 */
export class WriteQueue {
  private readonly pending: Promise<void>[] = [];

  constructor(private readonly depth = 2) {}

  async push(write: () => Promise<void>): Promise<void> {
    while (this.pending.length >= this.depth) await this.pending.shift();
    const p = write();
    // Awaited by push or drain; this keeps a failure that is not awaited yet from being
    // reported as unhandled.
    p.catch(() => undefined);
    this.pending.push(p);
  }

  /** Waits for every queued write; throws the first failure. */
  async drain(): Promise<void> {
    while (this.pending.length) await this.pending.shift();
  }

  /**
   * Waits for every queued write, failed or not. Call it before an error leaves the transaction:
   * the rollback must not be sent while a queued write can still run, or that write's next
   * statement would reach the connection after the rollback, outside any transaction.
   */
  async settle(): Promise<void> {
    await Promise.allSettled(this.pending.splice(0));
  }

  /**
   * Runs `body`, which pushes writes, then waits for them all (throwing the first failure); if
   * anything throws, no write is left running when the error leaves.
   */
  async guard<T>(body: () => Promise<T>): Promise<T> {
    try {
      const result = await body();
      await this.drain();
      return result;
    } finally {
      await this.settle();
    }
  }
}

export class ErrorList {
  readonly items: ImportRowError[] = [];
  private extra = 0;

  add<C extends RowProblem>(
    line: number,
    code: C,
    ...params: RowParams<C> extends undefined ? [] : [RowParams<C>]
  ): void {
    if (this.items.length < MAX_ERRORS) this.items.push(rowError(line, code, ...params));
    else this.extra++;
  }

  get any(): boolean {
    return this.items.length > 0;
  }

  list(): ImportRowError[] {
    if (this.extra === 0) return this.items;
    return [...this.items, rowError(0, 'moreErrors', { count: this.extra })];
  }
}

// A spreadsheet opened by an administrator would run these as formulas (CSV injection).
const FORMULA = [
  /^=./s,
  /^@[A-Za-z]/,
  /^[+-]\s*[A-Za-z_][A-Za-z0-9_.]*\s*\(/,
  /^[+-]\s*\$?[A-Za-z]{1,3}\$?[0-9]+\b/,
  /^[=+\-@][^|]*\|[^!]*!/,
];

/** The index of the first cell that looks like a spreadsheet formula, or -1. */
export function formulaColumn(cells: string[]): number {
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i]!;
    const ch = c.charCodeAt(0);
    // = + - @ : only these can start a formula, so most cells cost one comparison.
    if (ch !== 61 && ch !== 43 && ch !== 45 && ch !== 64) continue;
    if (FORMULA.some((re) => re.test(c))) return i;
  }
  return -1;
}

/** The first cell that looks like a spreadsheet formula, as an error's parameters, or null. */
export function formulaCell(
  cells: string[],
  header: string[],
): { column: string; value: string } | null {
  const i = formulaColumn(cells);
  if (i < 0) return null;
  const column = oneLine(header[i] ?? `column ${i + 1}`);
  return { column, value: JSON.stringify(cells[i]!.slice(0, 40)) };
}

/**
 * The first cell whose text was encoded twice (UTF-8 read as Windows-1252 and saved again: "AgliÃ¨"
 * for "Agliè"), as an error's parameters, or null. Ã or Â before a sign of the Latin-1 upper half
 * spells no name in any language of the files, and importing it would rename the territory.
 */
export function doubleEncodedCell(
  cells: string[],
  header: string[],
): { column: string; value: string } | null {
  const i = cells.findIndex((c) => /[ÂÃ][\u00a0-\u00bf]/.test(c));
  if (i < 0) return null;
  const column = oneLine(header[i] ?? `column ${i + 1}`);
  return { column, value: JSON.stringify(cells[i]!.slice(0, 40)) };
}

/** Header names compared without case, footnote marks like "(3)", or line breaks. */
export function normaliseHeader(h: string): string {
  return h
    .replace(/^\uFEFF/, '')
    .replace(/\(\d+\)/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

export function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** Maps each wanted field to its column, from a list of accepted header names per field. */
export function mapColumns<K extends string>(
  header: string[],
  fields: Record<K, { names: readonly string[]; required: boolean }>,
): { columns: Record<K, number>; missing: string[] } {
  const norm = header.map(normaliseHeader);
  const columns = {} as Record<K, number>;
  const missing: string[] = [];
  for (const key of Object.keys(fields) as K[]) {
    const f = fields[key];
    columns[key] = norm.findIndex((h) => f.names.includes(h));
    if (columns[key] < 0 && f.required) missing.push(f.names[0]!);
  }
  return { columns, missing };
}

export const today = (): string => new Date().toISOString().slice(0, 10);

export const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Thrown inside the import transaction to roll it back when any row is bad. */
export class Rollback extends Error {}
