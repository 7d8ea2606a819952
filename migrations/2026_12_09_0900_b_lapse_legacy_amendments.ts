import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';

// Frozen once landed: never edit, add a new migration instead.
// Until amendments lapsed with their pact (2026_12_07_1300_a_amendment_lapsed), a pact submitted,
// approved, rejected or withdrawn kept its undecided amendments "open" for good: nobody can
// decide them any more. This lapses them as the application now does when a pact leaves
// negotiation (src/modules/pacts/amendments.lapse.ts): status 'lapsed', decided_at now, nobody's
// decision, and one 'amendment_lapsed' entry each in the pact's audit chain, in the order they
// were proposed, by the user whose transition took the pact out of negotiation (none if the
// chain records no such transition) on that transition's revision. The proposers are not sent
// notifications about decisions that may be weeks old. Running it again changes nothing.

/** The states in which amendments are decided (EDITABLE_STATUSES in pact-workflow.ts). */
const EDITABLE = ['draft', 'negotiation', 'agreed', 'returned'];

// The audit chain's hashing, as src/modules/pacts/audit.ts and canonical.ts compute it (copied:
// a migration imports no application code).
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v instanceof Date) return v.toISOString();
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = sortKeys(x);
    }
    return out;
  }
  return v;
}
const entryHash = (prevHash: string | null, row: Record<string, unknown>) =>
  createHash('sha256')
    .update((prevHash ?? '') + JSON.stringify(sortKeys(row)), 'utf8')
    .digest('hex');

/** Lapses the open amendments of every pact out of negotiation; returns how many. */
export async function lapseLegacyAmendments(db: Kysely<any>): Promise<number> {
  // The migrator runs each migration in a transaction already; called on its own, it opens one.
  if (!db.isTransaction) return db.transaction().execute((tx) => lapseLegacyAmendments(tx));
  const tx = db;
  const { rows: pacts } = await sql<{ id: string; revision: number }>`
      SELECT p.id, p.revision FROM pacts p
      WHERE p.status NOT IN (${sql.join(EDITABLE)})
        AND EXISTS (SELECT 1 FROM pact_amendments a WHERE a.pact_id = p.id AND a.status = 'open')
      ORDER BY p.id
      FOR UPDATE OF p`.execute(tx);
  let lapsed = 0;
  for (const { id, revision } of pacts) {
    // The transition that took the pact out of negotiation last: its author, its revision.
    const { rows: exits } = await sql<{
      actor_id: string | null;
      actor_org_id: string | null;
      revision: number;
    }>`
        SELECT actor_id, actor_org_id, revision FROM pact_audit
        WHERE pact_id = ${id} AND from_status IN (${sql.join(EDITABLE)})
          AND to_status IS NOT NULL AND to_status NOT IN (${sql.join(EDITABLE)})
        ORDER BY seq DESC LIMIT 1`.execute(tx);
    const exit = exits[0] ?? { actor_id: null, actor_org_id: null, revision };
    const { rows: amendments } = await sql<{ id: string; created_at: Date }>`
        UPDATE pact_amendments SET status = 'lapsed', decided_at = now()
        WHERE pact_id = ${id} AND status = 'open'
        RETURNING id, created_at`.execute(tx);
    // In the order they were proposed, so the audit reads as the board lists them.
    const ordered = amendments.sort(
      (a, b) => a.created_at.getTime() - b.created_at.getTime() || (a.id < b.id ? -1 : 1),
    );
    const { rows: last } = await sql<{ seq: number; hash: string }>`
        SELECT seq, hash FROM pact_audit WHERE pact_id = ${id} ORDER BY seq DESC LIMIT 1`.execute(
      tx,
    );
    let seq = last[0]?.seq ?? 0;
    let prevHash = last[0]?.hash ?? null;
    for (const am of ordered) {
      const row = {
        pact_id: id,
        seq: ++seq,
        at: new Date(),
        actor_id: exit.actor_id,
        actor_org_id: exit.actor_org_id,
        event: 'amendment_lapsed',
        from_status: null,
        to_status: null,
        revision: exit.revision,
        detail: { amendment: am.id },
      };
      const hash = entryHash(prevHash, { ...row, at: row.at.toISOString() });
      await sql`
          INSERT INTO pact_audit
            (pact_id, seq, at, actor_id, actor_org_id, event, from_status, to_status, revision, detail, prev_hash, hash)
          VALUES (${row.pact_id}, ${row.seq}, ${row.at}, ${row.actor_id}, ${row.actor_org_id}, ${row.event},
            NULL, NULL, ${row.revision}, ${JSON.stringify(row.detail)}::jsonb, ${prevHash}, ${hash})`.execute(
        tx,
      );
      prevHash = hash;
      lapsed++;
    }
  }
  return lapsed;
}

export async function up(db: Kysely<any>): Promise<void> {
  await lapseLegacyAmendments(db);
}

// What lapsed stays lapsed: its audit entries cannot be taken back (the chain is append-only).
export async function down(): Promise<void> {}
