import request from 'supertest';
import { csrfFrom, testApp, loginAs, submitForm } from '../helpers/app';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { newUser, PASSWORD } from '../helpers/factories';
import { expectSummaryNamesFields } from '../helpers/error-summary';
import { createInvitation } from '../../src/modules/accounts/invitations.service';

let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
});
afterAll(() => t.close());

async function invite(agent: Awaited<ReturnType<typeof loginAs>>, body: Record<string, string>) {
  return submitForm(agent, '/invitations/new', body, '/invitations');
}

describe('invitations', () => {
  it('lets a region invite a social partner of its territory; the link works once', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const app = testApp(t);
    const agent = await loginAs(app, region.email, PASSWORD);
    const res = await invite(agent, {
      email: 'cgil@test.patto',
      role: 'social_partner',
      partnerType: 'trade_union',
      organisationName: 'CGIL Firenze',
      territoryCode: 'ITI14',
    });
    expect(res.status).toBe(201);
    const link = /id="invitation-link">([^<]+)</.exec(res.text)![1]!;
    const path = new URL(link).pathname;

    const invitee = request.agent(app);
    const page = await invitee.get(path);
    expect(page.status).toBe(200);
    expect(page.text).toContain('CGIL Firenze');
    // What the person will be: the kind of social partner and the territory, as their home says.
    expect(page.text).toContain('Ruolo: <strong>Parte sociale — Sindacato</strong>');
    expect(page.text).toContain('Territorio: <strong>Firenze (ITI14)</strong>');
    expect((await request(app).get(`${path}?lang=en`)).text).toContain(
      'Territory: <strong>Florence (ITI14)</strong>',
    );
    const short = await submitForm(invitee, path, { fullName: 'Rita Sarti', password: 'corta' });
    expect(short.status).toBe(422);
    expectSummaryNamesFields(short.text, 2);
    expect(short.text).toContain('Nuova password: Inserisci almeno 10 caratteri');
    expect(short.text).toContain('value="Rita Sarti"');
    const accepted = await submitForm(invitee, path, {
      fullName: 'Rita Sarti',
      password: 'union strong password',
      passwordConfirm: 'union strong password',
    });
    expect(accepted.status).toBe(302);
    expect((await invitee.get('/')).text).toContain('Area parte sociale');

    const user = await t.db
      .selectFrom('users')
      .innerJoin('organisations', 'organisations.id', 'users.organisation_id')
      .select(['organisations.kind', 'organisations.partner_type'])
      .where('email', '=', 'cgil@test.patto')
      .executeTakeFirstOrThrow();
    expect(user).toEqual({ kind: 'social_partner', partner_type: 'trade_union' });

    const again = request.agent(app);
    expect((await again.get(path)).status).toBe(410);
  });

  it('refuses an expired link', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const app = testApp(t);
    const res = await invite(await loginAs(app, region.email, PASSWORD), {
      email: 'late@test.patto',
      role: 'local_authority',
      organisationName: 'Comune di Vinci',
      territoryCode: '048050',
    });
    const path = new URL(/id="invitation-link">([^<]+)</.exec(res.text)![1]!).pathname;
    await t.db
      .updateTable('invitations')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('email', '=', 'late@test.patto')
      .execute();
    const page = await request(app).get(path);
    expect(page.status).toBe(410);
    expect(page.text).toContain('scaduto');
  });

  it('offers a region only its own territories, grouped: region, provinces, comuni by province', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const page = await agent.get('/invitations/new');
    expect(page.status).toBe(200);
    const select = /<select[^>]*name="territoryCode"[\s\S]*?<\/select>/.exec(page.text)![0];
    const groups = [...select.matchAll(/<optgroup label="([^"]+)">/g)].map((m) => m[1]);
    expect(groups.slice(0, 2)).toEqual(['Regione (NUTS 2)', 'Provincia (NUTS 3)']);
    expect(groups).toContain('Comuni della provincia di Firenze');
    expect(select).toMatch(
      /<optgroup label="Provincia \(NUTS 3\)">(<option [^>]*>[^<]*<\/option>)*<option value="ITI14" >Firenze \(ITI14\)/,
    );
    expect(select).toMatch(
      /label="Comuni della provincia di Firenze">(<option [^>]*>[^<]*<\/option>)*<option value="048017" >Firenze \(048017\)/,
    );
    expect(select).not.toContain('ITC4C'); // Milano: another region's
    expect(select).not.toContain('BE341'); // abroad
  });

  it('keeps a region inside its own territory and below its own role', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const outside = await invite(agent, {
      email: 'far@test.patto',
      role: 'local_authority',
      organisationName: 'Comune di Milano',
      territoryCode: 'ITC4C',
    });
    expect(outside.status).toBe(422);
    expect(outside.text).toContain('solo organizzazioni del tuo territorio');
    const admin = await invite(agent, {
      email: 'boss@test.patto',
      role: 'admin',
      organisationName: 'X',
      territoryCode: 'ITI1',
    });
    expect(admin.status).toBe(422);
    const rows = await t.db
      .selectFrom('invitations')
      .select('id')
      .where('email', 'in', ['far@test.patto', 'boss@test.patto'])
      .execute();
    expect(rows).toHaveLength(0);
  });

  it("refuses a territory that does not exist, even the admin's, naming the field", async () => {
    const admin = await newUser(t.db, { role: 'admin' });
    const agent = await loginAs(testApp(t), admin.email, PASSWORD);
    const res = await invite(agent, {
      email: 'nowhere@test.patto',
      role: 'local_authority',
      organisationName: 'Comune di Nessunluogo',
      territoryCode: 'XX99',
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain('href="#field-territoryCode"');
    expect(res.text).toContain('Territorio sconosciuto: scegline uno dall&#x27;elenco');
    expect(res.text).toContain('value="Comune di Nessunluogo"');
    const orgs = await t.db
      .selectFrom('organisations')
      .select('id')
      .where('name', '=', 'Comune di Nessunluogo')
      .execute();
    expect(orgs).toHaveLength(0);
  });

  it('requires a partner type for a social partner', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const res = await invite(agent, {
      email: 'p@test.patto',
      role: 'social_partner',
      partnerType: '',
      organisationName: 'X',
      territoryCode: 'ITI1',
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain('href="#field-partnerType"');
  });

  it('refuses a field sent as an object that shadows toString, echoing the form (found by fuzzing)', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const _csrf = await csrfFrom(agent, '/invitations/new');
    const res = await agent
      .post('/invitations')
      .type('form')
      .send(
        'email=p2%40test.patto&role=social_partner&partnerType=trade_union&territoryCode=ITI14' +
          `&organisationName%5BtoString%5D%5B0%5D=0&_csrf=${encodeURIComponent(_csrf)}`,
      );
    expect(res.status).toBe(422);
    expect(res.text).toContain('href="#field-organisationName"');
    expect(res.text).toContain('value="p2@test.patto"');
  });

  it('refuses a second invitation to an address already waiting, and one that has an account', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const body = {
      email: 'Sent.Twice@test.patto',
      role: 'local_authority',
      organisationName: 'Comune di Certaldo',
      territoryCode: '048012',
    };
    expect((await invite(agent, body)).status).toBe(201);
    // The same form sent again (a refresh, a double click): nothing more is created.
    const again = await invite(agent, body);
    expect(again.status).toBe(409);
    expect(again.text).toMatch(
      /Un invito a questo indirizzo è già in attesa \(scade (il \d{1,2}º?|l&#x27;(8|11)) \w+ \d{4}\): revocalo/,
    );
    expect(again.text).toContain('value="sent.twice@test.patto"');
    const organisations = await t.db
      .selectFrom('organisations')
      .select('id')
      .where('name', '=', 'Comune di Certaldo')
      .execute();
    expect(organisations).toHaveLength(1);
    // Revoked, the address may be invited again.
    const { id } = await t.db
      .selectFrom('invitations')
      .select('id')
      .where('email', '=', 'sent.twice@test.patto')
      .executeTakeFirstOrThrow();
    await submitForm(agent, '/invitations', {}, `/invitations/${id}/revoke`);
    expect((await invite(agent, body)).status).toBe(201);
    // An address with an account: said to the inviter, not as to someone registering.
    const taken = await invite(agent, { ...body, email: region.email });
    expect(taken.status).toBe(409);
    expect(taken.text).toContain('Questo indirizzo ha già un account in Patto');
    expect(taken.text).not.toContain('Accedi, oppure');
  });

  it('waits for an invitation to the same address being created at the same moment, then refuses', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const input = {
      email: 'together@test.patto',
      role: 'local_authority' as const,
      partnerType: null,
      organisationName: 'Comune di Gambassi Terme',
      territoryCode: '048020',
    };
    // Another request is creating one: it holds the address's lock until it commits.
    const other = await t.pool.connect();
    let second: Promise<unknown>;
    try {
      await other.query('BEGIN');
      await other.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
        `invitation:${input.email}`,
      ]);
      second = createInvitation(t.db, region, input).then(
        () => 'created',
        (err: Error) => err.message,
      );
      await new Promise((r) => setTimeout(r, 300));
      await other.query(
        `INSERT INTO invitations (organisation_id, email, token_hash, created_by, expires_at)
         VALUES ($1, $2, 'concurrent', $3, now() + interval '7 days')`,
        [region.organisationId, input.email, region.id],
      );
      await other.query('COMMIT');
    } finally {
      other.release();
    }
    expect(await second).toBe('invitations.errors.alreadyInvited');
  });

  it('answers a second revocation (double click, stale tab) with a message on the list, not a 409 page', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    await invite(agent, {
      email: 'twice@test.patto',
      role: 'local_authority',
      organisationName: 'Comune di Vinci',
      territoryCode: '048050',
    });
    const { id } = await t.db
      .selectFrom('invitations')
      .select('id')
      .where('email', '=', 'twice@test.patto')
      .executeTakeFirstOrThrow();
    const first = await submitForm(agent, '/invitations', {}, `/invitations/${id}/revoke`);
    expect(first.status).toBe(302);
    expect((await agent.get('/invitations')).text).toContain('Invito revocato.');
    const second = await submitForm(agent, '/invitations', {}, `/invitations/${id}/revoke`);
    expect(second.status).toBe(302);
    expect(second.headers.location).toBe('/invitations');
    const list = await agent.get('/invitations');
    expect(list.text).toContain('L&#x27;invito non è più in attesa.');
    const row = await t.db
      .selectFrom('invitations')
      .select('revoked_at')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.revoked_at).not.toBeNull();
  });

  it('asks before revoking an invitation, which cannot be undone', async () => {
    const admin = await newUser(t.db, { role: 'admin' });
    const region = await newUser(t.db, { role: 'region', territory: 'ITC4' });
    const agent = await loginAs(testApp(t), admin.email, PASSWORD);
    await invite(agent, {
      email: 'ask@test.patto',
      role: 'local_authority',
      organisationName: 'Comune di Empoli',
      territoryCode: '048014',
    });
    const { id } = await t.db
      .selectFrom('invitations')
      .select('id')
      .where('email', '=', 'ask@test.patto')
      .executeTakeFirstOrThrow();
    const path = `/invitations/${id}/revoke`;
    const list = await agent.get('/invitations');
    // The organisation's territory is named, not a bare code.
    expect(list.text).toContain('Comune di Empoli · Empoli (048014)');
    expect(list.text).not.toContain('Comune di Empoli (048014)');
    expect(list.text).not.toContain(`action="${path}"`);
    expect(list.text).toContain(`href="${path}"`);
    const confirm = await agent.get(path);
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain('ask@test.patto');
    expect(confirm.text).toContain('Comune di Empoli');
    expect(confirm.text).toContain('non si può annullare');
    expect(confirm.text).toContain(`action="${path}"`);
    // Another region's invitation is not found.
    const lombardy = await loginAs(testApp(t), region.email, PASSWORD);
    expect((await lombardy.get(path)).status).toBe(404);
    expect((await submitForm(agent, path, {})).status).toBe(302);
    const again = await agent.get(path);
    expect(again.status).toBe(302);
    expect(again.headers.location).toBe('/invitations');
  });

  it('answers 404 for a link that does not exist', async () => {
    const res = await request(testApp(t)).get('/invite/inv_' + 'A'.repeat(43));
    expect(res.status).toBe(404);
  });
});
