import type { Express } from 'express';
import request from 'supertest';
import { loginAs, submitForm, type Agent } from '../helpers/app';
import { newUser, PASSWORD } from '../helpers/factories';
import type { TestDb } from '../helpers/test-db';
import { insertUser } from '../../src/modules/accounts/accounts.repository';
import { agreementOf } from '../../src/modules/pacts/signatures.service';
import type { PactStatus } from '../../src/modules/pacts/pact-workflow';
import { newPact } from './factories';
import { signedInScenario, type PactScenario } from './scenario';

let t: TestDb;
let app: Express;
let s: PactScenario;
let authority: Agent;
let employers: Agent;
let union: Agent;

beforeAll(async () => {
  ({ t, app, s, authority, employers, union } = await signedInScenario());
});
afterAll(() => t.close());

const pactRow = (id: string) =>
  t.db.selectFrom('pacts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const listed = async (id: string) =>
  (
    await t.db
      .selectFrom('pact_signatories')
      .select('organisation_id')
      .where('pact_id', '=', id)
      .where('removed_at', 'is', null)
      .execute()
  ).map((r) => r.organisation_id);
const declines = (id: string) =>
  t.db
    .selectFrom('pact_audit')
    .selectAll()
    .where('pact_id', '=', id)
    .where('event', '=', 'signatory_declined')
    .execute();

const pactIn = (status: PactStatus = 'negotiation', signatories?: string[]) =>
  newPact(t.db, {
    promoter: s.authority,
    campaign: s.campaign.id,
    status,
    signatories: signatories ?? [s.employers.organisationId, s.union.organisationId],
  });

const sign = (agent: Agent, pact: { id: string; revision: number; revision_hash: string }) =>
  submitForm(
    agent,
    `/pacts/${pact.id}/sign`,
    { revision: String(pact.revision), hash: pact.revision_hash },
    `/pacts/${pact.id}/sign`,
  );

const decline = (agent: Agent, id: string, reason: string) =>
  submitForm(agent, `/pacts/${id}/decline`, { reason }, `/pacts/${id}/decline`);

describe('POST /pacts/:id/decline', () => {
  it('takes the organisation off the signatories: a new revision, its signature void, the promoter told why', async () => {
    const pact = await pactIn();
    const colleague = await insertUser(t.db, {
      email: `colleague-${pact.id.slice(0, 8)}@test.patto`,
      full_name: 'Collega',
      password_hash: 'x',
      organisation_id: s.employers.organisationId,
    });
    expect((await sign(employers, pact)).status).toBe(302);
    // Offered on the pact page and beside the signature, before anything is done.
    const show = await employers.get(`/pacts/${pact.id}`);
    expect(show.text).toContain(`href="/pacts/${pact.id}/decline"`);
    expect(show.text).toContain('Rinuncia a firmare');
    expect((await employers.get(`/pacts/${pact.id}/sign`)).text).toContain(
      `href="/pacts/${pact.id}/decline"`,
    );
    const ask = await employers.get(`/pacts/${pact.id}/decline`);
    expect(ask.status).toBe(200);
    expect(ask.text).toContain('Rinunciare a firmare il patto?');
    expect(ask.text).toContain('la vostra firma non vale più');

    const res = await decline(employers, pact.id, 'Le azioni non riguardano i nostri associati.');
    expect([res.status, res.headers.location]).toEqual([302, '/pacts']);
    expect((await employers.get('/pacts')).text).toContain(
      `${s.employers.organisationName} ha rinunciato a firmare il patto`,
    );

    expect(await listed(pact.id)).toEqual([s.union.organisationId]);
    const after = await pactRow(pact.id);
    expect(after).toMatchObject({ status: 'negotiation', revision: 2 });
    expect(after.revision_hash).not.toBe(pact.revision_hash);
    const { states } = await agreementOf(t.db, pact.id, after.revision);
    expect(states.map((x) => [x.id, x.signedCurrent])).toEqual([[s.union.organisationId, false]]);

    // The audit says who, when (its entry) and why; the revision names the organisation.
    const [entry, ...more] = await declines(pact.id);
    expect(more).toEqual([]);
    expect(entry).toMatchObject({
      actor_id: s.employers.id,
      actor_org_id: s.employers.organisationId,
      revision: 1,
      detail: {
        organisation: s.employers.organisationId,
        reason: 'Le azioni non riguardano i nostri associati.',
      },
    });
    const rev = await t.db
      .selectFrom('pact_revisions')
      .select(['reason', 'created_by'])
      .where('pact_id', '=', pact.id)
      .where('number', '=', 2)
      .executeTakeFirstOrThrow();
    expect(rev).toEqual({
      reason: `signatory declined: ${s.employers.organisationName}`,
      created_by: s.employers.id,
    });
    expect((await authority.get(`/pacts/${pact.id}/revisions`)).text).toContain(
      `Firmatario uscito (ha rinunciato a firmare): ${s.employers.organisationName}`,
    );
    // The signatories' page tells it from a removal by the promoter, with its reason.
    const list = await authority.get(`/pacts/${pact.id}/signatories`);
    expect(list.text).toContain(
      `Hanno rinunciato a firmare: ${s.employers.organisationName} (motivo: «Le azioni non riguardano i nostri associati.»)`,
    );
    expect(list.text).not.toContain('Rimossi:');
    const audit = await authority.get(`/pacts/${pact.id}/audit`);
    expect(audit.text).toContain('Rinuncia a firmare');
    expect(audit.text).toContain('Le azioni non riguardano i nostri associati.');

    // The promoter is told, with the reason; the remaining signatory of the new revision.
    const told = (
      await t.db
        .selectFrom('notifications')
        .select(['user_id', 'kind', 'link', 'params'])
        .where('kind', 'in', ['pact_signatory_declined', 'pact_revision'])
        .orderBy('kind')
        .orderBy('link')
        .execute()
    )
      .filter((n) => n.params.pact === pact.title)
      .map(({ params: _, ...n }) => n);
    expect(told).toEqual([
      { user_id: s.union.id, kind: 'pact_revision', link: `/pacts/${pact.id}` },
      // A colleague of the one who declined: the pact leaves their list, and they learn why.
      { user_id: colleague.id, kind: 'pact_signatory_declined', link: '/pacts' },
      {
        user_id: s.authority.id,
        kind: 'pact_signatory_declined',
        link: `/pacts/${pact.id}/signatories`,
      },
    ]);
    expect((await authority.get('/inbox')).text).toContain(
      'ha rinunciato a firmare il patto «' +
        pact.title +
        '» e non è più tra i firmatari. Motivo: Le azioni non riguardano i nostri associati.',
    );
    // The pact is no longer the organisation's: said so, not a bare 404.
    const gone = await employers.get(`/pacts/${pact.id}`);
    expect(gone.status).toBe(404);
    expect(gone.text).toContain('la tua organizzazione non ne è più firmataria');
  });

  it('reopens an agreed pact (every signature void) and leaves the promoter to invite again when none remains', async () => {
    const pact = await pactIn();
    await sign(employers, pact);
    await sign(union, pact);
    expect((await pactRow(pact.id)).status).toBe('agreed');
    expect((await employers.get(`/pacts/${pact.id}`)).text).toContain('Rinuncia a firmare');
    expect((await decline(union, pact.id, 'Il sindacato non firma.')).status).toBe(302);
    const after = await pactRow(pact.id);
    // The one left had signed: on the old revision, which no longer counts. Not agreed.
    expect(after).toMatchObject({ status: 'negotiation', revision: 2 });
    const { agreement } = await agreementOf(t.db, pact.id, after.revision);
    expect(agreement).toMatchObject({ total: 1, signed: 0, agreed: false });
    const steps = await t.db
      .selectFrom('pact_audit')
      .select(['event', 'from_status', 'to_status'])
      .where('pact_id', '=', pact.id)
      .where('event', 'in', ['signatory_declined', 'revision', 'reopen'])
      .orderBy('seq')
      .execute();
    expect(steps).toEqual([
      { event: 'signatory_declined', from_status: null, to_status: null },
      { event: 'revision', from_status: null, to_status: null },
      { event: 'reopen', from_status: 'agreed', to_status: 'negotiation' },
    ]);

    expect((await decline(employers, pact.id, 'Nemmeno noi.')).status).toBe(302);
    expect(await listed(pact.id)).toEqual([]);
    expect(await pactRow(pact.id)).toMatchObject({ status: 'negotiation', revision: 3 });
  });

  it('lists an organisation invited again after declining as a signatory, and after a removal as removed', async () => {
    const pact = await pactIn();
    await decline(union, pact.id, 'Per ora no.');
    const page = `/pacts/${pact.id}/signatories`;
    const invited = await submitForm(authority, page, {
      revision: '2',
      organisationId: s.union.organisationId,
    });
    expect(invited.status).toBe(302);
    expect(await listed(pact.id)).toContain(s.union.organisationId);
    expect((await authority.get(page)).text).not.toContain('Hanno rinunciato a firmare');
    const removeHref = `${page}/${s.union.organisationId}/remove`;
    expect((await submitForm(authority, removeHref, { revision: '3' }, removeHref)).status).toBe(
      302,
    );
    const after = (await authority.get(page)).text;
    expect(after).toContain(`Rimossi: ${s.union.organisationName}`);
    expect(after).not.toContain('Hanno rinunciato a firmare');
  });

  it('is refused once the pact is submitted, saying why, and changes nothing', async () => {
    for (const status of ['submitted', 'approved'] as const) {
      const pact = await pactIn(status);
      const page = `/pacts/${pact.id}`;
      expect((await employers.get(page)).text).not.toContain(`${page}/decline`);
      const ask = await employers.get(`${page}/decline`);
      expect([ask.status, ask.headers.location]).toEqual([302, page]);
      // A form opened before the submission, posted after it.
      const res = await employers
        .post(`${page}/decline`)
        .type('form')
        .send({ reason: 'Troppo tardi', _csrf: await csrfOf(employers) });
      expect([res.status, res.headers.location]).toEqual([302, page]);
      const shown = (await employers.get(page)).text;
      expect(shown).toContain('non si può più rinunciare a firmarlo');
      expect(await listed(pact.id)).toHaveLength(2);
      expect((await pactRow(pact.id)).revision).toBe(1);
      expect(await declines(pact.id)).toEqual([]);
    }
  });

  it('is not for the promoter, nor for an organisation not invited', async () => {
    const pact = await pactIn();
    const path = `/pacts/${pact.id}/decline`;
    expect((await authority.get(path)).status).toBe(403);
    expect((await authority.get(`/pacts/${pact.id}`)).text).not.toContain(path);
    const asPromoter = await authority
      .post(path)
      .type('form')
      .send({ reason: 'x', _csrf: await csrfOf(authority) });
    expect(asPromoter.status).toBe(403);
    const other = await newUser(t.db, {
      role: 'social_partner',
      partnerType: 'trade_union',
      territory: 'ITI14',
    });
    const outsider = await loginAs(app, other.email, PASSWORD);
    expect((await outsider.get(path)).status).toBe(404);
    const asOutsider = await outsider
      .post(path)
      .type('form')
      .send({ reason: 'x', _csrf: await csrfOf(outsider) });
    expect(asOutsider.status).toBe(404);
    expect(await listed(pact.id)).toHaveLength(2);
    expect(await declines(pact.id)).toEqual([]);
  });

  it('asks for a reason of at most 500 characters, keeping what was typed', async () => {
    const pact = await pactIn();
    const empty = await decline(employers, pact.id, '   ');
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('error-summary');
    expect(empty.text).toContain('href="#field-reason"');
    const long = `Motivo ${'x'.repeat(500)}`;
    const tooLong = await decline(employers, pact.id, long);
    expect(tooLong.status).toBe(422);
    expect(tooLong.text).toContain('href="#field-reason"');
    expect(tooLong.text).toContain(`>${long}</textarea>`);
    expect(await listed(pact.id)).toHaveLength(2);
    expect((await pactRow(pact.id)).revision).toBe(1);
    expect(await declines(pact.id)).toEqual([]);
  });

  it('declines once when the form is posted twice', async () => {
    const pact = await pactIn();
    const form = await employers.get(`/pacts/${pact.id}/decline`);
    const field = (name: string) =>
      new RegExp(`name="${name}" value="([^"]+)"`).exec(form.text)![1]!;
    const body = { reason: 'Doppio clic', _csrf: field('_csrf'), _formKey: field('_formKey') };
    const first = await employers.post(`/pacts/${pact.id}/decline`).type('form').send(body);
    const second = await employers.post(`/pacts/${pact.id}/decline`).type('form').send(body);
    expect([first.status, first.headers.location]).toEqual([302, '/pacts']);
    expect([second.status, second.headers.location]).toEqual([302, '/pacts']);
    expect((await employers.get('/pacts')).text).toContain('ha rinunciato a firmare il patto');
    expect(await declines(pact.id)).toHaveLength(1);
    expect((await pactRow(pact.id)).revision).toBe(2);
    const toldPromoter = await t.db
      .selectFrom('notifications')
      .select('id')
      .where('user_id', '=', s.authority.id)
      .where('kind', '=', 'pact_signatory_declined')
      .where('link', '=', `/pacts/${pact.id}/signatories`)
      .execute();
    expect(toldPromoter).toHaveLength(1);
  });
});

describe('POST /api/v1/pacts/:id/decline', () => {
  it('declines with a reason, then answers 404; 409 after submission, 422 without a reason', async () => {
    const pact = await pactIn();
    const partner = { Authorization: `Bearer ${await s.token(s.union.id)}` };
    const url = `/api/v1/pacts/${pact.id}/decline`;
    const none = await request(app).post(url).set(partner).send({});
    expect(none.status).toBe(422);
    const res = await request(app).post(url).set(partner).send({ reason: 'Via API' });
    expect([res.status, res.body]).toEqual([
      200,
      { revision: 2, status: 'negotiation', withdrawnAmendments: [] },
    ]);
    expect(await listed(pact.id)).toEqual([s.employers.organisationId]);
    expect((await request(app).post(url).set(partner).send({ reason: 'Di nuovo' })).status).toBe(
      404,
    );
    const promoter = { Authorization: `Bearer ${await s.token(s.authority.id)}` };
    expect((await request(app).post(url).set(promoter).send({ reason: 'x' })).status).toBe(403);

    const submitted = await pactIn('submitted');
    const late = await request(app)
      .post(`/api/v1/pacts/${submitted.id}/decline`)
      .set(partner)
      .send({ reason: 'Tardi' });
    expect(late.status).toBe(409);
    expect(await listed(submitted.id)).toHaveLength(2);
  });
});

/** A valid CSRF token of the agent's session (any page's form carries it). */
async function csrfOf(agent: Agent): Promise<string> {
  const page = await agent.get('/account/profile');
  return /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
}
