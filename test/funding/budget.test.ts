import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../../src/db/database';
import { getI18n } from '../../src/http/i18n';
import { DomainError } from '../../src/lib/domain-error';
import { releasePact } from '../../src/modules/funding/ledger';
import { approvePact } from '../../src/modules/funding/review.service';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { ledgerSum, scenario, submittedPact } from './helpers';

let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
});
afterAll(() => t.close());

const committed = async (callId: string) =>
  (
    await t.db
      .selectFrom('funding_calls')
      .select('committed_cents')
      .where('id', '=', callId)
      .executeTakeFirstOrThrow()
  ).committed_cents;

const full = { revision: 1, remarks: '' };

describe('budget integrity', () => {
  it('50 concurrent approvals against a budget that fits 10: exactly 10 commit, each refusal says why', async () => {
    // Each pact: 40 h × 100 € + 5 × 40 h × 5 € = 5,000 €; the budget fits exactly ten.
    const s = await scenario(t.db, { budgetCents: 50_000_00 }, 10_000);
    const pacts = [];
    for (let i = 0; i < 50; i++) pacts.push(await submittedPact(t.db, s));
    // The approvals get a pool of their own, as wide as the server allows, whose callers wait for a
    // connection as long as it takes (the app's pool gives up after 5 s): on PGlite they run one
    // at a time, on PostgreSQL up to 25 at once, all queueing on the call's row lock.
    const pool = new pg.Pool({
      connectionString: t.url,
      max: Math.min(25, Math.floor(t.maxConnections / 2) - 1),
      connectionTimeoutMillis: 0,
    });
    const racers = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    let sampling = true;
    let maxSeen = 0;
    let samples = 0;
    const sampler = (async () => {
      while (sampling) {
        maxSeen = Math.max(maxSeen, await ledgerSum(t.db, s.call.id), await committed(s.call.id));
        samples++;
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const results = await Promise.allSettled(
      pacts.map((p) => approvePact(racers, s.region, p.id, full)),
    );
    sampling = false;
    await sampler;
    await racers.destroy();
    expect(samples).toBeGreaterThan(0);

    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(ok).toHaveLength(10);
    expect(refused).toHaveLength(40);
    for (const r of refused) {
      expect(r.reason).toBeInstanceOf(DomainError);
      const e = r.reason as DomainError;
      expect(e.messageKey).toBe('funding.errors.budgetExceeded.call');
      expect(e.options.params).toEqual({ available: 0, needed: 5000, territory: '' });
    }
    expect(await committed(s.call.id)).toBe(50_000_00);
    expect(await ledgerSum(t.db, s.call.id)).toBe(50_000_00);
    expect(maxSeen).toBeLessThanOrEqual(50_000_00);
    const statuses = await t.db
      .selectFrom('pacts')
      .select((eb) => ['status', eb.fn.countAll<number>().as('n')])
      .where('call_id', '=', s.call.id)
      .groupBy('status')
      .execute();
    expect(Object.fromEntries(statuses.map((r) => [r.status, Number(r.n)]))).toEqual({
      approved: 10,
      submitted: 40,
    });
  }, 600_000);

  it('refuses an approval past a territory’s allocation, while the rest of the call still funds others', async () => {
    const s = await scenario(t.db, {
      budgetCents: 100_000_00,
      allocations: [{ territory: '048014', cents: 8000_00 }],
    });
    const first = await submittedPact(t.db, s, [{}], { territory: '048014' });
    const second = await submittedPact(t.db, s, [{}], { territory: '048014' });
    const province = await submittedPact(t.db, s, [{}], { territory: 'ITI14' });
    await approvePact(t.db, s.region, first.id, full);
    const refusal = await approvePact(t.db, s.region, second.id, full).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(DomainError);
    expect((refusal as DomainError).messageKey).toBe('funding.errors.budgetExceeded.allocation');
    expect((refusal as DomainError).options.params).toEqual({
      available: 3000,
      needed: 5000,
      territory: expect.objectContaining({ _: 'Empoli (048014)' }),
    });
    // The reserve by its name, as the eligibility report names it, in the reader's language.
    const { messageKey, options } = refusal as DomainError;
    expect(getI18n().getFixedT('en')(messageKey, options.params)).toBe(
      'The reserve for Empoli (048014) has €3,000.00 available; this approval needs €5,000.00.',
    );
    // The same pact fits once lowered to what the allocation has left.
    await approvePact(t.db, s.region, second.id, {
      ...full,
      amounts: new Map([[second.actions[0]!.id, 3000_00]]),
    });
    await approvePact(t.db, s.region, province.id, full);
    const alloc = await t.db
      .selectFrom('funding_call_allocations')
      .selectAll()
      .where('call_id', '=', s.call.id)
      .executeTakeFirstOrThrow();
    expect(alloc.committed_cents).toBe(8000_00);
    expect(await committed(s.call.id)).toBe(13_000_00);
    expect(await ledgerSum(t.db, s.call.id)).toBe(13_000_00);
  });

  it('releasePact gives everything back, in the ledger and the running totals', async () => {
    const s = await scenario(t.db, { allocations: [{ territory: '048014', cents: 9000_00 }] });
    const pact = await submittedPact(t.db, s, [{}, { hours: 20 }], { territory: '048014' });
    await approvePact(t.db, s.region, pact.id, full);
    const released = await t.db
      .transaction()
      .execute((tx) => releasePact(tx, pact.id, 'closed unspent'));
    expect(released).toBe(5000_00 + 2500_00);
    expect(await committed(s.call.id)).toBe(0);
    expect(await ledgerSum(t.db, s.call.id)).toBe(0);
    const alloc = await t.db
      .selectFrom('funding_call_allocations')
      .select('committed_cents')
      .where('call_id', '=', s.call.id)
      .executeTakeFirstOrThrow();
    expect(alloc.committed_cents).toBe(0);
    // Nothing left: a second release is a no-op.
    expect(await t.db.transaction().execute((tx) => releasePact(tx, pact.id, 'again'))).toBe(0);
  });

  it('the ledger is append-only and the totals refuse overspending even without the service', async () => {
    const s = await scenario(t.db, { budgetCents: 1000_00 });
    await expect(
      t.db
        .updateTable('funding_calls')
        .set({ committed_cents: 1000_01 })
        .where('id', '=', s.call.id)
        .execute(),
    ).rejects.toThrow();
    const pact = await submittedPact(t.db, s, [{ hours: 5, participants: 1 }]);
    await approvePact(t.db, s.region, pact.id, full);
    await expect(
      t.db.deleteFrom('budget_commitments').where('pact_id', '=', pact.id).execute(),
    ).rejects.toThrow(/append-only/);
  });
});
