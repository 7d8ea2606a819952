import { loginAs, submitForm, testApp } from '../helpers/app';
import { errorSummary, expectSummaryNamesFields } from '../helpers/error-summary';
import { newUser, PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { approvedPact, reportForm } from '../execution/helpers';
import { quarterOf, romeToday } from '../../src/modules/survey/calendar';
import { ledgerSum, scenario, submittedPact } from './helpers';
import { pageText } from '../helpers/html';
import { farDay, italianOnDay } from '../helpers/dates';

let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
});
afterAll(() => t.close());

const pactRow = (id: string) =>
  t.db.selectFrom('pacts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const callRow = (id: string) =>
  t.db.selectFrom('funding_calls').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('GET /pacts/:id/review', () => {
  it('shows each rule with pass/fail and the numbers behind it', async () => {
    const deadline = farDay();
    const s = await scenario(t.db, {
      deadline,
      maxHours: 30,
      minParticipants: 3,
      maxParticipants: 20,
      maxCostPerParticipantCents: 2000_00,
      areas: ['F40'],
    });
    // 40 hours > 30; 5 participants ok; 40*100 + 5*40*5 = 5000 €, 1000 €/participant ok.
    const pact = await submittedPact(t.db, s, [{ hours: 40, participants: 5, title: 'Robotica' }]);
    const agent = await loginAs(testApp(t), s.region.email, PASSWORD);
    const res = await agent.get(`/pacts/${pact.id}/review`);
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/data-rule="hours" data-ok="false"/);
    expect(res.text).toContain('40 ore, massimo 30');
    expect(res.text).toMatch(/data-rule="participants" data-ok="true"/);
    expect(res.text).toContain('5 partecipanti, ammessi da 3 a 20');
    expect(res.text).toMatch(/data-rule="costPerParticipant" data-ok="true"/);
    expect(res.text).toMatch(/data-rule="skills" data-ok="true"/);
    expect(res.text).toMatch(/data-rule="needs" data-ok="true"/);
    expect(res.text).toMatch(/data-rule="deadline" data-ok="true"/);
    // Days inside the sentence are written out for the reader, never ISO.
    const long = new Intl.DateTimeFormat('it-IT', { dateStyle: 'long', timeZone: 'Europe/Rome' });
    const day = long.format(new Date(`${deadline}T12:00:00+01:00`));
    expect(res.text).toContain(
      italianOnDay(`Presentato il ${long.format(new Date())}, scadenza ${day}`),
    );
    expect(res.text).not.toContain(`scadenza ${deadline}`);
    expect(res.text).toMatch(/data-rule="budget" data-ok="true"/);
    expect(res.text).toContain('5000,00');
    expect(res.text).toContain('href="/pacts/' + pact.id + '/review"');
  });

  it('names the territories of the rules, not bare codes, in the reader’s language', async () => {
    const s = await scenario(t.db, { allocations: [{ territory: 'ITI14', cents: 900_000_00 }] });
    const pact = await submittedPact(t.db, s);
    const agent = await loginAs(testApp(t), s.region.email, PASSWORD);
    const res = await agent.get(`/pacts/${pact.id}/review`);
    expect(res.text).toContain(
      'Il territorio del patto, Firenze (ITI14), è compreso in quello dell&#x27;avviso, Toscana (ITI1)',
    );
    expect(res.text.replace(/\u00a0/g, ' ')).toContain(
      'disponibili sulla riserva per Firenze (ITI14): 900.000,00 €',
    );
    const en = await agent.get(`/pacts/${pact.id}/review?lang=en`);
    expect(en.text).toContain('lies within the call&#x27;s, Tuscany (ITI1)');
    expect(en.text).toContain('available in the reserve for Florence (ITI14): €900,000.00');
  });

  it('is the region’s only: an authority gets 403, another region 404', async () => {
    const s = await scenario(t.db);
    const pact = await submittedPact(t.db, s);
    const app = testApp(t);
    const authority = await loginAs(app, s.authority.email, PASSWORD);
    expect((await authority.get(`/pacts/${pact.id}/review`)).status).toBe(403);
    const lombardia = await newUser(t.db, { role: 'region', territory: 'ITC4' });
    const other = await loginAs(app, lombardia.email, PASSWORD);
    expect((await other.get(`/pacts/${pact.id}/review`)).status).toBe(404);
  });

  it('does not count an approved pact’s own commitment against it (call and allocation)', async () => {
    const s = await scenario(t.db, {
      budgetCents: 8000_00,
      allocations: [{ territory: 'ITI14', cents: 8000_00 }],
    });
    const a = await submittedPact(t.db, s);
    const b = await submittedPact(t.db, s);
    const agent = await loginAs(testApp(t), s.region.email, PASSWORD);
    await submitForm(agent, `/pacts/${a.id}/review`, { revision: '1' }, `/pacts/${a.id}/approve`);
    await submitForm(
      agent,
      `/pacts/${b.id}/review`,
      { revision: '1', [`amount_${b.actions[0]!.id}`]: '2500' },
      `/pacts/${b.id}/approve`,
    );
    expect((await pactRow(a.id)).status).toBe('approved');
    expect((await callRow(s.call.id)).committed_cents).toBe(7500_00);
    const res = await agent.get(`/pacts/${a.id}/review`);
    expect(res.text).toMatch(/data-rule="budget" data-ok="true"/);
    expect(res.text).toMatch(/data-rule="allocation" data-ok="true"/);
    expect(res.text.replace(/\u00a0/g, ' ')).toContain(
      'Impegnati ora 5.000,00 €, disponibili sull&#x27;avviso 5.500,00 €',
    );
    expect(res.text).not.toContain('non rispetta tutte le regole');
    // The reduced pact is checked against what it was granted, not its full grant.
    const reduced = await agent.get(`/pacts/${b.id}/review`);
    expect(reduced.text.replace(/\u00a0/g, ' ')).toContain(
      'Impegnati ora 2.500,00 €, disponibili sull&#x27;avviso 3.000,00 €',
    );
    expect(reduced.text).not.toContain('non rispetta tutte le regole');
  });
  it('flags an action planned in a quarter already past, and refuses to approve the pact', async () => {
    const s = await scenario(t.db);
    const pact = await submittedPact(t.db, s, [{ title: 'Passata', period: '2026-Q1' }, {}]);
    const agent = await loginAs(testApp(t), s.region.email, PASSWORD);
    const now = quarterOf(romeToday());
    const res = await agent.get(`/pacts/${pact.id}/review`);
    expect(res.text.match(/data-rule="period" data-ok="false"/g)).toHaveLength(1);
    expect(res.text.match(/data-rule="period" data-ok="true"/g)).toHaveLength(1);
    expect(res.text).toContain(`Previsto per 2026-Q1, non prima del trimestre corrente (${now})`);
    const en = await agent.get(`/pacts/${pact.id}/review?lang=en`);
    expect(en.text).toContain(`Planned for 2026-Q1, not before the current quarter (${now})`);
    const approve = await submitForm(
      agent,
      `/pacts/${pact.id}/review`,
      { revision: '1' },
      `/pacts/${pact.id}/approve`,
    );
    expect(approve.status).toBe(409);
    expect(await ledgerSum(t.db, s.call.id)).toBe(0);
    expect((await pactRow(pact.id)).status).toBe('submitted');
  });

  it('checks a funded pact’s quarters against the day it was approved, not today', async () => {
    const { pact, region } = await approvedPact(t.db);
    // Approved on 1 April 2026 (the helper): an action of that quarter was not late then.
    await t.db
      .updateTable('pact_actions')
      .set({ period: '2026-Q2' })
      .where('pact_id', '=', pact.id)
      .execute();
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const res = await agent.get(`/pacts/${pact.id}/review`);
    expect(res.text).toMatch(/data-rule="period" data-ok="true"/);
    expect(res.text).toContain(
      'Previsto per 2026-Q2, non prima del trimestre dell&#x27;approvazione (2026-Q2)',
    );
  });
});

