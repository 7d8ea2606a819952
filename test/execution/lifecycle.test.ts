import type { Express } from 'express';
import { listAudit } from '../../src/modules/pacts/audit';
import { csrfFrom, loginAs, submitForm, testApp } from '../helpers/app';
import { newUser, PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { newPact } from '../pacts/factories';
import { approvedPact, LAST_QUARTER, outcomes, pactStatus, reportForm } from './helpers';

let t: TestDb;
let app: Express;
beforeAll(async () => {
  t = await newTestDb();
  app = testApp(t);
});
afterAll(() => t.close());

const page = (id: string) => `/pacts/${id}/execution`;

describe('POST /pacts/:id/close', () => {
  it('closes a running pact (audited); afterwards no report is accepted', async () => {
    const p = await approvedPact(t.db);
    const action = p.pact.actions[0]!;
    const agent = await loginAs(app, p.authority.email, PASSWORD);
    // Approved, not started: nothing to close yet, and the page offers no button.
    expect((await agent.get(page(p.pact.id))).text).not.toContain(`/pacts/${p.pact.id}/close`);
    const early = await submitForm(agent, page(p.pact.id), {}, `/pacts/${p.pact.id}/close`);
    expect(early.status).toBe(302);
    expect((await agent.get(page(p.pact.id))).text).toContain(
      'Operazione non consentita: il patto è «Approvato».',
    );
    expect(await pactStatus(t.db, p.pact.id)).toBe('approved');

    // Nothing to confirm yet: the confirmation page sends back to the execution page.
    const notYet = await agent.get(`/pacts/${p.pact.id}/close`);
    expect(notYet.status).toBe(302);
    expect(notYet.headers.location).toBe(page(p.pact.id));

    await submitForm(agent, page(p.pact.id), reportForm(action.id, { period: LAST_QUARTER }));
    // The page's button is a link to a page that asks first, saying what closing does.
    expect((await agent.get(page(p.pact.id))).text).toContain(`href="/pacts/${p.pact.id}/close"`);
    const ask = await agent.get(`/pacts/${p.pact.id}/close`);
    expect(ask.status).toBe(200);
    expect(ask.text).toContain('Chiudere il patto');
    expect(ask.text).toContain('i dati di attuazione diventano definitivi');
    // Named as its tab and heading: Attuazione.
    expect(ask.text).toContain('← Torna all&#x27;attuazione');
    expect(ask.text).toContain('Non si potrà tornare indietro.');
    const unreported = p.pact.actions.length - 1;
    if (unreported)
      expect(ask.text).toContain(
        `Azioni ancora senza rendiconto: ${unreported} su ${p.pact.actions.length}.`,
      );
    expect(ask.text).toContain(`href="${page(p.pact.id)}"`);
    // 4800 € approved, 1500,50 € spent: what is left goes back to the call, and it says so.
    expect(ask.text).toMatch(/I 3\.299,50\s€ approvati e non spesi torneranno disponibili/);
    expect(await pactStatus(t.db, p.pact.id)).toBe('in_progress');
    // Confirmed with a double click: closed once, the second landing like the first.
    const field = (name: string) =>
      new RegExp(`name="${name}" value="([^"]*)"`).exec(ask.text)![1]!;
    const confirmed = { _csrf: field('_csrf'), _formKey: field('_formKey') };
    const closed = await agent.post(`/pacts/${p.pact.id}/close`).type('form').send(confirmed);
    const closedAgain = await agent.post(`/pacts/${p.pact.id}/close`).type('form').send(confirmed);
    expect([closed.status, closedAgain.status]).toEqual([302, 302]);
    expect(closedAgain.headers.location).toBe(closed.headers.location);
    expect(await pactStatus(t.db, p.pact.id)).toBe('closed');
    const last = (await listAudit(t.db, p.pact.id)).at(-1)!;
    expect(last).toMatchObject({
      event: 'close',
      from_status: 'in_progress',
      to_status: 'closed',
      actor_id: p.authority.id,
    });

    const after = await agent.get(page(p.pact.id));
    expect(after.text).not.toContain('Operazione non consentita');
    expect(after.text).toMatch(
      /Il patto è chiuso: 3\.299,50\s€ approvati e non spesi sono tornati/,
    );
    expect(last.detail).toMatchObject({ releasedCents: 3299_50 });
    const call = await t.db
      .selectFrom('funding_calls')
      .select('committed_cents')
      .where('id', '=', p.call.id)
      .executeTakeFirstOrThrow();
    expect(call.committed_cents).toBe(1500_50);
    const ledger = await t.db
      .selectFrom('budget_commitments')
      .select(['kind', 'amount_cents', 'reason'])
      .where('pact_id', '=', p.pact.id)
      .orderBy('id')
      .execute();
    expect(ledger).toEqual([
      { kind: 'commit', amount_cents: 4800_00, reason: 'approval' },
      { kind: 'release', amount_cents: -3299_50, reason: 'closure' },
    ]);
    expect((await agent.get(`/pacts/${p.pact.id}/close`)).headers.location).toBe(page(p.pact.id));
    expect(after.text).not.toContain('Rendiconta un trimestre');
    // A stale form sent after closing: refused with the reason, nothing written.
    const csrf = await csrfFrom(agent, `/pacts/${p.pact.id}`);
    const late = await agent
      .post(page(p.pact.id))
      .type('form')
      .send({ ...reportForm(action.id), _csrf: csrf });
    expect(late.status).toBe(409);
    expect(late.text).toContain('Il patto è chiuso: non si accettano altri rendiconti.');
    expect(await outcomes(t.db, p.pact.id)).toHaveLength(1);
  });

  it('lets the region close a running pact', async () => {
    const p = await approvedPact(t.db);
    const region = await loginAs(app, p.region.email, PASSWORD);
    await submitForm(region, page(p.pact.id), reportForm(p.pact.actions[0]!.id));
    const res = await submitForm(region, page(p.pact.id), {}, `/pacts/${p.pact.id}/close`);
    expect(res.status).toBe(302);
    expect(await pactStatus(t.db, p.pact.id)).toBe('closed');
    // A second click lands on the execution page, saying the pact is already closed.
    const twice = await submitForm(region, page(p.pact.id), {}, `/pacts/${p.pact.id}/close`);
    expect(twice.status).toBe(302);
    expect(twice.headers.location).toBe(page(p.pact.id));
    expect((await region.get(page(p.pact.id))).text).toContain(
      'Operazione non consentita: il patto è «Concluso».',
    );
    const closes = (await listAudit(t.db, p.pact.id)).filter((e) => e.event === 'close');
    expect(closes).toHaveLength(1);
    // The call page follows the money: committed (what was spent), spent, and released.
    const call = await region.get(`/calls/${p.call.id}`);
    const row = new RegExp(`href="/pacts/${p.pact.id}/review"[\\s\\S]*?</tr>`).exec(call.text)![0];
    const amounts = [...row.matchAll(/<td class="text-end"[^>]*>([^<]*)</g)].map((m) => m[1]);
    expect(amounts).toEqual(['1.500,50\u00a0€', '1.500,50\u00a0€', '3.299,50\u00a0€']);
    expect(row).toContain('data-spent');
    // The admin reads the same ledger; its link leads to the pact, the review being the region's.
    const admin = await newUser(t.db, { role: 'admin', territory: 'IT' });
    const adminAgent = await loginAs(app, admin.email, PASSWORD);
    const adminCall = await adminAgent.get(`/calls/${p.call.id}`);
    expect(adminCall.text).toContain(`<a href="/pacts/${p.pact.id}">`);
    expect(adminCall.text).not.toContain(`/pacts/${p.pact.id}/review`);
    expect((await adminAgent.get(`/pacts/${p.pact.id}`)).status).toBe(200);
  });
});

describe('who may report', () => {
  it('refuses a signatory partner (403), another territory and another region (404)', async () => {
    const p = await approvedPact(t.db);
    const body = reportForm(p.pact.actions[0]!.id);
    const partner = await loginAs(app, p.partner.email, PASSWORD);
    // The partner signed the pact: it reads the execution, without the form.
    const seen = await partner.get(page(p.pact.id));
    expect(seen.status).toBe(200);
    expect(seen.text).not.toContain('Rendiconta un trimestre');
    const csrf = await csrfFrom(partner, page(p.pact.id));
    const byPartner = await partner
      .post(page(p.pact.id))
      .type('form')
      .send({ ...body, _csrf: csrf });
    expect(byPartner.status).toBe(403);
    const close = await partner
      .post(`/pacts/${p.pact.id}/close`)
      .type('form')
      .send({ _csrf: csrf });
    expect(close.status).toBe(403);

    for (const other of [
      await newUser(t.db, { role: 'local_authority', territory: 'ITI15' }),
      await newUser(t.db, { role: 'region', territory: 'ITC4' }),
    ]) {
      const agent = await loginAs(app, other.email, PASSWORD);
      expect((await agent.get(page(p.pact.id))).status).toBe(404);
      const token = await csrfFrom(agent, '/pacts');
      const res = await agent
        .post(page(p.pact.id))
        .type('form')
        .send({ ...body, _csrf: token });
      expect(res.status).toBe(404);
    }
    const firm = await loginAs(app, (await newUser(t.db, { role: 'firm' })).email, PASSWORD);
    expect((await firm.get(page(p.pact.id))).status).toBe(403);
    expect(await outcomes(t.db, p.pact.id)).toHaveLength(0);
    expect(await pactStatus(t.db, p.pact.id)).toBe('approved');
  });

  it('refuses a local authority that only signed the pact (403)', async () => {
    const s = await approvedPact(t.db);
    const cosigner = await newUser(t.db, { role: 'local_authority', territory: 'ITI14' });
    await t.db
      .insertInto('pact_signatories')
      .values({
        pact_id: s.pact.id,
        organisation_id: cosigner.organisationId,
        invited_by: s.authority.id,
      })
      .execute();
    const agent = await loginAs(app, cosigner.email, PASSWORD);
    const csrf = await csrfFrom(agent, page(s.pact.id));
    const res = await agent
      .post(page(s.pact.id))
      .type('form')
      .send({ ...reportForm(s.pact.actions[0]!.id), _csrf: csrf });
    expect(res.status).toBe(403);
    expect(await outcomes(t.db, s.pact.id)).toHaveLength(0);
  });

  it('shows no execution tab before approval and refuses reports on a draft', async () => {
    const authority = await newUser(t.db, { role: 'local_authority' });
    const pact = await newPact(t.db, { promoter: authority });
    const agent = await loginAs(app, authority.email, PASSWORD);
    expect((await agent.get(`/pacts/${pact.id}`)).text).not.toContain(page(pact.id));
    const res = await agent.get(page(pact.id));
    expect(res.status).toBe(200);
    expect(res.text).toContain('dopo l&#x27;approvazione del patto');
    const csrf = await csrfFrom(agent, `/pacts/${pact.id}`);
    const post = await agent
      .post(page(pact.id))
      .type('form')
      .send({ ...reportForm(pact.actions[0]!.id), _csrf: csrf });
    expect(post.status).toBe(409);
    expect(await outcomes(t.db, pact.id)).toHaveLength(0);
  });
});

describe('the approved pact, as its promoter reads it', () => {
  it('leads from the pact to the execution reports, saying what to do next, in Italian and English', async () => {
    const p = await approvedPact(t.db);
    const action = p.pact.actions[0]!;
    const agent = await loginAs(app, p.authority.email, PASSWORD);
    const link = `id="report-execution">`;
    const approved = await agent.get(`/pacts/${p.pact.id}`);
    expect(approved.text).toContain(
      `href="${page(p.pact.id)}" ${link}Rendiconta l&#x27;attuazione<`,
    );
    expect(approved.text).toContain('il primo rendiconto avvia il patto');
    const en = await agent.get(`/pacts/${p.pact.id}?lang=en`);
    expect(en.text).toContain(`${link}Report on execution<`);
    expect(en.text).toContain('the first report starts the pact');

    await submitForm(agent, `${page(p.pact.id)}?lang=it`, reportForm(action.id));
    expect(await pactStatus(t.db, p.pact.id)).toBe('in_progress');
    const running = await agent.get(`/pacts/${p.pact.id}`);
    expect(running.text).toContain(`${link}Rendiconta l&#x27;attuazione<`);
    expect(running.text).toContain('chiudi il patto dalla pagina dell&#x27;attuazione');

    await t.db.updateTable('pacts').set({ status: 'closed' }).where('id', '=', p.pact.id).execute();
    const closed = await agent.get(`/pacts/${p.pact.id}`);
    expect(closed.text).toContain(`${link}Vedi l&#x27;attuazione<`);
    // The signatory reads the pact without the promoter's steps.
    const partner = await loginAs(app, p.partner.email, PASSWORD);
    expect((await partner.get(`/pacts/${p.pact.id}`)).text).not.toContain(link);
  });

  it('names the cost of the actions as such and shows the grant approved, on the pact and the list', async () => {
    // Cost 6000 €, firms 20 %: 4800 € approved.
    const p = await approvedPact(t.db);
    const agent = await loginAs(app, p.authority.email, PASSWORD);
    const show = await agent.get(`/pacts/${p.pact.id}`);
    expect(show.text).toMatch(
      /<dt class="col-sm-3">Costo delle azioni<\/dt>\s*<dd[^>]*>6\.000,00\s€/,
    );
    expect(/<dd class="col-sm-9" data-approved>([^<]*)</.exec(show.text)?.[1]).toMatch(
      /^4\.800,00\s€ · $/,
    );
    expect(show.text).toContain(`href="/pacts/${p.pact.id}/decisions"`);
    const list = await agent.get('/pacts');
    expect(list.text).toContain('>Contributo approvato</th>');
    expect(/<td class="text-end" data-approved>([^<]*)</.exec(list.text)?.[1]).toMatch(
      /^4\.800,00\s€$/,
    );
  });

  it('shows no grant before approval', async () => {
    const authority = await newUser(t.db, { role: 'local_authority', territory: 'ITI14' });
    const pact = await newPact(t.db, { promoter: authority, status: 'negotiation' });
    const agent = await loginAs(app, authority.email, PASSWORD);
    expect((await agent.get(`/pacts/${pact.id}`)).text).not.toContain('data-approved');
    expect((await agent.get('/pacts')).text).toMatch(/<td class="text-end" data-approved>—</);
  });
});
