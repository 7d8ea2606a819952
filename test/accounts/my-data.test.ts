import request from 'supertest';
import { createApiToken } from '../../src/modules/accounts/tokens.service';
import { loginAs, testApp } from '../helpers/app';
import { newUser, PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { newCampaign, submitVersion } from '../needs/factories';
import { newFirmUser } from '../survey/helpers';
import { newPact } from '../pacts/factories';

let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
});
afterAll(() => t.close());

const line = {
  skill: 0,
  occupation: 0,
  eqf: 4,
  workers: 7,
  priority: 'high',
  period: '2027-Q1',
} as const;

describe("a person's own data, as a file", () => {
  it('holds their account, tokens and answers, never a secret nor anyone else', async () => {
    const app = testApp(t);
    const campaign = await newCampaign(t.db);
    const firmUser = await newFirmUser(t.db);
    await createApiToken(t.db, firmUser.id, 'gestionale');
    await submitVersion(t.db, campaign.id, firmUser.organisationId, firmUser.id, {
      territory: '048017',
      sector: 0,
      employees: 30,
      lines: [line],
    });
    // Another firm's answer, sent by the region: in the region's file (which firm, when), not
    // in this firm's, and without its need lines.
    const other = await newFirmUser(t.db);
    await submitVersion(t.db, campaign.id, other.organisationId, campaign.region.id, {
      territory: '048017',
      sector: 1,
      employees: 5,
      lines: [{ ...line, workers: 99 }],
    });

    const agent = await loginAs(app, firmUser.email, PASSWORD);
    const res = await agent.get('/account/data.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['content-disposition']).toMatch(
      /attachment; filename="?patto-my-data-\d{4}-\d{2}-\d{2}\.json/,
    );
    expect(res.headers['cache-control']).toBe('no-store');
    const data = JSON.parse(res.text);
    expect(data.account).toMatchObject({ email: firmUser.email, full_name: firmUser.fullName });
    expect(data.api_tokens.map((x: { name: string }) => x.name)).toEqual(['gestionale']);
    // When each key stops working is part of what is kept about it.
    expect(Object.keys(data.api_tokens[0]).sort()).toEqual([
      'created_at',
      'expires_at',
      'last_used_at',
      'name',
      'revoked_at',
    ]);
    expect(data.firm_profile).toMatchObject({
      legal_name: 'Meccanica Test S.r.l.',
      contact_name: 'Giulia Conti',
      contact_phone: '+39 0571 123456',
    });
    expect(data.survey_answers_sent).toHaveLength(1);
    expect(data.survey_answers_sent[0]).toMatchObject({
      survey: expect.stringMatching(/^Campaign /),
      version: 1,
    });
    expect(data.survey_answers_sent[0].needs).toEqual([
      expect.objectContaining({ skill_code: 'F40.a', workers: 7, priority: 'high' }),
    ]);
    expect(res.text).not.toMatch(/password_hash|token_hash|\$argon2|pat_/);
    expect(res.text).not.toContain(other.email);

    const region = await loginAs(app, campaign.region.email, PASSWORD);
    const regional = JSON.parse((await region.get('/account/data.json')).text);
    expect(regional.firm_profile).toBeUndefined();
    expect(regional.survey_answers_sent).toHaveLength(1);
    expect(regional.survey_answers_sent[0]).not.toHaveProperty('needs');
    expect(JSON.stringify(regional)).not.toContain(firmUser.email);
  });

  it('is linked from the profile page, and asks an anonymous visitor to sign in', async () => {
    const app = testApp(t);
    const user = await newUser(t.db, { role: 'social_partner' });
    const page = await (await loginAs(app, user.email, PASSWORD)).get('/account/profile');
    expect(page.text).toContain('href="/account/data.json"');
    const anonymous = await request(app).get('/account/data.json');
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.location).toMatch(/^\/login/);
  });
});

describe("a pact's promoter's own data", () => {
  it('lists their comments and their acts on pacts', async () => {
    const app = testApp(t);
    const authority = await newUser(t.db, { role: 'local_authority', territory: 'ITI14' });
    const pact = await newPact(t.db, { promoter: authority, title: 'Patto dei dati' });
    await t.db
      .insertInto('pact_comments')
      .values({
        pact_id: pact.id,
        revision: 1,
        author_id: authority.id,
        organisation_id: authority.organisationId,
        body: 'Un commento mio',
      })
      .execute();
    const agent = await loginAs(app, authority.email, PASSWORD);
    const data = JSON.parse((await agent.get('/account/data.json')).text);
    expect(data.pact_comments).toEqual([
      expect.objectContaining({ pact: 'Patto dei dati', body: 'Un commento mio', revision: 1 }),
    ]);
    expect(data.pact_acts).toContainEqual(
      expect.objectContaining({ pact: 'Patto dei dati', event: 'created' }),
    );
  });
});