describe('POST /pacts/:id/approve', () => {
  it('approves in full: commits each action, updates the totals, tells the promoter', async () => {
    const s = await scenario(t.db);
    const partner = await newUser(t.db, { role: 'social_partner' });
    const pact = await submittedPact(t.db, s, [{}, { hours: 20, participants: 10 }], {
      signatories: [partner.organisationId],
    });
    const agent = await loginAs(testApp(t), s.region.email, PASSWORD);
    const res = await submitForm(
      agent,
      `/pacts/${pact.id}/review`,
      { revision: '1' },
      `/pacts/${pact.id}/approve`,
    );
    expect(res.status).toBe(302);
    const after = await pactRow(pact.id);
    // 40*100+5*40*5 = 5000 €; 20*100+10*20*5 = 3000 €.
    expect(after).toMatchObject({ status: 'approved', approved_cents: 8000_00 });
    expect((await callRow(s.call.id)).committed_cents).toBe(8000_00);
    expect(await ledgerSum(t.db, s.call.id)).toBe(8000_00);
    const told = await t.db
      .selectFrom('notifications')
      .innerJoin('users', 'users.id', 'notifications.user_id')
      .select(['users.organisation_id', 'notifications.kind'])
      .where('notifications.kind', '=', 'pact_approved')
      .where('notifications.link', '=', `/pacts/${pact.id}`)
      .execute();
    expect(told.map((n) => n.organisation_id).sort()).toEqual(
      [s.authority.organisationId, partner.organisationId].sort(),
    );
    const page = await agent.get(`/calls/${s.call.id}`);
    expect(page.text).toContain(pact.title);
  });

  it('approves a lower amount per action; refuses one above the action’s grant, keeping what was typed', async () => {
    const s = await scenario(t.db, { cofinancingPercent: 20 });
    const pact = await submittedPact(t.db, s, [{}]);
    const actionId = pact.actions[0]!.id;
    const agent = await loginAs(testApp(t), s.region.email, PASSWORD);
    const approve = (amount: string) =>
      submitForm(
        agent,
        `/pacts/${pact.id}/review`,
        { revision: '1', [`amount_${actionId}`]: amount },
        `/pacts/${pact.id}/approve`,
      );
    // cost 5000 €, firms 20 % = 1000 €, grant at most 4000 €.
    const over = await approve('4.000,01');
    expect(over.status).toBe(422);
    expect(over.text).toContain('Al massimo 4.000,00');
    expect(over.text).toContain('value="4.000,01"');
    expect((await pactRow(pact.id)).status).toBe('submitted');
    expect(await ledgerSum(t.db, s.call.id)).toBe(0);
    const bad = await approve('tre euro');
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Scrivi un importo in euro');
    // A minus sign is named as the problem, the input kept.
    const negative = await approve('-100');
    expect(negative.status).toBe(422);
    expect(negative.text).toContain('deve essere 0 o più: scrivilo senza segno meno.');
    expect(negative.text).toContain('value="-100"');
    // More euros than any budget: the range, not "write an amount in euros".
    const huge = await approve('99999999999999999');
    expect(huge.status).toBe(422);
    expect(huge.text).toContain('Tra 0,01 € e 1.000.000.000.000 €.');
    expect(huge.text).toContain('value="99999999999999999"');
    const ok = await approve('3.500,50');
    expect(ok.status).toBe(302);
    const action = await t.db
      .selectFrom('pact_actions')
      .selectAll()
      .where('id', '=', actionId)
      .executeTakeFirstOrThrow();
    expect(action).toMatchObject({ approved_cents: 3500_50, cofinancing_cents: 1000_00 });
    expect((await callRow(s.call.id)).committed_cents).toBe(3500_50);
  });

  it('names in the error summary the action whose amount is refused', async () => {
    const s = await scenario(t.db);
    const pact = await submittedPact(t.db, s, [{}, {}]);
    const [first, second] = pact.actions;
    const agent = await loginAs(testApp(t), s.region.email, PASSWORD);
    const res = await submitForm(
      agent,
      `/pacts/${pact.id}/review`,
      { revision: '1', [`amount_${first!.id}`]: '1000', [`amount_${second!.id}`]: 'mille' },
      `/pacts/${pact.id}/approve`,
    );
    expect(res.status).toBe(422);
    expectSummaryNamesFields(res.text, 1);
    expect(errorSummary(res.text)[0]!.text).toBe(
      `Contributo approvato per «${second!.title}» (€): Scrivi un importo in euro, ad esempio 12.500,50 oppure 12500.50.`,
    );
    expect((await pactRow(pact.id)).status).toBe('submitted');
  });

  it('refuses an ineligible pact with the reason, and a second decision on a decided pact', async () => {
    const s = await scenario(t.db, { maxHours: 30 });
    const pact = await submittedPact(t.db, s, [{ hours: 40 }]);
    const agent = await loginAs(testApp(t), s.region.email, PASSWORD);
    const res = await submitForm(
      agent,
      `/pacts/${pact.id}/review`,
      { revision: '1' },
      `/pacts/${pact.id}/approve`,
    );
    expect(res.status).toBe(409);
    expect(res.text).toContain('non rispetta 1 regola ');
    expect(await ledgerSum(t.db, s.call.id)).toBe(0);
    await submitForm(
      agent,
      `/pacts/${pact.id}/review`,
      { revision: '1', remarks: 'Troppe ore' },
      `/pacts/${pact.id}/reject`,
    );
    expect((await pactRow(pact.id)).status).toBe('rejected');
    const again = await agent.get(`/pacts/${pact.id}/review`);
    expect(again.text).not.toContain(`action="/pacts/${pact.id}/approve"`);
  });

  it('lands a double click on «Approva e impegna» like the first, committing once; another decision is still refused', async () => {
    const s = await scenario(t.db);
    const pact = await submittedPact(t.db, s, [{}]);
    const actionId = pact.actions[0]!.id;
    const agent = await loginAs(testApp(t), s.region.email, PASSWORD);
    const body = { revision: '1', [`amount_${actionId}`]: '4000' };
    for (let i = 0; i < 2; i++) {
      const res = await submitForm(
        agent,
        `/pacts/${pact.id}/review`,
        body,
        `/pacts/${pact.id}/approve`,
      );
      expect(res.status).toBe(302);
      expect(res.headers.location).toBe(`/pacts/${pact.id}/review`);
    }
    expect((await agent.get(`/pacts/${pact.id}/review`)).text).toContain('Patto approvato');
    expect(await ledgerSum(t.db, s.call.id)).toBe(4000_00);
    const decisions = await t.db
      .selectFrom('pact_decisions')
      .select('kind')
      .where('pact_id', '=', pact.id)
      .execute();
    expect(decisions).toHaveLength(1);
    // Not the same decision: other amounts, or a rejection, are refused as before.
    const other = await submitForm(
      agent,
      `/pacts/${pact.id}/review`,
      { revision: '1', [`amount_${actionId}`]: '3000' },
      `/pacts/${pact.id}/approve`,
    );
    expect(other.status).toBe(409);
    expect(other.text).toContain('Il patto non è in attesa di una decisione');
    const reject = await submitForm(
      agent,
      `/pacts/${pact.id}/review`,
      { revision: '1', remarks: 'No' },
      `/pacts/${pact.id}/reject`,
    );
    expect(reject.status).toBe(409);
  });
});

