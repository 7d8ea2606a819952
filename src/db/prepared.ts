import type pg from 'pg';

/**
 * The most statements one connection keeps prepared. The app sends a few hundred distinct
 * statements; a text seen after the cap runs unprepared (as every statement did before), so a
 * statement built with a varying shape can never make a connection's memory grow without bound.
 */
export const MAX_PREPARED_PER_CONNECTION = 1000;

/**
 * Makes a pooled connection prepare each statement it runs with parameters, once, under a name
 * of its own: PostgreSQL then parses it once per connection and, after a few runs, keeps a
 * generic plan instead of planning it on every call (as PgJDBC and postgres.js do). Planning was
 * most of the database time of some of the app's busiest statements (docs/PERFORMANCE.md).
 *
 * Only statements with parameters: Kysely sends every query with them, and one without
 * parameters may hold several commands (a migration), which a prepared statement cannot.
 * Never on the embedded database, whose connections share one backend: two connections would
 * prepare the same name. Never behind a pooler in transaction mode (PgBouncer < 1.21), which
 * moves a connection's statements to another backend: DATABASE_PREPARE=false for those.
 */
export function prepareStatements(client: pg.PoolClient): void {
  const names = new Map<string, string>();
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  client.query = ((...args: unknown[]) => {
    const [text, values, callback] = args;
    if (typeof text === 'string' && Array.isArray(values) && values.length > 0 && !callback) {
      let name = names.get(text);
      if (name === undefined && names.size < MAX_PREPARED_PER_CONNECTION) {
        name = `patto_${names.size}`;
        names.set(text, name);
      }
      if (name !== undefined) return query({ name, text, values });
    }
    return query(...args);
  }) as typeof client.query;
}
