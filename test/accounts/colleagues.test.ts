import type { Express } from 'express';
import request from 'supertest';
import { inviteColleague } from '../../src/modules/accounts/invitations.service';
import { loginAs, submitForm, testApp, type Agent } from '../helpers/app';
import { newUser, PASSWORD } from '../helpers/factories';
import { newColleague } from '../notifications/helpers';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { decodeEntities } from '../helpers/html';

let t: TestDb;
let app: Express;

beforeAll(async () => {
  t = await newTestDb();
  app = testApp(t);
});
afterAll(() => t.close());

const PAGE = '/account/organisation';
const invite = (agent: Agent, email: string) =>
  submitForm(agent, PAGE, { email }, `${PAGE}/invitations`);
const invitationCount = async () =>
  Number(
    (
      await t.db
        .selectFrom('invitations')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('colleagues', () => {
  it('joins the organisation of whoever invited them, with its role', async () => {
    const union = await newUser(t.db, {
      role: 'social_partner',
      partnerType: 'trade_union',
      organisation: 'CISL Prato',
    });
    const agent = await loginAs(app, union.email, PASSWORD);
    const res = await invite(agent, 'Segreteria@CISL-prato.test');
    expect(res.status).toBe(201);
    expect(decodeEntities(res.text)).toContain('href="/account/organisation"');
    const path = new URL(/id="invitation-link">([^<]+)</.exec(res.text)![1]!).pathname;

    const pending = decodeEntities((await agent.get(PAGE)).text);
    expect(pending).toContain('segreteria@cisl-prato.test');
    expect(pending).toContain(union.fullName); // invited by

    const colleague = request.agent(app);
    expect(decodeEntities((await colleague.get(path)).text)).toContain('CISL Prato');
    const accepted = await submitForm(colleague, path, {
      fullName: 'Elena Bardi',
      password: 'segreteria password lunga',
      passwordConfirm: 'segreteria password lunga',
    });
    expect(accepted.status).toBe(302);

    const row = await t.db
      .selectFrom('users')
      .innerJoin('organisations', 'organisations.id', 'users.organisation_id')
      .select(['users.organisation_id', 'organisations.kind', 'organisations.partner_type'])
      .where('users.email', '=', 'segreteria@cisl-prato.test')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      organisation_id: union.organisationId,
      kind: 'social_partner',
      partner_type: 'trade_union',
    });
    const members = decodeEntities((await colleague.get(PAGE)).text);
    expect(members).toContain(union.email);
    expect(members).toContain('Elena Bardi (tu)');
    expect(members).toContain('Nessun invito in attesa.');
  });

  it('refuses a bad address, one with an account, one already invited; writes nothing', async () => {
    const firm = await newUser(t.db);
    const other = await newUser(t.db);
    const agent = await loginAs(app, firm.email, PASSWORD);
    const before = await invitationCount();

    const bad = await invite(agent, 'not-an-address');
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('value="not-an-address"');
    const taken = await invite(agent, other.email);
    expect(taken.status).toBe(409);
    expect(taken.text).toContain(`value="${other.email}"`);
    expect(decodeEntities(taken.text)).toContain('Questo indirizzo ha già un account in Patto');
    // One's own address, or a colleague's, is someone already in the organisation.
    for (const email of [firm.email, (await newColleague(t.db, firm)).email]) {
      const member = await invite(agent, email);
      expect(member.status).toBe(409);
      expect(decodeEntities(member.text)).toContain(
        "Questo indirizzo è già di una persona della tua organizzazione: la trovi nell'elenco qui sopra",
      );
      expect(decodeEntities(member.text)).not.toContain('chiedilo all');
    }
    expect(await invitationCount()).toBe(before);

    expect((await invite(agent, 'socio@firm.test')).status).toBe(201);
    const twice = await invite(agent, 'socio@firm.test');
    expect(twice.status).toBe(409);
    expect(decodeEntities(twice.text)).toContain('Hai già invitato questo indirizzo');
    expect(await invitationCount()).toBe(before + 1);

    // Invited meanwhile by another organisation: one address, one waiting invitation.
    const another = await newUser(t.db);
    const elsewhere = await invite(await loginAs(app, another.email, PASSWORD), 'socio@firm.test');
    expect(elsewhere.status).toBe(409);
    expect(decodeEntities(elsewhere.text)).toContain("Un'altra organizzazione ha già invitato");
    expect(await invitationCount()).toBe(before + 1);
  });

  it('shows the same link again when the invite form is sent twice (a double click)', async () => {
    const union = await newUser(t.db, { role: 'social_partner', partnerType: 'trade_union' });
    const agent = await loginAs(app, union.email, PASSWORD);
    const page = (await agent.get(PAGE)).text;
    const hidden = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(page)?.[1];
    expect(hidden('_formKey')).toMatch(/^[0-9a-f-]{36}$/);
    const body = {
      email: 'delegata@union.test',
      _csrf: hidden('_csrf')!,
      _formKey: hidden('_formKey')!,
    };
    // The path: each request of the test agent comes to another port.
    const linkOf = (html: string) =>
      /id="invitation-link">https?:\/\/[^/]+([^<]+)</.exec(html)?.[1];
    const post = () => agent.post(`${PAGE}/invitations`).type('form').send(body);
    const first = await post();
    const second = await post();
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(linkOf(first.text)).toMatch(/\/invite\/inv_/);
    expect(linkOf(second.text)).toBe(linkOf(first.text));
    const [a, b] = await Promise.all([post(), post()]);
    expect([a.status, b.status, linkOf(a.text), linkOf(b.text)]).toEqual([
      201,
      201,
      linkOf(first.text),
      linkOf(first.text),
    ]);
    const rows = await t.db
      .selectFrom('invitations')
      .select(['id', 'revoked_at'])
      .where('email', '=', 'delegata@union.test')
      .execute();
    expect(rows).toHaveLength(1);
    // The link works: it is the invitation's.
    const path = linkOf(first.text)!;
    expect((await request(app).get(path)).status).toBe(200);

    // Revoked, then the same form sent again (the back button): a new invitation, a new link;
    // the revoked one stays dead.
    await submitForm(agent, `${PAGE}/invitations/${rows[0]!.id}/revoke`, {});
    const renewed = await post();
    expect(renewed.status).toBe(201);
    expect(linkOf(renewed.text)).not.toBe(linkOf(first.text));
    expect((await request(app).get(path)).status).toBe(410);
    const renewedPath = linkOf(renewed.text)!;
    expect((await request(app).get(renewedPath)).status).toBe(200);
    // A new form is a new key: the address now waiting is refused, said so.
    const fresh = await invite(agent, 'delegata@union.test');
    expect(fresh.status).toBe(409);
    expect(decodeEntities(fresh.text)).toContain('Hai già invitato questo indirizzo');
  });

  it('keeps at most 20 invitations pending', async () => {
    const region = await newUser(t.db, { role: 'region' });
    for (let i = 0; i < 20; i++) await inviteColleague(t.db, region, `ufficio${i}@regione.test`);
    const agent = await loginAs(app, region.email, PASSWORD);
    const res = await invite(agent, 'ufficio20@regione.test');
    expect(res.status).toBe(422);
    expect(decodeEntities(res.text)).toContain('Ci sono già 20 inviti in attesa');
  });

  it('lets the organisation revoke its invitation, and nobody else', async () => {
    const authority = await newUser(t.db, { role: 'local_authority' });
    const stranger = await newUser(t.db, { role: 'local_authority' });
    const { invitation, token } = await inviteColleague(t.db, authority, 'tecnico@comune.test');

    const strangerAgent = await loginAs(app, stranger.email, PASSWORD);
    const revokePath = `${PAGE}/invitations/${invitation.id}/revoke`;
    expect((await strangerAgent.get(revokePath)).status).toBe(404);
    expect((await strangerAgent.get(PAGE)).text).not.toContain('tecnico@comune.test');

    const agent = await loginAs(app, authority.email, PASSWORD);
    const confirm = await agent.get(revokePath);
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain('tecnico@comune.test');
    const res = await submitForm(agent, revokePath, {});
    expect(res.status).toBe(302);
    expect((await request(app).get(`/invite/${token}`)).status).toBe(410);
  });
});

describe('GET /account/organisation', () => {
  it('names a firm whose name ends with a full stop without doubling it ("S.r.l..")', async () => {
    const firm = await newUser(t.db, { role: 'firm', organisation: 'Torneria Pratese S.r.l.' });
    const agent = await loginAs(app, firm.email, PASSWORD);
    const italian = decodeEntities((await agent.get(PAGE)).text);
    expect(italian).toContain('Le persone che usano Patto per Torneria Pratese S.r.l.: ognuna');
    expect(italian).not.toContain('S.r.l..');
    const en = decodeEntities((await agent.get(`${PAGE}?lang=en`)).text);
    expect(en).toContain('The people who use Patto for Torneria Pratese S.r.l.: each');
    expect(en).not.toContain('S.r.l..');
  });
});