describe('POST /pacts/:id/return and /reject', () => {
  it('returns with remarks: status returned, a decision row, the promoter told why', async () => {
    const s = await scenario(t.db);
    const pact = await submittedPact(t.db, s);
    const agent = await loginAs(testApp(t), s.region.email, PASSWORD);
    const res = await submitForm(
      agent,
      `/pacts/${pact.id}/review`,
      { revision: '1', remarks: 'Ridurre le ore in aula' },
      `/pacts/${pact.id}/return`,
    );
    expect(res.status).toBe(302);
    expect((await pactRow(pact.id)).status).toBe('returned');
    const d = await t.db
      .selectFrom('pact_decisions')
      .selectAll()
      .where('pact_id', '=', pact.id)
      .executeTakeFirstOrThrow();
    expect(d).toMatchObject({ kind: 'return', remarks: 'Ridurre le ore in aula', revision: 1 });
    const n = await t.db
      .selectFrom('notifications')
      .innerJoin('users', 'users.id', 'notifications.user_id')
      .select('notifications.kind')
      .where('users.organisation_id', '=', s.authority.organisationId)
      .where('notifications.link', '=', `/pacts/${pact.id}`)
      .execute();
    expect(n.map((x) => x.kind)).toContain('pact_returned');
    // The notification opens the pact: from there, one link to the remarks.
    const promoter = await loginAs(testApp(t), s.authority.email, PASSWORD);
    const page = await promoter.get(`/pacts/${pact.id}`);
    expect(page.text).toContain(
      `<a href="/pacts/${pact.id}/decisions" id="read-remarks">Leggi le osservazioni della Regione</a>`,
    );
    expect((await promoter.get(`/pacts/${pact.id}/decisions`)).text).toContain(
      'Ridurre le ore in aula',
    );
  });

  it('refuses a rejection without reasons (422, nothing written)', async () => {
    const s = await scenario(t.db);
    const pact = await submittedPact(t.db, s);
    const agent = await loginAs(testApp(t), s.region.email, PASSWORD);
    const res = await submitForm(
      agent,
      `/pacts/${pact.id}/review`,
      { revision: '1', remarks: '   ' },
      `/pacts/${pact.id}/reject`,
    );
    expect(res.status).toBe(422);
    expect(res.text).toContain('href="#field-reject-remarks"');
    expectSummaryNamesFields(res.text, 1);
    expect(errorSummary(res.text)[0]!.text).toMatch(/^Motivazioni: /);
    expect((await pactRow(pact.id)).status).toBe('submitted');
    expect(
      await t.db.selectFrom('pact_decisions').select('id').where('pact_id', '=', pact.id).execute(),
    ).toHaveLength(0);
  });

  it('lands a double click on «Respingi il patto» like the first, with one decision', async () => {
    const s = await scenario(t.db);
    const pact = await submittedPact(t.db, s);
    const agent = await loginAs(testApp(t), s.region.email, PASSWORD);
    for (let i = 0; i < 2; i++) {
      const res = await submitForm(
        agent,
        `/pacts/${pact.id}/review`,
        { revision: '1', remarks: 'Fuori tema' },
        `/pacts/${pact.id}/reject`,
      );
      expect(res.status).toBe(302);
    }
    expect((await pactRow(pact.id)).status).toBe('rejected');
    expect(
      await t.db.selectFrom('pact_decisions').select('id').where('pact_id', '=', pact.id).execute(),
    ).toHaveLength(1);
  });
});

