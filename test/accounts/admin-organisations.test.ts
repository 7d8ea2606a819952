import type { Express } from 'express';
import { sql } from 'kysely';
import request from 'supertest';
import { loginAs, submitForm, testApp, type Agent } from '../helpers/app';
import { newUser, PASSWORD } from '../helpers/factories';
import { newPact } from '../pacts/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { decodeEntities } from '../helpers/html';

let t: TestDb;
let app: Express;
let admin: Awaited<ReturnType<typeof newUser>>;
let adminAgent: Agent;

beforeAll(async () => {
  t = await newTestDb();
  app = testApp(t);
  admin = await newUser(t.db, { role: 'admin' });
  adminAgent = await loginAs(app, admin.email, PASSWORD);
});
afterAll(() => t.close());

const orgName = async (id: string) =>
  (
    await t.db
      .selectFrom('organisations')
      .select('name')
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
  ).name;

const events = (id: string) =>
  t.db
    .selectFrom('organisation_events')
    .select(['event', 'old_value', 'new_value', 'actor_id', 'reason'])
    .where('organisation_id', '=', id)
    .orderBy('id')
    .execute();

const rename = (id: string, body: Record<string, string>) =>
  submitForm(adminAgent, `/admin/organisations/${id}`, body, `/admin/organisations/${id}/name`);

describe('the list of organisations', () => {
  it('finds organisations by name or territory code and by kind, with their active accounts', async () => {
    const union = await newUser(t.db, {
      role: 'social_partner',
      partnerType: 'trade_union',
      organisation: 'Quercioli Lavoratori Uniti',
    });
    const firm = await newUser(t.db, { organisation: 'Quercioli Serramenti srl' });
    const list = async (query: string) =>
      decodeEntities((await adminAgent.get(`/admin/organisations?${query}`)).text);

    const byName = await list('q=quercioli');
    expect(byName).toContain(`href="/admin/organisations/${union.organisationId}"`);
    expect(byName).toContain(`href="/admin/organisations/${firm.organisationId}"`);
    expect(byName).toContain('Sindacato');
    const byKind = await list('q=quercioli&kind=firm');
    expect(byKind).toContain('Quercioli Serramenti srl');
    expect(byKind).not.toContain('Quercioli Lavoratori Uniti');
    // The user's own % is a character, not a wildcard.
    expect(await list('q=%25')).toContain('Nessuna organizzazione corrisponde');
    // A made-up kind is named, and the list still shows.
    const bad = await adminAgent.get('/admin/organisations?kind=pirate');
    expect(bad.status).toBe(200);
    expect(bad.text).toContain('Organizzazioni della piattaforma');
  });

  it('is the admin’s only: other roles get 403, anonymous users the login page', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const agent = await loginAs(app, region.email, PASSWORD);
    expect((await agent.get('/admin/organisations')).status).toBe(403);
    expect((await agent.get(`/admin/organisations/${admin.organisationId}`)).status).toBe(403);
    const anonymous = await request(app).get('/admin/organisations');
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.location).toMatch(/^\/login/);
  });

  it('answers 404 for an organisation that does not exist or a malformed id', async () => {
    expect((await adminAgent.get(`/admin/organisations/${crypto.randomUUID()}`)).status).toBe(404);
    expect((await adminAgent.get('/admin/organisations/not-a-uuid')).status).toBe(404);
  });
});

