import { sql, type Kysely } from 'kysely';

// Frozen once landed: never edit, add a new migration instead.
// api_idempotency_keys: the `Idempotency-Key` an API client sent with a creating POST
// (modules/api/idempotency.ts), per user: what the request was (operation, fingerprint of its
// path, query and body) and, once it succeeded, its answer (status and body), replayed to a retry
// instead of creating again. `running`: a request with the key is under way (since claimed_at);
// neither running nor answered, the key was freed by a request that failed. Kept 24 hours.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE api_idempotency_keys (
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      idempotency_key text NOT NULL CHECK (idempotency_key ~ '^[!-~]{1,255}$'),
      operation_id text NOT NULL,
      fingerprint text NOT NULL,
      status integer CHECK (status BETWEEN 200 AND 299),
      body jsonb,
      running boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(),
      claimed_at timestamptz NOT NULL DEFAULT now(),
      CHECK (NOT (running AND status IS NOT NULL)),
      PRIMARY KEY (user_id, idempotency_key)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE api_idempotency_keys`.execute(db);
}