describe('POST /pacts/:id/reduce', () => {
  it('lowers an approved amount and releases the difference to the call', async () => {
    const s = await scenario(t.db);
    const pact = await submittedPact(t.db, s, [{}]);
    const actionId = pact.actions[0]!.id;
    const agent = await loginAs(testApp(t), s.region.email, PASSWORD);
    await submitForm(
      agent,
      `/pacts/${pact.id}/review`,
      { revision: '1' },
      `/pacts/${pact.id}/approve`,
    );
    const up = await submitForm(
      agent,
      `/pacts/${pact.id}/review`,
      { revision: '1', [`amount_${actionId}`]: '5000,01' },
      `/pacts/${pact.id}/reduce`,
    );
    expect(up.status).toBe(422);
    const res = await submitForm(
      agent,
      `/pacts/${pact.id}/review`,
      { revision: '1', [`amount_${actionId}`]: '4000', remarks: 'Meno ore' },
      `/pacts/${pact.id}/reduce`,
    );
    expect(res.status).toBe(302);
    expect((await callRow(s.call.id)).committed_cents).toBe(4000_00);
    expect(await ledgerSum(t.db, s.call.id)).toBe(4000_00);
    const rows = await t.db
      .selectFrom('budget_commitments')
      .select(['kind', 'amount_cents'])
      .where('pact_id', '=', pact.id)
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      { kind: 'commit', amount_cents: 5000_00 },
      { kind: 'release', amount_cents: -1000_00 },
    ]);
    expect((await pactRow(pact.id)).approved_cents).toBe(4000_00);
    // The page's totals tell what was asked from what is granted now.
    const page = await agent.get(`/pacts/${pact.id}/review`);
    expect(/<p class="small" data-totals>([^<]*)</.exec(page.text)?.[1]).toMatch(
      /contributo richiesto 5\.000,00\s€ · contributo approvato \(impegnato ora\) 4\.000,00\s€$/,
    );
    // The budget rule speaks of what the pact holds now (it said "Richiesti 4.000,00 €").
    const rule = pageText(page.text);
    expect(rule).toMatch(/Impegnati ora 4\.000,00 €, disponibili sull'avviso [\d.,]+ €/);
    expect(rule).not.toContain('Richiesti 4.000,00');
  });

  it('refuses a reduction that lowers nothing (form sent unchanged, twice): 422, no decision, no ledger entry', async () => {
    const s = await scenario(t.db);
    const pact = await submittedPact(t.db, s, [{}]);
    const actionId = pact.actions[0]!.id;
    const agent = await loginAs(testApp(t), s.region.email, PASSWORD);
    await submitForm(
      agent,
      `/pacts/${pact.id}/review`,
      { revision: '1' },
      `/pacts/${pact.id}/approve`,
    );
    for (let i = 0; i < 2; i++) {
      const res = await submitForm(
        agent,
        `/pacts/${pact.id}/review`,
        { revision: '1', [`amount_${actionId}`]: '5000,00', remarks: 'Nessun cambio' },
        `/pacts/${pact.id}/reduce`,
      );
      expect(res.status).toBe(422);
      expect(res.text).toContain('Nessun importo è stato ridotto');
      expect(res.text).toContain('Nessun cambio');
    }
    const kinds = await t.db
      .selectFrom('pact_decisions')
      .select('kind')
      .where('pact_id', '=', pact.id)
      .execute();
    expect(kinds.map((k) => k.kind)).toEqual(['approve']);
    expect(await ledgerSum(t.db, s.call.id)).toBe(5000_00);
    expect((await pactRow(pact.id)).approved_cents).toBe(5000_00);
  });

  it('refuses to lower an action below what it has already spent (422, nothing written)', async () => {
    const p = await approvedPact(t.db);
    const actionId = p.pact.actions[0]!.id;
    const promoter = await loginAs(testApp(t), p.authority.email, PASSWORD);
    const report = await submitForm(
      promoter,
      `/pacts/${p.pact.id}/execution`,
      reportForm(actionId, { spent: '1.500,50' }),
      `/pacts/${p.pact.id}/execution`,
    );
    expect(report.status).toBe(302);
    const agent = await loginAs(testApp(t), p.region.email, PASSWORD);
    // The reduce form shows the floor beside each amount.
    const page = await agent.get(`/pacts/${p.pact.id}/review`);
    expect(page.text).toContain('>Già speso</th>');
    expect(/<td class="text-end" data-spent>([^<]*)</.exec(page.text)?.[1]).toMatch(
      /^1\.500,50\s€$/,
    );
    const res = await submitForm(
      agent,
      `/pacts/${p.pact.id}/review`,
      { revision: '1', [`amount_${actionId}`]: '1000', remarks: 'Meno ore' },
      `/pacts/${p.pact.id}/reduce`,
    );
    expect(res.status).toBe(422);
    expect(errorSummary(res.text).map((e) => e.text)).toEqual([
      expect.stringMatching(
        /«Action 1» \(€\): Almeno 1\.500,50\s€: è quanto questa azione ha già speso/,
      ),
    ]);
    expect(res.text).toContain('value="1000"');
    expect((await pactRow(p.pact.id)).approved_cents).toBe(4800_00);
    expect(await ledgerSum(t.db, p.call.id)).toBe(4800_00);
    const down = await submitForm(
      agent,
      `/pacts/${p.pact.id}/review`,
      { revision: '1', [`amount_${actionId}`]: '1500,50', remarks: 'Meno ore' },
      `/pacts/${p.pact.id}/reduce`,
    );
    expect(down.status).toBe(302);
    expect((await pactRow(p.pact.id)).approved_cents).toBe(1500_50);
  });

  it('lands a double click on «Riduci» like the first, releasing once', async () => {
    const s = await scenario(t.db);
    const pact = await submittedPact(t.db, s, [{}]);
    const actionId = pact.actions[0]!.id;
    const agent = await loginAs(testApp(t), s.region.email, PASSWORD);
    await submitForm(
      agent,
      `/pacts/${pact.id}/review`,
      { revision: '1' },
      `/pacts/${pact.id}/approve`,
    );
    const body = { revision: '1', [`amount_${actionId}`]: '4000', remarks: 'Meno ore' };
    for (let i = 0; i < 2; i++) {
      const res = await submitForm(
        agent,
        `/pacts/${pact.id}/review`,
        body,
        `/pacts/${pact.id}/reduce`,
      );
      expect(res.status).toBe(302);
    }
    expect(await ledgerSum(t.db, s.call.id)).toBe(4000_00);
    const kinds = await t.db
      .selectFrom('pact_decisions')
      .select('kind')
      .where('pact_id', '=', pact.id)
      .orderBy('decided_at')
      .execute();
    expect(kinds.map((k) => k.kind)).toEqual(['approve', 'reduce']);
  });

  it('refuses to cut to nothing an action with reports, even with nothing spent, or every action', async () => {
    const p = await approvedPact(t.db, [
      { participants: 10, hours: 40 },
      { participants: 10, hours: 40 },
    ]);
    const [reported, idle] = p.pact.actions;
    const promoter = await loginAs(testApp(t), p.authority.email, PASSWORD);
    const report = await submitForm(
      promoter,
      `/pacts/${p.pact.id}/execution`,
      reportForm(reported!.id, { spent: '0' }),
      `/pacts/${p.pact.id}/execution`,
    );
    expect(report.status).toBe(302);
    const agent = await loginAs(testApp(t), p.region.email, PASSWORD);
    const reduce = (amounts: Record<string, string>) =>
      submitForm(
        agent,
        `/pacts/${p.pact.id}/review`,
        { revision: '1', remarks: 'Azzerata', ...amounts },
        `/pacts/${p.pact.id}/reduce`,
      );
    const zero = await reduce({ [`amount_${reported!.id}`]: '0' });
    expect(zero.status).toBe(422);
    expect(zero.text).toContain('puoi ridurne l&#x27;importo, non azzerarlo.');
    expect(await ledgerSum(t.db, p.call.id)).toBe(9600_00);
    const both = await reduce({ [`amount_${reported!.id}`]: '0', [`amount_${idle!.id}`]: '0' });
    expect(both.status).toBe(422);
    expect(both.text).toContain('Non si può ridurre a zero ogni azione');
    expect(both.text).not.toContain('Approvare zero euro');
    // The action with no report may go to nothing: the money goes back to the call.
    const idleZero = await reduce({ [`amount_${idle!.id}`]: '0' });
    expect(idleZero.status).toBe(302);
    expect(await ledgerSum(t.db, p.call.id)).toBe(4800_00);
  });
});