describe('renaming an organisation', () => {
  it('renames it, keeps the name before and the reason in its history, and shows it', async () => {
    const authority = await newUser(t.db, {
      role: 'local_authority',
      organisation: 'Comune di Prtao',
    });
    const res = await rename(authority.organisationId, {
      name: '  Comune di Prato ',
      reason: 'Refuso nel nome dato all’invito',
    });
    expect(res.status).toBe(303);
    expect(await orgName(authority.organisationId)).toBe('Comune di Prato');
    expect(await events(authority.organisationId)).toEqual([
      {
        event: 'renamed',
        old_value: 'Comune di Prtao',
        new_value: 'Comune di Prato',
        actor_id: admin.id,
        reason: 'Refuso nel nome dato all’invito',
      },
    ]);
    const page = decodeEntities((await adminAgent.get(res.headers.location!)).text);
    expect(page).toContain("Nome dell'organizzazione aggiornato.");
    expect(page).toContain('Nome cambiato da «Comune di Prtao» a «Comune di Prato»');
    expect(page).toContain(admin.fullName);

    // The people of the organisation see the new name at once.
    const agent = await loginAs(app, authority.email, PASSWORD);
    expect(decodeEntities((await agent.get('/account/organisation')).text)).toContain(
      'Comune di Prato',
    );
  });

  it('refuses an empty, too long or unchanged name, keeping what was typed; writes nothing', async () => {
    const partner = await newUser(t.db, {
      role: 'social_partner',
      organisation: 'Confartigianato Empoli',
    });
    const id = partner.organisationId;

    const empty = await rename(id, { name: '   ', reason: 'motivo scritto' });
    expect(empty.status).toBe(422);
    expect(decodeEntities(empty.text)).toContain('Campo obbligatorio');
    expect(decodeEntities(empty.text)).toContain('motivo scritto');

    const long = await rename(id, { name: 'x'.repeat(201) });
    expect(long.status).toBe(422);
    expect(long.text).toContain('x'.repeat(201));
    expect(decodeEntities(long.text)).toMatch(/Nome dell'organizzazione: .*200/);

    const longReason = await rename(id, {
      name: 'Confartigianato Empolese',
      reason: 'r'.repeat(501),
    });
    expect(longReason.status).toBe(422);
    expect(longReason.text).toContain('Confartigianato Empolese');

    const same = await rename(id, { name: 'Confartigianato Empoli' });
    expect(same.status).toBe(422);
    expect(decodeEntities(same.text)).toContain("È già il nome dell'organizzazione");

    expect(await orgName(id)).toBe('Confartigianato Empoli');
    expect(await events(id)).toEqual([]);
  });

  it("renames a firm's legal name on its profile with it", async () => {
    const firm = await newUser(t.db, { organisation: 'Tessitura Bianchi' });
    await t.db
      .insertInto('firms')
      .values({ organisation_id: firm.organisationId, legal_name: 'Tessitura Bianchi' })
      .onConflict((oc) => oc.column('organisation_id').doNothing())
      .execute();
    expect((await rename(firm.organisationId, { name: 'Tessitura Bianchi spa' })).status).toBe(303);
    const profile = await t.db
      .selectFrom('firms')
      .select(['legal_name', 'updated_by'])
      .where('organisation_id', '=', firm.organisationId)
      .executeTakeFirstOrThrow();
    expect(profile).toEqual({ legal_name: 'Tessitura Bianchi spa', updated_by: admin.id });
  });

  it('keeps the history append-only', async () => {
    const org = await newUser(t.db, { role: 'region', organisation: 'Regione Tozcana' });
    await rename(org.organisationId, { name: 'Regione Toscana' });
    await expect(
      sql`UPDATE organisation_events SET new_value = 'x' WHERE organisation_id = ${org.organisationId}`.execute(
        t.db,
      ),
    ).rejects.toThrow(/append-only/);
    await expect(
      sql`DELETE FROM organisation_events WHERE organisation_id = ${org.organisationId}`.execute(
        t.db,
      ),
    ).rejects.toThrow(/append-only/);
  });
});

describe('inviting into an organisation', () => {
  it('lets the admin invite someone into an organisation whose only account is disabled', async () => {
    const union = await newUser(t.db, {
      role: 'social_partner',
      partnerType: 'trade_union',
      organisation: 'UIL Pistoia',
    });
    await t.db
      .updateTable('users')
      .set({ disabled_at: new Date() })
      .where('id', '=', union.id)
      .execute();
    const page = `/admin/organisations/${union.organisationId}`;
    const res = await submitForm(
      adminAgent,
      page,
      { email: 'Nuova@UIL-pistoia.test' },
      `${page}/invitations`,
    );
    expect(res.status).toBe(201);
    expect(decodeEntities(res.text)).toContain(`href="${page}"`);
    const path = new URL(/id="invitation-link">([^<]+)</.exec(res.text)![1]!).pathname;
    expect(decodeEntities((await adminAgent.get(page)).text)).toContain('nuova@uil-pistoia.test');

    const person = request.agent(app);
    const accepted = await submitForm(person, path, {
      fullName: 'Nuova Segretaria',
      password: 'una password lunga abbastanza',
      passwordConfirm: 'una password lunga abbastanza',
    });
    expect(accepted.status).toBe(302);
    const row = await t.db
      .selectFrom('users')
      .select('organisation_id')
      .where('email', '=', 'nuova@uil-pistoia.test')
      .executeTakeFirstOrThrow();
    expect(row.organisation_id).toBe(union.organisationId);
  });

  it('shows the same link again when the invite form is sent twice (a double click)', async () => {
    const firm = await newUser(t.db);
    const page = `/admin/organisations/${firm.organisationId}`;
    const html = (await adminAgent.get(page)).text;
    const invite = /<form[^>]*action="[^"]*\/invitations"[^>]*>([\s\S]*?)<\/form>/.exec(html)![1]!;
    const hidden = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(invite)?.[1];
    expect(hidden('_formKey')).toMatch(/^[0-9a-f-]{36}$/);
    const body = {
      email: 'doppio@firm.test',
      _csrf: hidden('_csrf')!,
      _formKey: hidden('_formKey')!,
    };
    const linkOf = (text: string) =>
      /id="invitation-link">https?:\/\/[^/]+([^<]+)</.exec(text)?.[1];
    const post = () => adminAgent.post(`${page}/invitations`).type('form').send(body);
    const first = await post();
    const second = await post();
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(linkOf(second.text)).toBe(linkOf(first.text));
    const rows = await t.db
      .selectFrom('invitations')
      .select('id')
      .where('email', '=', 'doppio@firm.test')
      .execute();
    expect(rows).toHaveLength(1);
    expect((await request(app).get(linkOf(first.text)!)).status).toBe(200);
  });

  it('refuses an address that has an account, with the admin’s wording, the address kept', async () => {
    const firm = await newUser(t.db);
    const other = await newUser(t.db);
    const page = `/admin/organisations/${firm.organisationId}`;
    const before = await t.db
      .selectFrom('invitations')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    const res = await submitForm(adminAgent, page, { email: other.email }, `${page}/invitations`);
    expect(res.status).toBe(409);
    expect(decodeEntities(res.text)).toContain('Trovala nell');
    expect(res.text).toContain(`value="${other.email}"`);
    const bad = await submitForm(
      adminAgent,
      page,
      { email: 'not-an-address' },
      `${page}/invitations`,
    );
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('value="not-an-address"');
    const after = await t.db
      .selectFrom('invitations')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('revokes a waiting invitation after asking', async () => {
    const firm = await newUser(t.db);
    const page = `/admin/organisations/${firm.organisationId}`;
    await submitForm(adminAgent, page, { email: 'revocami@test.patto' }, `${page}/invitations`);
    const inv = await t.db
      .selectFrom('invitations')
      .select('id')
      .where('email', '=', 'revocami@test.patto')
      .executeTakeFirstOrThrow();
    const confirm = `${page}/invitations/${inv.id}/revoke`;
    expect(decodeEntities((await adminAgent.get(confirm)).text)).toContain('revocami@test.patto');
    const res = await submitForm(adminAgent, confirm, {});
    expect(res.status).toBe(302);
    expect(decodeEntities((await adminAgent.get(page)).text)).not.toContain('revocami@test.patto');
    // An invitation of another organisation is not found through this one.
    const other = await newUser(t.db);
    expect(
      (
        await adminAgent.get(
          `/admin/organisations/${other.organisationId}/invitations/${inv.id}/revoke`,
        )
      ).status,
    ).toBe(404);
  });
});

describe("correcting an organisation's territory", () => {
  const page = (id: string) => `/admin/organisations/${id}/territory`;
  const move = (id: string, body: Record<string, string>) => submitForm(adminAgent, page(id), body);
  const territoryOf = async (id: string) =>
    (
      await t.db
        .selectFrom('organisations')
        .select('territory_code')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).territory_code;

  it('moves an organisation that takes part in nothing yet; its people see the new scope', async () => {
    const authority = await newUser(t.db, { role: 'local_authority', territory: 'ITI14' });
    const agent = await loginAs(app, authority.email, PASSWORD);
    expect(
      decodeEntities(
        (await adminAgent.get(`/admin/organisations/${authority.organisationId}`)).text,
      ),
    ).toContain(`href="${page(authority.organisationId)}"`);
    const res = await move(authority.organisationId, {
      territoryCode: 'iti15',
      reason: 'Scelta Firenze all’invito, è l’ente di Prato',
    });
    expect(res.status).toBe(303);
    expect(await territoryOf(authority.organisationId)).toBe('ITI15');
    expect(await events(authority.organisationId)).toEqual([
      {
        event: 'territory_changed',
        old_value: 'ITI14',
        new_value: 'ITI15',
        actor_id: admin.id,
        reason: 'Scelta Firenze all’invito, è l’ente di Prato',
      },
    ]);
    const after = decodeEntities((await adminAgent.get(res.headers.location!)).text);
    expect(after).toContain("Territorio dell'organizzazione corretto.");
    expect(after).toContain('Territorio cambiato da ITI14 a ITI15');
    // The same session, next page: the organisation's territory is Prato's now.
    expect(decodeEntities((await agent.get('/account/organisation')).text)).toContain('(ITI15)');
  });

  it('refuses once the organisation takes part in a pact, and for a firm; writes nothing', async () => {
    const authority = await newUser(t.db, { role: 'local_authority', territory: 'ITI14' });
    await newPact(t.db, { promoter: authority });
    const locked = decodeEntities((await adminAgent.get(page(authority.organisationId))).text);
    expect(locked).toContain("l'organizzazione partecipa a 1 patto, verificati");
    expect(locked).not.toContain('name="territoryCode"');
    const res = await move(authority.organisationId, { territoryCode: 'ITI15' });
    expect(res.status).toBe(422);
    expect(decodeEntities(res.text)).toContain("l'organizzazione partecipa a 1 patto, verificati");

    const firm = await newUser(t.db);
    const byFirm = await move(firm.organisationId, { territoryCode: 'ITI15' });
    expect(byFirm.status).toBe(422);
    expect(decodeEntities(byFirm.text)).toContain(
      "Il territorio di un'impresa è il comune della sua sede",
    );

    expect(await territoryOf(authority.organisationId)).toBe('ITI14');
    expect(await territoryOf(firm.organisationId)).toBe('048014');
    expect(await events(authority.organisationId)).toEqual([]);
    expect(await events(firm.organisationId)).toEqual([]);
  });

  it('refuses an unknown code, the same territory, an empty choice or a long reason, keeping the input', async () => {
    const partner = await newUser(t.db, { role: 'social_partner', territory: 'ITI14' });
    const id = partner.organisationId;
    const unknown = await move(id, { territoryCode: 'XX99', reason: 'motivo' });
    expect(unknown.status).toBe(422);
    expect(unknown.text).toContain('motivo');
    const same = await move(id, { territoryCode: 'ITI14' });
    expect(same.status).toBe(422);
    expect(decodeEntities(same.text)).toContain("È già il territorio dell'organizzazione");
    const empty = await move(id, { territoryCode: '' });
    expect(empty.status).toBe(422);
    expect(decodeEntities(empty.text)).toContain('Campo obbligatorio');
    const long = await move(id, { territoryCode: 'ITI15', reason: 'r'.repeat(501) });
    expect(long.status).toBe(422);
    expect(long.text).toContain('r'.repeat(501));
    expect(decodeEntities(long.text)).toMatch(/Motivo \(facoltativo\): .*500/);
    expect(await territoryOf(id)).toBe('ITI14');
    expect(await events(id)).toEqual([]);
  });
});
