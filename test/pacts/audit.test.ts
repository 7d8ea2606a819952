import request from 'supertest';
import type { Express } from 'express';
import { sql } from 'kysely';
import { loginAs, submitForm, testApp } from '../helpers/app';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { appendAudit, verifyAuditChain } from '../../src/modules/pacts/audit';
import { newPact } from './factories';
import { pactScenario, type PactScenario } from './scenario';

let t: TestDb;
let app: Express;
let s: PactScenario;

beforeAll(async () => {
  t = await newTestDb();
  app = testApp(t);
  s = await pactScenario(t.db);
});
afterAll(() => t.close());

/** A pact with a few entries: created, a revision (invitation), negotiation opened, withdrawn. */
async function busyPact() {
  const pact = await newPact(t.db, { promoter: s.authority, campaign: s.campaign.id, actions: [] });
  const agent = await loginAs(app, s.authority.email, s.password);
  await submitForm(agent, `/pacts/${pact.id}/signatories`, {
    revision: '1',
    organisationId: s.union.organisationId,
  });
  await submitForm(agent, `/pacts/${pact.id}`, { revision: '2' }, `/pacts/${pact.id}/withdraw`);
  return { pact, agent };
}

/** What an operator with superuser rights could do: switch the guard off, edit, switch it on. */
async function tamper(statement: ReturnType<typeof sql>) {
  await sql`ALTER TABLE pact_audit DISABLE TRIGGER pact_audit_no_change`.execute(t.db);
  try {
    await statement.execute(t.db);
  } finally {
    await sql`ALTER TABLE pact_audit ENABLE TRIGGER pact_audit_no_change`.execute(t.db);
  }
}

describe('pact audit chain', () => {
  it('records every step with actor, states and revision, and says the chain is intact', async () => {
    const { pact, agent } = await busyPact();
    const rows = await t.db
      .selectFrom('pact_audit')
      .selectAll()
      .where('pact_id', '=', pact.id)
      .orderBy('seq')
      .execute();
    expect(rows.map((r) => [r.event, r.from_status, r.to_status, r.revision])).toEqual([
      ['created', null, 'draft', 1],
      ['revision', null, null, 2],
      ['open_negotiation', 'draft', 'negotiation', 2],
      ['withdraw', 'negotiation', 'withdrawn', 2],
    ]);
    expect(rows[3]!.actor_id).toBe(s.authority.id);
    expect(rows.slice(1).every((r, i) => r.prev_hash === rows[i]!.hash)).toBe(true);
    const page = await agent.get(`/pacts/${pact.id}/audit`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Catena integra ✓');
  });

  it('refuses UPDATE and DELETE on the log', async () => {
    const { pact } = await busyPact();
    await expect(
      sql`UPDATE pact_audit SET event = 'x' WHERE pact_id = ${pact.id}`.execute(t.db),
    ).rejects.toThrow(/append-only/);
    await expect(
      sql`DELETE FROM pact_audit WHERE pact_id = ${pact.id}`.execute(t.db),
    ).rejects.toThrow(/append-only/);
  });

  it('detects an edited entry (trigger disabled): page and API name it', async () => {
    const { pact, agent } = await busyPact();
    await tamper(sql`UPDATE pact_audit SET actor_id = NULL WHERE pact_id = ${pact.id} AND seq = 2`);
    const page = await agent.get(`/pacts/${pact.id}/audit`);
    expect(page.text).toContain('La registrazione n. 2 è stata alterata');
    expect(page.text).not.toContain('Catena integra');
    const token = await s.token(s.authority.id);
    const api = await request(app)
      .get(`/api/v1/pacts/${pact.id}/audit`)
      .set('Authorization', `Bearer ${token}`);
    expect(api.status).toBe(200);
    expect(api.body).toMatchObject({ intact: false, alteredSeq: 2 });
  });

  it('detects a removed entry and a rewritten hash', async () => {
    const { pact } = await busyPact();
    await tamper(sql`DELETE FROM pact_audit WHERE pact_id = ${pact.id} AND seq = 3`);
    expect(await verifyAuditChain(t.db, pact.id)).toEqual({ ok: false, seq: 3 });
    const other = await busyPact();
    // Recomputing one entry's own hash is not enough: the next entry still links to the old one.
    await tamper(
      sql`UPDATE pact_audit SET detail = '{"forged":true}', hash = repeat('a', 64)
          WHERE pact_id = ${other.pact.id} AND seq = 2`,
    );
    expect(await verifyAuditChain(t.db, other.pact.id)).toEqual({ ok: false, seq: 2 });
  });
});

describe('GET /pacts/:id/audit', () => {
  it('shows the details with labels in the reader’s language, money, skills and dates, never raw keys', async () => {
    const pact = await newPact(t.db, { promoter: s.authority, campaign: s.campaign.id });
    await t.db.transaction().execute(async (tx) => {
      const entry = { pactId: pact.id, actor: s.authority, revision: 1 } as const;
      await appendAudit(tx, {
        ...entry,
        event: 'reduced',
        detail: { approvedCents: 921600, releasedCents: 123450 },
      });
      await appendAudit(tx, {
        ...entry,
        event: 'amendment_proposed',
        detail: {
          kind: 'change_action',
          needs: [{ skill_code: 'F40.a', workers: 12 }],
          deadline: '2026-12-07',
        },
      });
      await appendAudit(tx, {
        ...entry,
        event: 'outcome_reported',
        detail: {
          actionId: pact.id,
          action: 'Corso IoT',
          replaced: false,
          spentCents: 230400,
          women: 9,
        },
      });
    });
    // PostgreSQL's jsonb keeps keys shorter first ('women' before 'action'): the parts follow
    // the order chosen for each event instead, keys it does not name after, alphabetically.
    const agent = await loginAs(app, s.authority.email, s.password);
    const it = (await agent.get(`/pacts/${pact.id}/audit?lang=it`)).text;
    expect(it).toContain('importo approvato: 9.216,00\u00a0€ · importo liberato: 1.234,50\u00a0€');
    expect(it).toContain(
      'tipo di proposta: Modifica di un&#x27;azione · scadenza: 7 dicembre 2026 · fabbisogni: (competenza: Big data e analisi dei dati (F40.a), lavoratori: 12)',
    );
    expect(it).toContain('azione: Corso IoT · spesa: 2.304,00\u00a0€ · Donne: 9');
    for (const raw of [
      'Cents',
      'skill_code',
      'workers',
      'change_action',
      '{&quot;',
      'replaced',
      'false',
    ])
      expect(it).not.toContain(raw);
    const en = (await agent.get(`/pacts/${pact.id}/audit?lang=en`)).text;
    expect(en).toContain('approved amount: €9,216.00 · released amount: €1,234.50');
    expect(en).toContain(
      'deadline: 7 December 2026 · needs: (skill: Big data and data analysis (F40.a), workers: 12)',
    );
  });
});