describe('GET /pacts/:id/decisions', () => {
  it('shows the promoter why the pact came back, and the granted amounts after approval', async () => {
    const s = await scenario(t.db);
    const pact = await submittedPact(t.db, s);
    const app = testApp(t);
    const region = await loginAs(app, s.region.email, PASSWORD);
    await submitForm(
      region,
      `/pacts/${pact.id}/review`,
      { revision: '1', remarks: 'Manca il cronoprogramma.\nIndicare l’ente erogatore.' },
      `/pacts/${pact.id}/return`,
    );
    const promoter = await loginAs(app, s.authority.email, PASSWORD);
    const page = await promoter.get(`/pacts/${pact.id}/decisions`);
    expect(page.status).toBe(200);
    // Written on two lines, read on two lines (the stylesheet keeps the line breaks).
    const lines = 'Manca il cronoprogramma.\nIndicare l’ente erogatore.';
    expect(page.text).toContain(`<p class="mb-2 patto-remarks">${lines}</p>`);
    const css = await promoter.get('/assets/css/patto.css');
    expect(css.text).toMatch(/\.patto-remarks[,\s][^{]*\{\s*white-space: pre-line;/);
    expect(page.text).toContain('data-decision="return"');
    expect(page.text).toContain(`href="/pacts/${pact.id}/decisions"`);
    const stranger = await newUser(t.db, { role: 'local_authority', territory: 'ITI17' });
    const other = await loginAs(app, stranger.email, PASSWORD);
    expect((await other.get(`/pacts/${pact.id}/decisions`)).status).toBe(404);
  });
});
