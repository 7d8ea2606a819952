import type { Express } from 'express';
import { listAudit, verifyAuditChain } from '../../src/modules/pacts/audit';
import { loginAs, submitForm, testApp } from '../helpers/app';
import { PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { approvePact } from '../../src/modules/funding/review.service';
import { scenario, submittedPact } from '../funding/helpers';
import { quarterFromNow } from '../helpers/dates';
import {
  approvedPact,
  LAST_QUARTER,
  outcomes,
  pactStatus,
  reportForm,
  THIS_QUARTER,
} from './helpers';

/** 2026-Q4 as someone may type it: q4 2026. */
const typedBackwards = (q: string) => `q${q.slice(-1)} ${q.slice(0, 4)}`;

let t: TestDb;
let app: Express;
beforeAll(async () => {
  t = await newTestDb();
  app = testApp(t);
});
afterAll(() => t.close());

const page = (id: string) => `/pacts/${id}/execution`;

async function promoterOf(p: Awaited<ReturnType<typeof approvedPact>>) {
  return loginAs(app, p.authority.email, PASSWORD);
}

describe('POST /pacts/:id/execution', () => {
  it('records the quarter, starts the pact and writes it in the audit chain', async () => {
    const p = await approvedPact(t.db);
    const action = p.pact.actions[0]!;
    const agent = await promoterOf(p);
    const before = await agent.get(page(p.pact.id));
    expect(before.status).toBe(200);
    expect(before.text).toContain('Rendiconta un trimestre');
    expect(before.text).toContain(`href="/pacts/${p.pact.id}/execution"`);

    // Sent as a browser would: with the token of the action's own form.
    const token = new RegExp(
      `action="${page(p.pact.id)}" novalidate>\\s*<input type="hidden" name="_csrf" value="([^"]+)"`,
    ).exec(before.text)?.[1];
    expect(token).toBeTruthy();
    const res = await agent
      .post(page(p.pact.id))
      .type('form')
      .send({ ...reportForm(action.id), _csrf: token! });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(page(p.pact.id));

    const rows = await outcomes(t.db, p.pact.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      action_id: action.id,
      period: THIS_QUARTER,
      enrolled: 6,
      completed: 2,
      hours_delivered: 20,
      spent_cents: 1500_50,
      cofinanced_cents: 300_00,
      women: 3,
      men: 3,
      non_binary: 0,
      long_term_unemployed: 1,
      reported_by: p.authority.id,
    });
    expect(await pactStatus(t.db, p.pact.id)).toBe('in_progress');
    const audit = await listAudit(t.db, p.pact.id);
    const [start, reported] = audit.slice(-2);
    expect(start).toMatchObject({
      event: 'start',
      from_status: 'approved',
      to_status: 'in_progress',
      actor_id: p.authority.id,
    });
    expect(reported).toMatchObject({ event: 'outcome_reported', actor_id: p.authority.id });
    expect(reported!.detail).toMatchObject({
      actionId: action.id,
      period: THIS_QUARTER,
      replaced: false,
      enrolled: 6,
      spentCents: 1500_50,
      women: 3,
    });
    expect(await verifyAuditChain(t.db, p.pact.id)).toEqual({ ok: true, entries: audit.length });

    const after = await agent.get(page(p.pact.id));
    expect(after.text).toContain(`Rendiconto del trimestre ${THIS_QUARTER} salvato.`);
    // 6 of 10 participants, 2 completed (33.3 % of enrolled), 20 of 40 hours, 1500,50 of 4800 €.
    expect(after.text).toMatch(/data-figure="participants">6 \/ 10</);
    expect(after.text).toContain('33,3 %');
    expect(after.text).toMatch(/data-figure="hours">20 \/ 40</);
    expect(after.text).toMatch(/data-figure="cost">1.500,50\s€ \/ 4.800,00\s€</);
    expect(after.text).toMatch(/data-figure="cofinancing">300,00\s€ \/ 1.200,00\s€</);
    expect(after.text).toContain(`data-period="${THIS_QUARTER}"`);
    const auditPage = await agent.get(`/pacts/${p.pact.id}/audit`);
    expect(auditPage.text).toContain('Attuazione rendicontata');
  });

  it('lets the region report too, and shows the page in English', async () => {
    const p = await approvedPact(t.db);
    const region = await loginAs(app, p.region.email, PASSWORD);
    const res = await submitForm(
      region,
      page(p.pact.id),
      reportForm(p.pact.actions[0]!.id, { period: LAST_QUARTER }),
    );
    expect(res.status).toBe(302);
    expect((await outcomes(t.db, p.pact.id))[0]).toMatchObject({ reported_by: p.region.id });
    const en = await region.get(`${page(p.pact.id)}?lang=en`);
    expect(en.text).toContain('Report a quarter');
    expect(en.text).toContain('Participants enrolled / planned');
    expect(en.text).not.toMatch(/execution\.[a-zA-Z]/);
    // Amounts are shown back in English notation (1500.50), and the hint's example agrees.
    const edit = await region.get(
      `${page(p.pact.id)}?action=${p.pact.actions[0]!.id}&period=${LAST_QUARTER}`,
    );
    expect(edit.text).toContain('name="spent" value="1500.50"');
    expect(en.text).toContain('In euros, for example 1,250.50.');
  });

  it("tells a signatory, who cannot report, what happens instead of the promoter's instruction", async () => {
    const p = await approvedPact(t.db);
    const action = p.pact.actions[0]!;
    const partner = await loginAs(app, p.partner.email, PASSWORD);
    const approved = await partner.get(page(p.pact.id));
    expect(approved.status).toBe(200);
    expect(approved.text).toContain('l&#x27;ente promotore lo avvia con il primo rendiconto');
    expect(approved.text).not.toContain('Rendiconta un trimestre');
    const promoter = await promoterOf(p);
    await submitForm(promoter, page(p.pact.id), reportForm(action.id));
    const running = await partner.get(page(p.pact.id));
    expect(running.text).toContain(
      'l&#x27;ente promotore rendiconta i dati di ogni azione trimestre per trimestre',
    );
    expect(running.text).not.toContain(
      'rendiconta i dati di ogni azione trimestre per trimestre. ',
    );
    const en = await partner.get(`${page(p.pact.id)}?lang=en`);
    expect(en.text).toContain('the promoter reports each action&#x27;s figures every quarter');
    // The promoter still reads its own instruction.
    expect((await promoter.get(page(p.pact.id))).text).toContain(
      'Il patto è in corso: rendiconta i dati di ogni azione',
    );
  });

  it('writes a double-clicked report once: one audit entry, the same notice as the first click', async () => {
    const p = await approvedPact(t.db);
    const action = p.pact.actions[0]!;
    const agent = await promoterOf(p);
    for (let i = 0; i < 2; i++) {
      const res = await submitForm(agent, page(p.pact.id), reportForm(action.id));
      expect(res.status).toBe(302);
      const next = await agent.get(page(p.pact.id));
      expect(next.text).toContain(`Rendiconto del trimestre ${THIS_QUARTER} salvato.`);
      expect(next.text).not.toContain('sostituisce il precedente');
    }
    expect(await outcomes(t.db, p.pact.id)).toHaveLength(1);
    const entries = (await listAudit(t.db, p.pact.id)).filter(
      (e) => e.event === 'outcome_reported',
    );
    expect(entries).toHaveLength(1);
  });

  it('replaces the figures when the same quarter is reported again', async () => {
    const p = await approvedPact(t.db);
    const action = p.pact.actions[0]!;
    const agent = await promoterOf(p);
    // 10 enrolled twice for the same quarter: allowed, since the second replaces the first.
    const ten = {
      enrolled: '10',
      women: '5',
      men: '5',
      ageUnder30: '4',
      age30to54: '5',
      age55plus: '1',
      employed: '6',
      unemployed: '4',
      longTermUnemployed: '2',
      inactive: '0',
      isced02: '2',
      isced34: '5',
      isced58: '3',
    };
    expect((await submitForm(agent, page(p.pact.id), reportForm(action.id, ten))).status).toBe(302);
    // The same quarter, typed the other way round (q4 2026 for 2026-Q4), so it replaces it.
    const again = await submitForm(
      agent,
      page(p.pact.id),
      reportForm(action.id, {
        ...ten,
        completed: '9',
        spent: '2000',
        period: typedBackwards(THIS_QUARTER),
      }),
    );
    expect(again.status).toBe(302);
    const rows = await outcomes(t.db, p.pact.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ enrolled: 10, completed: 9, spent_cents: 2000_00 });
    const entries = (await listAudit(t.db, p.pact.id)).filter(
      (e) => e.event === 'outcome_reported',
    );
    expect(entries.map((e) => e.detail.replaced)).toEqual([false, true]);
    expect((await agent.get(page(p.pact.id))).text).toContain('sostituisce il precedente');
    // The edit link fills the form with the stored figures.
    const edit = await agent.get(`${page(p.pact.id)}?action=${action.id}&period=${THIS_QUARTER}`);
    expect(edit.text).toContain(`id="field-${action.id}-completed" name="completed" value="9"`);
    expect(edit.text).toContain(`id="field-${action.id}-spent" name="spent" value="2000,00"`);
    expect(edit.text).toContain('il modulo mostra i dati salvati');
  });
});

