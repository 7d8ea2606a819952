import type { CompiledQuery, Compilable } from 'kysely';
import type { Executor } from './index';

/**
 * A query built and compiled by Kysely once, then run with new values: for the statements of the
 * busiest requests, whose builder (a few dozen columns and subqueries) cost more of the process's
 * time than the rest of the request (docs/PERFORMANCE.md). Same SQL, same result type.
 *
 * `build` receives a marker for each named value, to use where the value goes; each marker must
 * reach the compiled query as a parameter of its own (a value compared, inserted or passed to a
 * function), never inside raw SQL text. Checked on first use: a missing marker is an error.
 */
export function precompiled<K extends string, R>(
  keys: readonly K[],
  build: (db: Executor, values: Record<K, string>) => Compilable<R>,
): (db: Executor, values: Record<K, unknown>) => Promise<R[]> {
  let compiled: CompiledQuery<R> | undefined;
  let slots: (K | null)[] = [];
  return async (db, values) => {
    if (!compiled) {
      const markers = Object.fromEntries(keys.map((k) => [k, `\u0000${k}\u0000`]));
      const query = build(db, markers as Record<K, string>).compile();
      slots = query.parameters.map((p) =>
        typeof p === 'string' && p.startsWith('\u0000') ? (p.slice(1, -1) as K) : null,
      );
      const missing = keys.filter((k) => !slots.includes(k));
      if (missing.length) throw new Error(`precompiled: no parameter for ${missing.join(', ')}`);
      compiled = query;
    }
    const query = compiled;
    const parameters = query.parameters.map((p, i) => (slots[i] === null ? p : values[slots[i]!]));
    const { rows } = await db.executeQuery<R>({ ...query, parameters });
    return rows;
  };
}
