import type pg from 'pg';

/**
 * The most statements one connection keeps prepared, the least recently used dropped first: a
 * prepared statement with its plan holds ~90 kB of the backend's memory (a submission's locked
 * read, measured), so at most ~9 MB per connection. The statements a busy request runs stay.
 */
export const MAX_PREPARED_PER_CONNECTION = 100;
/** Texts remembered as run once, waiting for a second run to be prepared. */
const MAX_SEEN = 10 * MAX_PREPARED_PER_CONNECTION;

/**
 * Makes a pooled connection prepare, under a name of its own, each statement it runs a second
 * time with parameters: PostgreSQL then parses it once per connection and, after a few runs,
 * keeps a generic plan instead of planning it on every call (as PgJDBC does from its fifth run).
 * Planning was most of the database time of some of the busiest statements (docs/PERFORMANCE.md).
 * A statement run once (a list of a varying length, a rare page) stays unprepared, as before.
 *
 * Only statements with parameters: Kysely sends every query with them, and one without
 * parameters may hold several commands (a migration), which a prepared statement cannot.
 * Never on the embedded database, whose connections share one backend: two connections would
 * prepare the same name. Never behind a pooler in transaction mode (PgBouncer < 1.21), which
 * moves a connection's statements to another backend: DATABASE_PREPARE=false for those.
 */
export function prepareStatements(client: pg.PoolClient): void {
  // In order of last use: the first is the one to drop.
  const names = new Map<string, string>();
  const seen = new Set<string>();
  let next = 0;
  const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
  const nameFor = (text: string): string | undefined => {
    const name = names.get(text);
    if (name !== undefined) {
      names.delete(text);
      names.set(text, name);
      return name;
    }
    if (!seen.delete(text)) {
      if (seen.size >= MAX_SEEN) seen.clear();
      seen.add(text);
      return undefined;
    }
    const created = `patto_${next++}`;
    names.set(text, created);
    if (names.size > MAX_PREPARED_PER_CONNECTION) {
      const [oldest, dropped] = names.entries().next().value!;
      names.delete(oldest);
      // Queued before the statement that displaced it. Names are never reused, so a failed
      // DEALLOCATE (inside a transaction already failed) only leaves that one until the
      // connection closes.
      query(`DEALLOCATE ${dropped}`).catch(() => undefined);
    }
    return created;
  };
  // A table changed under a prepared statement whose result it shapes (a column added by a
  // migration while this instance runs): PostgreSQL refuses the statement from then on. It is
  // dropped, so this call fails but the next one runs, prepared anew.
  const forget = (text: string, name: string) => (err: unknown) => {
    if ((err as { code?: string }).code === '0A000' && names.get(text) === name) {
      names.delete(text);
      query(`DEALLOCATE ${name}`).catch(() => undefined);
    }
    throw err;
  };
  client.query = ((...args: unknown[]) => {
    const [text, values, callback] = args;
    if (typeof text === 'string' && Array.isArray(values) && values.length > 0 && !callback) {
      const name = nameFor(text);
      if (name !== undefined) return query({ name, text, values }).catch(forget(text, name));
    }
    return query(...args);
  }) as typeof client.query;
}
