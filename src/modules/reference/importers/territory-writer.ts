import { sql } from 'kysely';
import type { Tx } from '../../../db';
import type { TerritoryLevelName } from '../reference.tables';

export interface TerritoryState {
  code: string;
  level: TerritoryLevelName;
  parent_code: string | null;
  name: string;
  /** Names the file gives; merged over the names already stored (e.g. an English name kept). */
  names: Record<string, string>;
  cadastral_code: string | null;
}

/** A state the file says held before `until` (a comune's NUTS 2021 parent). */
export interface PriorState {
  from: string;
  until: string;
  parent_code: string;
  version: string;
  nextVersion: string;
}

export interface Incoming extends TerritoryState {
  prior?: PriorState;
}

interface Current extends TerritoryState {
  valid_to: string | null;
  state_from: string | null;
}

/** A code not stored yet; prior_* describe its NUTS 2021 interval when there was one. */
interface Fresh extends TerritoryState {
  valid_from: string;
  version: string;
  prior_parent?: string;
  prior_until?: string;
  prior_version?: string;
}

interface VersionRow extends TerritoryState {
  valid_from: string;
  valid_to: string | null;
  version: string;
}

// A correlated lookup, one probe of the open-interval index per code: inside the import
// transaction the new rows have no statistics yet, and a join would scan the whole history.
const openSince = sql`
  SELECT v.valid_from FROM territory_versions v WHERE v.code = t.code AND v.valid_to IS NULL`;

const sameNames = (a: Record<string, string>, b: Record<string, string>): boolean => {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
};

/**
 * Applies a classification file to territories without rewriting history: a changed state
 * closes the open interval in territory_versions and opens a new one dated `date`; a file of the
 * open interval's own date corrects it in place; a file older than the stored state changes
 * nothing.
 */
export class TerritoryWriter {
  inserted = 0;
  updated = 0;
  closed = 0;
  /** Codes this run closed, for linking them to their successors. */
  readonly closedCodes: string[] = [];

  private constructor(
    private readonly tx: Tx,
    private readonly version: string,
    private readonly date: string,
  ) {}

  /**
   * A writer for this import transaction. JIT compilation is turned off for the transaction: the
   * planner cannot size a batch (a JSON record set, a trigger's transition table) and guessed
   * millions of rows, so every batch statement and trigger query paid ~0.4 s of compiling.
   */
  static async open(tx: Tx, version: string, date: string): Promise<TerritoryWriter> {
    await sql`SET LOCAL jit = off`.execute(tx);
    return new TerritoryWriter(tx, version, date);
  }

  /**
   * Applies one batch. A single statement inserts the codes not stored yet, with their history,
   * and returns the stored state of the others, which are compared here; a first import of a
   * list is one statement per batch, with no round trip and no work in this process between
   * reading what is stored and writing.
   */
  async apply(batch: Incoming[]): Promise<void> {
    if (batch.length === 0) return;
    const { rows } = await sql<Current>`
      WITH x AS MATERIALIZED (
        SELECT * FROM jsonb_to_recordset(${JSON.stringify(batch.map((b) => this.fresh(b)))}::jsonb)
          AS x(code text, level text, parent_code text, name text, names jsonb, version text,
            valid_from date, cadastral_code text, prior_parent text, prior_until date,
            prior_version text)
      ), j AS MATERIALIZED (
        -- One probe of the primary key per code (OFFSET 0 keeps it a probe): inside the import
        -- transaction the new rows have no statistics, and a join would scan the whole table.
        SELECT x.*, t.code AS c_code, t.level AS c_level, t.parent_code AS c_parent_code,
               t.name AS c_name, t.names AS c_names, t.cadastral_code AS c_cadastral_code,
               t.valid_to AS c_valid_to, t.state_from AS c_state_from
        FROM x LEFT JOIN LATERAL (
          SELECT t.*, (${openSince}) AS state_from
          FROM territories t WHERE t.code = x.code OFFSET 0) t ON true
      ), inserted AS (
        INSERT INTO territories (code, level, parent_code, name, names, version, valid_from, cadastral_code)
        SELECT code, level, parent_code, name, names, version, valid_from, cadastral_code
        FROM j WHERE c_code IS NULL
      ), history AS (
        -- The open interval, preceded by the NUTS 2021 one when the file says the parent
        -- changed in 2024.
        INSERT INTO territory_versions (code, valid_from, valid_to, version, level, parent_code, name, names)
        SELECT code, valid_from, prior_until, prior_version, level, prior_parent, name, names
        FROM j WHERE c_code IS NULL AND prior_until IS NOT NULL
        UNION ALL
        SELECT code, coalesce(prior_until, valid_from), NULL, version, level, parent_code, name, names
        FROM j WHERE c_code IS NULL
      )
      SELECT c_code AS code, c_level AS level, c_parent_code AS parent_code, c_name AS name,
             c_names AS names, c_cadastral_code AS cadastral_code, c_valid_to AS valid_to,
             c_state_from AS state_from
      FROM j WHERE c_code IS NOT NULL`.execute(this.tx);
    this.inserted += batch.length - rows.length;
    const current = new Map(rows.map((r) => [r.code, r]));

    const changed: (TerritoryState & { version: string })[] = [];
    const closeAt: { code: string; at: string }[] = [];
    const versions: VersionRow[] = [];
    const sameDay: (TerritoryState & { version: string })[] = [];

    for (const inc of batch) {
      const cur = current.get(inc.code);
      if (!cur) continue;
      const names = { ...cur.names, ...inc.names };
      const next = { ...inc, names };
      const sameState =
        cur.level === inc.level &&
        cur.parent_code === inc.parent_code &&
        cur.name === inc.name &&
        sameNames(cur.names, names);
      if (cur.valid_to === null && sameState) {
        if (inc.cadastral_code !== null && inc.cadastral_code !== cur.cadastral_code) {
          changed.push({ ...next, version: this.version });
          this.updated++;
        }
        continue;
      }
      if (cur.valid_to !== null) {
        // Listed again after being closed: reopened, unless the closure is newer than the file.
        if (cur.valid_to > this.date) continue;
        changed.push({ ...next, version: this.version });
        versions.push({ ...next, valid_from: this.date, valid_to: null, version: this.version });
        this.updated++;
        continue;
      }
      let at = this.date;
      let version = this.version;
      const p = inc.prior;
      // A comune that only moved between NUTS versions changed parent on the NUTS date.
      if (
        p &&
        cur.parent_code === p.parent_code &&
        cur.name === inc.name &&
        cur.state_from! < p.until
      ) {
        at = p.until;
        version = p.nextVersion;
      }
      if (cur.state_from !== null && at < cur.state_from) continue;
      if (cur.state_from === at) {
        // A second file for the same date (a corrected list imported again the same day): it
        // replaces that day's state rather than being ignored; earlier intervals are untouched.
        sameDay.push({ ...next, version });
        changed.push({ ...next, version });
        this.updated++;
        continue;
      }
      closeAt.push({ code: inc.code, at });
      versions.push({ ...next, valid_from: at, valid_to: null, version });
      changed.push({ ...next, version });
      this.updated++;
    }
    await this.write(changed, closeAt, versions, sameDay);
  }

