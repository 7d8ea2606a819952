import type { Express } from 'express';
import request from 'supertest';
import { csrfOfForm, loginAs, submitForm, type Agent } from '../helpers/app';
import { newUser, PASSWORD } from '../helpers/factories';
import type { TestDb } from '../helpers/test-db';
import { newPact } from './factories';
import { signedInScenario, type PactScenario } from './scenario';
import { decodeEntities } from '../helpers/html';

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
const signatures = (id: string) =>
  t.db.selectFrom('pact_signatures').selectAll().where('pact_id', '=', id).execute();

async function negotiating(signatories = [s.employers.organisationId, s.union.organisationId]) {
  return newPact(t.db, {
    promoter: s.authority,
    campaign: s.campaign.id,
    status: 'negotiation',
    signatories,
  });
}

const sign = (agent: Agent, pact: { id: string; revision: number; revision_hash: string }) =>
  submitForm(
    agent,
    `/pacts/${pact.id}/sign`,
    { revision: String(pact.revision), hash: pact.revision_hash },
    `/pacts/${pact.id}/sign`,
  );

describe('POST /pacts/:id/sign', () => {
  it('records a signature bound to the revision and its hash, and agrees the pact when all signed with parity', async () => {
    const pact = await negotiating();
    const page = await employers.get(`/pacts/${pact.id}/sign`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(pact.revision_hash);
    // The labels beside it are capitalised, as 'Revisione' is.
    const labels = [...page.text.matchAll(/<dt class="col-sm-3">([^<]*)<\/dt>/g)].map((m) => m[1]);
    expect(labels).toContain('Impronta');
    for (const label of labels) expect(label).toMatch(/^\p{Lu}/u);

    expect((await sign(employers, pact)).status).toBe(302);
    expect((await pactRow(pact.id)).status).toBe('negotiation');
    const board = await authority.get(`/pacts/${pact.id}/negotiation`);
    expect(board.text).toMatch(/1 firma mancante/);

    expect((await sign(union, pact)).status).toBe(302);
    const after = await pactRow(pact.id);
    expect(after.status).toBe('agreed');
    const rows = await signatures(pact.id);
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.revision === 1 && r.revision_hash === pact.revision_hash)).toBe(
      true,
    );
    const audit = await t.db
      .selectFrom('pact_audit')
      .select(['event', 'to_status'])
      .where('pact_id', '=', pact.id)
      .orderBy('seq')
      .execute();
    expect(audit.map((a) => a.event)).toEqual(expect.arrayContaining(['signed', 'agree']));
    const told = await t.db
      .selectFrom('notifications')
      .innerJoin('users', 'users.id', 'notifications.user_id')
      .select(['notifications.kind', 'users.organisation_id'])
      .where('notifications.link', 'like', `/pacts/${pact.id}%`)
      .execute();
    expect(told).toContainEqual({
      kind: 'pact_signed',
      organisation_id: s.authority.organisationId,
    });
    expect(told).toContainEqual({
      kind: 'pact_agreed',
      organisation_id: s.authority.organisationId,
    });
  });

  it("no longer offers the board's sign button to an organisation that signed this revision", async () => {
    const pact = await negotiating();
    const button = `href="/pacts/${pact.id}/sign"`;
    expect((await employers.get(`/pacts/${pact.id}/negotiation`)).text).toContain(button);
    expect((await sign(employers, pact)).status).toBe(302);
    const board = await employers.get(`/pacts/${pact.id}/negotiation`);
    expect(board.text).not.toContain(button);
    expect(board.text).toContain('La tua organizzazione ha firmato la revisione 1.');
    expect((await union.get(`/pacts/${pact.id}/negotiation`)).text).toContain(button);
    const edited = await submitForm(authority, `/pacts/${pact.id}/edit`, {
      revision: '1',
      title: 'Un titolo nuovo',
      summary: '',
      callId: '',
    });
    expect(edited.status).toBe(302);
    expect((await employers.get(`/pacts/${pact.id}/negotiation`)).text).toContain(button);
  });

  it('says exactly that parity fails when everyone signed but no trade union is among them', async () => {
    const pact = await negotiating([s.employers.organisationId]);
    expect((await sign(employers, pact)).status).toBe(302);
    expect((await pactRow(pact.id)).status).toBe('negotiation');
    const board = await authority.get(`/pacts/${pact.id}/negotiation`);
    expect(board.text).toContain('la regola di parità non è rispettata');
    expect(board.text).toContain('parità: manca ancora la firma di un sindacato');
  });

  it('refuses a stale revision with a link to the current one, and records nothing', async () => {
    const pact = await negotiating();
    // The promoter changes the pact: revision 2.
    const edit = await submitForm(authority, `/pacts/${pact.id}/edit`, {
      revision: '1',
      title: 'Titolo cambiato',
      summary: '',
      callId: '',
    });
    expect(edit.status).toBe(302);
    expect((await pactRow(pact.id)).revision).toBe(2);
    const res = await sign(employers, pact);
    expect(res.status).toBe(409);
    expect(res.text).toContain('ma il patto è ora alla revisione 2');
    expect(res.text).toContain(`/pacts/${pact.id}/revisions/2`);
    expect(await signatures(pact.id)).toHaveLength(0);
  });

  it('refuses a right number with a wrong hash', async () => {
    const pact = await negotiating();
    const res = await sign(employers, { ...pact, revision_hash: 'a'.repeat(64) });
    expect(res.status).toBe(409);
    expect(res.text).toContain(
      'Il testo che stavi firmando non corrisponde alla revisione 1 registrata',
    );
    expect(res.text).not.toContain('è ora alla revisione');
    expect(await signatures(pact.id)).toHaveLength(0);
  });

  it('shows earlier signatures as superseded after a new revision, and the pact returns to negotiation', async () => {
    const pact = await negotiating();
    await sign(employers, pact);
    await sign(union, pact);
    expect((await pactRow(pact.id)).status).toBe('agreed');
    const edit = await submitForm(authority, `/pacts/${pact.id}/edit`, {
      revision: '1',
      title: 'Dopo l’accordo',
      summary: '',
      callId: '',
    });
    expect(edit.status).toBe(302);
    const now = await pactRow(pact.id);
    expect(now.status).toBe('negotiation');
    expect(await signatures(pact.id)).toHaveLength(2); // kept, no longer counting
    const board = await authority.get(`/pacts/${pact.id}/negotiation`);
    expect(board.text).toContain('Ha firmato la revisione 1 — superata');
    expect(board.text).toMatch(/2 firme mancanti/);
    // Signing the new revision counts again.
    expect((await sign(employers, now)).status).toBe(302);
    const rows = await signatures(pact.id);
    expect(rows.filter((r) => r.revision === 2)).toHaveLength(1);
  });

  it('starts a new round when a returned pact is reopened unchanged: old signatures superseded, signing again agrees it', async () => {
    const pact = await newPact(t.db, {
      promoter: s.authority,
      campaign: s.campaign.id,
      callId: s.callId,
      status: 'negotiation',
      // DC2.1: the other tests' pacts claim F40.a's need; submitting checks the backing again.
      actions: [{ skills: ['DC2.1'], participants: 1 }],
      signatories: [s.employers.organisationId, s.union.organisationId],
    });
    expect((await sign(employers, pact)).status).toBe(302);
    expect((await sign(union, pact)).status).toBe(302);
    const rev = String(pact.revision);
    const at = `/pacts/${pact.id}`;
    expect((await submitForm(authority, at, { revision: rev }, `${at}/submit`)).status).toBe(302);
    const region = await loginAs(app, s.region.email, PASSWORD);
    const back = await submitForm(
      region,
      `${at}/review`,
      { revision: rev, remarks: 'Ridurre i costi' },
      `${at}/return`,
    );
    expect(back.status).toBe(302);
    expect((await pactRow(pact.id)).status).toBe('returned');

    expect((await submitForm(authority, at, { revision: rev }, `${at}/reopen`)).status).toBe(302);
    const reopened = await pactRow(pact.id);
    expect(reopened.status).toBe('negotiation');
    expect(reopened.revision).toBe(pact.revision + 1);
    expect(reopened.revision_hash).toBe(pact.revision_hash);
    const board = await authority.get(`${at}/negotiation`);
    expect(board.text).toMatch(/2 firme mancanti/);

    expect((await sign(employers, reopened)).status).toBe(302);
    expect((await sign(union, reopened)).status).toBe(302);
    const agreed = await pactRow(pact.id);
    expect(agreed.status).toBe('agreed');
    expect(
      (await signatures(pact.id)).filter((g) => g.revision === reopened.revision),
    ).toHaveLength(2);
    expect(
      (await submitForm(authority, at, { revision: String(agreed.revision) }, `${at}/submit`))
        .status,
    ).toBe(302);
    expect((await pactRow(pact.id)).status).toBe('submitted');
  });

  it('offers nothing to sign while the revision has no action, and refuses a signature on it', async () => {
    const pact = await newPact(t.db, {
      promoter: s.authority,
      campaign: s.campaign.id,
      status: 'negotiation',
      actions: [],
      signatories: [s.employers.organisationId, s.union.organisationId],
    });
    const page = await employers.get(`/pacts/${pact.id}/sign`);
    expect(page.text).toContain(
      'La revisione 1 non ha azioni formative: non c&#x27;è ancora nulla',
    );
    expect(page.text).not.toContain(`action="/pacts/${pact.id}/sign"`);
    const board = await employers.get(`/pacts/${pact.id}/negotiation`);
    expect(board.text).toContain('il patto non ha ancora azioni formative da firmare');
    expect(board.text).not.toContain(`href="/pacts/${pact.id}/sign"`);
    // A form from before the last action was removed (or a crafted one): refused, said why.
    const res = await sign(employers, pact);
    expect(res.status).toBe(409);
    expect(res.text).toContain(
      'La revisione 1 non ha azioni formative: non c&#x27;è nulla da firmare',
    );
    const api = await request(app)
      .post(`/api/v1/pacts/${pact.id}/signatures`)
      .set('Authorization', `Bearer ${await s.token(s.union.id)}`)
      .send({ revision: 1, hash: pact.revision_hash });
    expect(api.status).toBe(409);
    expect(JSON.stringify(api.body)).toContain('non ha azioni formative');
    expect(await signatures(pact.id)).toHaveLength(0);
    expect((await pactRow(pact.id)).status).toBe('negotiation');
  });

  it('lands a double click on the board, signed once, not on an error', async () => {
    const pact = await negotiating();
    const _csrf = await csrfOfForm(employers, `/pacts/${pact.id}/sign`, `/pacts/${pact.id}/sign`);
    const body = { revision: String(pact.revision), hash: pact.revision_hash, _csrf };
    const clicks = await Promise.all(
      [1, 2].map(() => employers.post(`/pacts/${pact.id}/sign`).type('form').send(body)),
    );
    expect(clicks.map((r) => [r.status, r.headers.location])).toEqual([
      [302, `/pacts/${pact.id}/negotiation`],
      [302, `/pacts/${pact.id}/negotiation`],
    ]);
    expect(await signatures(pact.id)).toHaveLength(1);
    const board = await employers.get(`/pacts/${pact.id}/negotiation`);
    expect(board.text).toMatch(
      /Hai firmato la revisione 1|La tua organizzazione ha già firmato la revisione 1\./,
    );
  });

  it('refuses the promoter signing, even on behalf of a signatory', async () => {
    const pact = await negotiating();
    expect((await sign(authority, pact)).status).toBe(403);
    const onBehalf = await submitForm(
      authority,
      `/pacts/${pact.id}/sign`,
      {
        revision: '1',
        hash: pact.revision_hash,
        organisationId: s.employers.organisationId,
      },
      `/pacts/${pact.id}/sign`,
    );
    expect(onBehalf.status).toBe(422);
    expect(await signatures(pact.id)).toHaveLength(0);
  });

  it('answers 404 to an organisation that was not invited', async () => {
    const pact = await negotiating([s.employers.organisationId]);
    // The token comes from the 404 page itself (the logout form): CSRF is valid, access is not.
    expect((await union.get(`/pacts/${pact.id}/sign`)).status).toBe(404);
    const posted = await sign(union, pact);
    expect(posted.status).toBe(404);
    expect(await signatures(pact.id)).toHaveLength(0);
  });

  it('agrees exactly once when the last two signatures arrive together', async () => {
    const third = await newUser(t.db, {
      role: 'social_partner',
      partnerType: 'chamber_of_commerce',
      territory: 'ITI14',
    });
    const pact = await negotiating([
      s.employers.organisationId,
      s.union.organisationId,
      third.organisationId,
    ]);
    await sign(employers, pact);
    const chamber = await loginAs(app, third.email, PASSWORD);
    const [a, b] = await Promise.all([sign(union, pact), sign(chamber, pact)]);
    expect([a.status, b.status]).toEqual([302, 302]);
    expect((await pactRow(pact.id)).status).toBe('agreed');
    const agreeEntries = await t.db
      .selectFrom('pact_audit')
      .select('seq')
      .where('pact_id', '=', pact.id)
      .where('event', '=', 'agree')
      .execute();
    expect(agreeEntries).toHaveLength(1);
  });
});