describe('POST /pacts/:id/execution with bad figures', () => {
  const cases: [string, Record<string, string>, string, string][] = [
    [
      'gender',
      { women: '5' },
      'women',
      'Per genere i partecipanti sommano 8, più degli iscritti (6); differenza: 2.',
    ],
    [
      'age',
      { ageUnder30: '0' },
      'ageUnder30',
      'Per età i partecipanti sommano 4, meno degli iscritti (6); differenza: 2.',
    ],
    [
      'labour market',
      { employed: '5' },
      'employed',
      'Per condizione occupazionale (occupati, disoccupati, inattivi) i partecipanti sommano 7, più degli iscritti (6); differenza: 1.',
    ],
    [
      'education',
      { isced58: '9' },
      'isced02',
      'Per titolo di studio i partecipanti sommano 13, più degli iscritti (6); differenza: 7.',
    ],
    [
      'long-term unemployed',
      { longTermUnemployed: '3' },
      'longTermUnemployed',
      'I disoccupati di lunga durata (3) fanno parte dei disoccupati (2)',
    ],
    [
      'hours',
      { hoursDelivered: '41' },
      'hoursDelivered',
      'erogherebbe 41 ore, più delle 40 previste: al massimo 40 in questo trimestre.',
    ],
    [
      'spending',
      { spent: '4.800,01' },
      'spent',
      'spenderebbe 4.800,01\u00a0€, più dei 4.800,00\u00a0€ approvati',
    ],
    [
      'co-financing above the cost',
      { cofinanced: '4.500' },
      'cofinanced',
      'e cofinanziamento versato (4.500,00\u00a0€) supererebbero il costo',
    ],
    [
      'completions',
      { completed: '7' },
      'completed',
      'avrebbero concluso 7 partecipanti, più dei 6 iscritti',
    ],
    [
      'future quarter',
      { period: '2099-Q1' },
      'period',
      'Un trimestre si rendiconta quando è iniziato',
    ],
    [
      'quarter before approval',
      { period: '2020-Q1' },
      'period',
      'Il patto è stato approvato nel 2026-Q2: i trimestri precedenti non si rendicontano.',
    ],
    ['quarter number', { period: '2026-Q5' }, 'period', 'Un anno ha quattro trimestri'],
    ['quarter format', { period: 'IV/26' }, 'period', 'Scrivi il trimestre come anno e numero'],
    ['euro format', { spent: 'tre euro' }, 'spent', 'Scrivi un importo in euro'],
    // A minus sign is named as the problem, not "write an amount in euros".
    ['negative co-financing', { cofinanced: '-100' }, 'cofinanced', 'importo deve essere 0 o più'],
    ['negative spending', { spent: '-0,01' }, 'spent', 'importo deve essere 0 o più'],
    ['minus sign', { cofinanced: '\u22125' }, 'cofinanced', 'importo deve essere 0 o più'],
    ['money range', { cofinanced: '1.000.000.000,01' }, 'cofinanced', 'Al massimo 1.000.000.000 €'],
    ['missing count', { enrolled: '' }, 'enrolled', 'Campo obbligatorio'],
    ['count range', { hoursDelivered: '2001' }, 'hoursDelivered', 'Il valore massimo è 2.000'],
    // "1.000" is a thousand in Italian, not 1 hour.
    [
      'thousands',
      { hoursDelivered: '1.000' },
      'hoursDelivered',
      'erogherebbe 1000 ore, più delle 40 previste',
    ],
    ['exponent', { enrolled: '6e0' }, 'enrolled', 'Inserisci un numero'],
    ['decimal comma', { women: '2,5' }, 'women', 'senza virgola'],
  ];

  it.each(cases)(
    'refuses the %s rule: 422, the field error, the input kept, nothing written',
    async (_, over, field, message) => {
      const p = await approvedPact(t.db);
      const action = p.pact.actions[0]!;
      const agent = await promoterOf(p);
      const body = reportForm(action.id, over);
      const res = await submitForm(agent, page(p.pact.id), body);
      expect(res.status).toBe(422);
      expect(res.text).toContain('error-summary');
      expect(res.text).toContain(`href="#field-${action.id}-${field}"`);
      expect(res.text).toContain(`id="error-${action.id}-${field}"`);
      expect(res.text).toContain(message);
      for (const [name, value] of Object.entries(over))
        expect(res.text).toContain(`name="${name}" value="${value}"`);
      expect(res.text).toContain(`<details id="report-${action.id}" open>`);
      expect(await outcomes(t.db, p.pact.id)).toHaveLength(0);
      expect(await pactStatus(t.db, p.pact.id)).toBe('approved');
    },
  );

  it('says a negative amount must be 0 or more in English too, keeping what was typed', async () => {
    const p = await approvedPact(t.db);
    const action = p.pact.actions[0]!;
    const agent = await promoterOf(p);
    await agent.get(`${page(p.pact.id)}?lang=en`);
    const res = await submitForm(
      agent,
      page(p.pact.id),
      reportForm(action.id, { cofinanced: '-250.00' }),
    );
    expect(res.status).toBe(422);
    expect(res.text).toContain(
      `<p id="error-${action.id}-cofinanced" class="field-error mb-1">The amount must be 0 or more: write it without a minus sign.</p>`,
    );
    expect(res.text).toContain('name="cofinanced" value="-250.00"');
    expect(await outcomes(t.db, p.pact.id)).toHaveLength(0);
  });

  it('checks totals across quarters: no more participants than planned, saying the limit', async () => {
    const p = await approvedPact(t.db);
    const action = p.pact.actions[0]!;
    const agent = await promoterOf(p);
    const q3 = await submitForm(
      agent,
      page(p.pact.id),
      reportForm(action.id, { period: LAST_QUARTER }),
    );
    expect(q3.status).toBe(302);
    // 6 in Q3 + 6 in Q4 = 12 > 10 planned: at most 4 more.
    const q4 = await submitForm(agent, page(p.pact.id), reportForm(action.id));
    expect(q4.status).toBe(422);
    expect(q4.text).toContain(
      'Su tutti i trimestri l&#x27;azione avrebbe 12 partecipanti, più dei 10 previsti: al massimo 4 in questo trimestre.',
    );
    expect(await outcomes(t.db, p.pact.id)).toHaveLength(1);
    // 20 hours in Q3, 20 in Q4 = 40: exactly the hours planned, and 2 + 2 completions of 10.
    const four = {
      enrolled: '4',
      women: '2',
      men: '2',
      ageUnder30: '1',
      age30to54: '2',
      age55plus: '1',
      employed: '2',
      unemployed: '2',
      longTermUnemployed: '0',
      isced02: '1',
      isced34: '2',
      isced58: '1',
    };
    expect((await submitForm(agent, page(p.pact.id), reportForm(action.id, four))).status).toBe(
      302,
    );
    const more = await submitForm(
      agent,
      page(p.pact.id),
      reportForm(action.id, {
        ...four,
        period: quarterFromNow(-2),
        enrolled: '0',
        hoursDelivered: '1',
        women: '0',
        men: '0',
        ageUnder30: '0',
        age30to54: '0',
        age55plus: '0',
        employed: '0',
        unemployed: '0',
        isced02: '0',
        isced34: '0',
        isced58: '0',
        completed: '0',
        spent: '0',
      }),
    );
    expect(more.status).toBe(422);
    expect(more.text).toContain(
      'erogherebbe 41 ore, più delle 40 previste: al massimo 0 in questo trimestre.',
    );
    expect(await outcomes(t.db, p.pact.id)).toHaveLength(2);
  });
});

describe('an action the region cut to nothing', () => {
  it('offers no report form for it and refuses a report of it, naming it', async () => {
    const s = await scenario(t.db, { cofinancingPercent: 20 });
    const pact = await submittedPact(t.db, s, [{}, {}]);
    const [kept, cut] = pact.actions;
    await approvePact(t.db, s.region, pact.id, {
      revision: 1,
      remarks: '',
      amounts: new Map([[cut!.id, 0]]),
    });
    const agent = await loginAs(app, s.authority.email, PASSWORD);
    const before = await agent.get(page(pact.id));
    expect(before.text).toContain(`<details id="report-${kept!.id}"`);
    expect(before.text).not.toContain(`<details id="report-${cut!.id}"`);
    expect(before.text).toContain('Azione non finanziata: la Regione le ha approvato 0 €');
    const res = await submitForm(agent, page(pact.id), reportForm(cut!.id, { spent: '0' }));
    expect(res.status).toBe(422);
    expect(res.text).toContain(`L&#x27;azione «${cut!.title}» non è finanziata`);
    expect(await outcomes(t.db, pact.id)).toHaveLength(0);
    expect(await pactStatus(t.db, pact.id)).toBe('approved');
  });
});