  /** A code as a new territory: the open interval, from the NUTS 2021 one if the file gives it. */
  private fresh(inc: Incoming): Fresh {
    const prior = inc.prior && inc.prior.until > inc.prior.from ? inc.prior : undefined;
    const { code, level, parent_code, name, names, cadastral_code } = inc;
    return {
      code,
      level,
      parent_code,
      name,
      names,
      cadastral_code,
      valid_from: prior ? prior.from : this.date,
      version: prior ? prior.nextVersion : this.version,
      prior_parent: prior?.parent_code,
      prior_until: prior?.until,
      prior_version: prior?.version,
    };
  }

  private async write(
    changed: (TerritoryState & { version: string })[],
    closeAt: { code: string; at: string }[],
    versions: VersionRow[],
    sameDay: (TerritoryState & { version: string })[],
  ): Promise<void> {
    const tx = this.tx;
    if (sameDay.length) {
      await sql`
        UPDATE territory_versions v
        SET level = x.level, parent_code = x.parent_code, name = x.name, names = x.names,
            version = x.version
        FROM jsonb_to_recordset(${JSON.stringify(sameDay)}::jsonb) AS x(code text, level text,
          parent_code text, name text, names jsonb, version text)
        WHERE v.code = x.code AND v.valid_to IS NULL`.execute(tx);
    }
    if (closeAt.length) {
      await sql`
        UPDATE territory_versions v SET valid_to = x.at
        FROM jsonb_to_recordset(${JSON.stringify(closeAt)}::jsonb) AS x(code text, at date)
        WHERE v.code = x.code AND v.valid_to IS NULL`.execute(tx);
    }
    if (versions.length) {
      await sql`
        INSERT INTO territory_versions (code, valid_from, valid_to, version, level, parent_code, name, names)
        SELECT code, valid_from, valid_to, version, level, parent_code, name, names
        FROM jsonb_to_recordset(${JSON.stringify(versions)}::jsonb) AS x(code text, valid_from date,
          valid_to date, version text, level text, parent_code text, name text, names jsonb)`.execute(
        tx,
      );
    }
    if (changed.length) {
      await sql`
        UPDATE territories t
        SET level = x.level, parent_code = x.parent_code, name = x.name, names = x.names,
            version = x.version, cadastral_code = coalesce(x.cadastral_code, t.cadastral_code),
            valid_to = NULL
        FROM jsonb_to_recordset(${JSON.stringify(changed)}::jsonb) AS x(code text, level text,
          parent_code text, name text, names jsonb, version text, cadastral_code text)
        WHERE t.code = x.code`.execute(tx);
    }
  }

  /**
   * Closes the open territories in scope that the file did not list, paging through them by code
   * so that a country-wide list never sits in memory at once.
   */
  async closeMissing(scope: 'LAU-IT' | 'NUTS', listed: (code: string) => boolean): Promise<void> {
    const where =
      scope === 'NUTS' ? sql`t.level <> 'LAU'` : sql`t.level = 'LAU' AND t.parent_code LIKE 'IT%'`;
    let after = '';
    for (;;) {
      const { rows } = await sql<{ code: string; state_from: string | null }>`
        SELECT t.code, (${openSince}) AS state_from
        FROM territories t
        WHERE ${where} AND t.valid_to IS NULL AND t.valid_from < ${this.date}::date
          AND t.code > ${after}
        ORDER BY t.code LIMIT 5000`.execute(this.tx);
      if (rows.length === 0) return;
      after = rows[rows.length - 1]!.code;
      const gone = rows
        .filter((r) => !listed(r.code) && (r.state_from === null || r.state_from < this.date))
        .map((r) => r.code);
      if (gone.length === 0) continue;
      await sql`UPDATE territories SET valid_to = ${this.date}::date WHERE code = ANY(${gone}::text[])`.execute(
        this.tx,
      );
      await sql`
        UPDATE territory_versions SET valid_to = ${this.date}::date
        WHERE code = ANY(${gone}::text[]) AND valid_to IS NULL`.execute(this.tx);
      this.closed += gone.length;
      this.closedCodes.push(...gone);
    }
  }
}