describe('POST /api/v1/pacts/:id/signatures (signPact)', () => {
  it('signs through the API with the same rules', async () => {
    const pact = await negotiating();
    const token = await s.token(s.employers.id);
    const stale = await request(app)
      .post(`/api/v1/pacts/${pact.id}/signatures`)
      .set('Authorization', `Bearer ${token}`)
      .send({ revision: 2, hash: pact.revision_hash });
    expect(stale.status).toBe(409);
    const ok = await request(app)
      .post(`/api/v1/pacts/${pact.id}/signatures`)
      .set('Authorization', `Bearer ${token}`)
      .send({ revision: 1, hash: pact.revision_hash });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ revision: 1, agreement: { signed: 1, agreed: false } });
    const promoterToken = await s.token(s.authority.id);
    const refused = await request(app)
      .post(`/api/v1/pacts/${pact.id}/signatures`)
      .set('Authorization', `Bearer ${promoterToken}`)
      .send({ revision: 1, hash: pact.revision_hash, organisationId: s.union.organisationId });
    expect(refused.status).toBe(422);
  });
});

describe('a signature repeated through the API (a retry after a timeout)', () => {
  const written = async (pactId: string) => ({
    signatures: (await signatures(pactId)).length,
    audit: (
      await t.db.selectFrom('pact_audit').select('seq').where('pact_id', '=', pactId).execute()
    ).length,
    notifications: (await t.db.selectFrom('notifications').select('id').execute()).length,
  });

  it('answers 200 with the signature as it stands, repeated, recording and telling nothing again', async () => {
    const pact = await negotiating();
    const [employersToken, unionToken] = [await s.token(s.employers.id), await s.token(s.union.id)];
    const signAs = (token: string, body: object) =>
      request(app)
        .post(`/api/v1/pacts/${pact.id}/signatures`)
        .set('Authorization', `Bearer ${token}`)
        .send(body);
    const body = { revision: 1, hash: pact.revision_hash };
    const first = await signAs(employersToken, body);
    expect([first.status, first.body.repeated]).toEqual([201, false]);
    const before = await written(pact.id);
    const again = await signAs(employersToken, body);
    expect([again.status, again.body]).toEqual([200, { ...first.body, repeated: true }]);
    expect(await written(pact.id)).toEqual(before);
    // The last signature agrees the pact; its retry still lands, the pact agreed once.
    expect((await signAs(unionToken, body)).body.agreement.agreed).toBe(true);
    const agreed = await written(pact.id);
    const retried = await signAs(unionToken, body);
    expect([retried.status, retried.body.repeated, retried.body.agreement.agreed]).toEqual([
      200,
      true,
      true,
    ]);
    expect(await written(pact.id)).toEqual(agreed);
  });

  it('still refuses with 409 a signature on a revision that is no longer current', async () => {
    const pact = await negotiating();
    const token = await s.token(s.employers.id);
    const signed = await request(app)
      .post(`/api/v1/pacts/${pact.id}/signatures`)
      .set('Authorization', `Bearer ${token}`)
      .send({ revision: 1, hash: pact.revision_hash });
    expect(signed.status).toBe(201);
    await t.db
      .updateTable('pacts')
      .set({ revision: 2, revision_hash: 'b'.repeat(64) })
      .where('id', '=', pact.id)
      .execute();
    const outdated = await request(app)
      .post(`/api/v1/pacts/${pact.id}/signatures`)
      .set('Authorization', `Bearer ${token}`)
      .send({ revision: 1, hash: pact.revision_hash });
    expect(outdated.status).toBe(409);
    expect(outdated.body.detail).toContain('revisione 2');
    expect(await signatures(pact.id)).toHaveLength(1);
  });
});

describe('a sign form posted without its hidden fields (a crafted post)', () => {
  it('says to reload the page, with no link to a field the page does not have', async () => {
    const pact = await negotiating();
    const res = await submitForm(employers, `/pacts/${pact.id}/sign`, { revision: 'x', hash: '' });
    expect(res.status).toBe(422);
    const html = decodeEntities(res.text);
    expect(html).toContain('ricarica la pagina e riprova');
    expect(html).not.toMatch(/href="#field-(revision|hash)"/);
    expect(await signatures(pact.id)).toEqual([]);
  });
});
