import request from 'supertest';
import type { Express } from 'express';
import { loginAs, testApp } from '../helpers/app';
import { newUser, PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { newCampaign } from '../needs/factories';
import { newPact } from '../pacts/factories';
import type { PactStatus } from '../../src/modules/pacts/pact-workflow';
import { answer, need, newFirm, newFirmUser } from './scenario';
import { pageText } from '../helpers/html';

let t: TestDb;
let app: Express;

beforeAll(async () => {
  t = await newTestDb();
  app = testApp(t);
});
afterAll(() => t.close());

/** The "covered by" cell of each need line on the page, by skill code. */
function coverage(html: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of html.matchAll(/<tr data-line="\d+" data-skill="([^"]+)">(.*?)<\/tr>/gs))
    out.set(m[1]!, m[2]!);
  return out;
}

describe('GET /my-needs', () => {
  it('shows for each need line the funded action covering it, or "not covered yet"', async () => {
    const campaign = await newCampaign(t.db, { territory: 'ITI1' });
    const firm = await newFirmUser(t.db, '048014'); // Empoli, province of Firenze (ITI14)
    // F40.a, F40.b, DC1.1, DC2.1, DC3.1
    await answer(t.db, campaign.id, firm.organisationId, firm.id, '048014', [
      need(0),
      need(1),
      need(2),
      need(3),
      need(4),
    ]);
    const florence = await newUser(t.db, { role: 'local_authority', territory: 'ITI14' });
    const prato = await newUser(t.db, { role: 'local_authority', territory: 'ITI15' });
    const tuscany = await newUser(t.db, { role: 'local_authority', territory: 'ITI1' });
    const pact = (
      promoter: typeof florence,
      status: PactStatus,
      skill: string,
      title: string,
      extra: { campaign?: string; territory?: string } = {},
    ) =>
      newPact(t.db, {
        promoter,
        status,
        campaign: extra.campaign ?? campaign.id,
        territory: extra.territory,
        title,
        actions: [
          {
            title: `Corso ${skill}`,
            skills: [skill],
            period: '2027-Q3',
            modality: 'blended',
          },
        ],
      });
    await pact(florence, 'approved', 'F40.a', 'Patto della provincia');
    await pact(tuscany, 'in_progress', 'F40.b', 'Patto regionale');
    await pact(prato, 'approved', 'DC1.1', 'Patto di Prato');
    for (const status of ['withdrawn', 'rejected', 'draft', 'submitted', 'returned'] as const)
      await pact(florence, status, 'DC2.1', `Patto ${status}`);
    await pact(florence, 'approved', 'DC2.1', 'Patto di Firenze città', { territory: '048017' });
    const other = await newCampaign(t.db, { territory: 'ITI1' });
    await pact(florence, 'closed', 'DC3.1', 'Patto di un’altra campagna', { campaign: other.id });
    // An action cut to zero by a partial approval funds nothing.
    const cut = await pact(florence, 'approved', 'DC3.1', 'Patto ridotto');
    await t.db
      .updateTable('pact_actions')
      .set({ approved_cents: 0 })
      .where('pact_id', '=', cut.id)
      .execute();

    const agent = await loginAs(app, firm.email, PASSWORD);
    const res = await agent.get('/my-needs?lang=en');
    expect(res.status).toBe(200);
    const rows = coverage(res.text);
    expect([...rows.keys()].sort()).toEqual(['DC1.1', 'DC2.1', 'DC3.1', 'F40.a', 'F40.b']);
    expect(rows.get('F40.a')).toContain('Patto della provincia');
    expect(rows.get('F40.a')).toContain('Corso F40.a: 2027-Q3, Blended');
    expect(rows.get('F40.a')).toContain('(Approved)');
    expect(rows.get('F40.b')).toContain('Patto regionale');
    expect(rows.get('F40.b')).toContain('(In progress)');
    for (const skill of ['DC1.1', 'DC2.1', 'DC3.1']) {
      expect(rows.get(skill)).toContain('Not covered yet');
      expect(rows.get(skill)).not.toContain('data-covered="true"');
    }
    expect(res.text).toContain('2 needs out of 5 are covered by a funded action.');
    expect((await agent.get('/my-needs?lang=it')).text).toContain(
      '2 fabbisogni su 5 sono coperti da un&#x27;azione finanziata.',
    );
    expect(res.text).not.toMatch(/impact\.|survey\.modalities|pacts\.status/);
    const it = await agent.get('/my-needs?lang=it');
    expect(it.text).toContain('Non ancora coperto');
    expect(it.text).not.toMatch(/impact\.|survey\.modalities|pacts\.status/);
    // A firm answers "indagini" ("surveys") everywhere else: this page alone said "campagna".
    const words = (html: string) => pageText(/<main[\s\S]*<\/main>/.exec(html)?.[0] ?? '');
    expect(words(it.text)).not.toMatch(/campagn/i);
    expect(words(it.text)).toContain('la tua ultima risposta valida a ciascuna indagine');
    expect(words(res.text)).toContain('your latest valid answer to each survey');
    expect(words(res.text)).toContain('for the same survey,');
  });

  it('says "1 fabbisogno … è coperto", singular, for a single covered need', async () => {
    const campaign = await newCampaign(t.db, { territory: 'ITI1' });
    const firm = await newFirmUser(t.db, '048014');
    await answer(t.db, campaign.id, firm.organisationId, firm.id, '048014', [need(0)]);
    const promoter = await newUser(t.db, { role: 'local_authority', territory: 'ITI14' });
    await newPact(t.db, {
      promoter,
      status: 'approved',
      campaign: campaign.id,
      title: 'Patto per i dati',
      actions: [{ title: 'Corso dati', skills: ['F40.a'], period: '2027-Q3', modality: 'blended' }],
    });
    const agent = await loginAs(app, firm.email, PASSWORD);
    expect((await agent.get('/my-needs?lang=it')).text).toContain(
      '1 fabbisogno su 1 è coperto da un&#x27;azione finanziata.',
    );
    expect((await agent.get('/my-needs?lang=en')).text).toContain(
      '1 need out of 1 is covered by a funded action.',
    );
  });

  it('shows only the latest valid answer of the firm itself, never another firm’s needs', async () => {
    const campaign = await newCampaign(t.db, { territory: 'ITI1' });
    const firm = await newFirmUser(t.db, '048014');
    await answer(t.db, campaign.id, firm.organisationId, firm.id, '048014', [need(3)]);
    await answer(t.db, campaign.id, firm.organisationId, firm.id, '048014', [need(0), need(1)]);
    const neighbour = await newFirm(t.db, '048014');
    await answer(t.db, campaign.id, neighbour, firm.id, '048014', [need(2, 77)]);
    const agent = await loginAs(app, firm.email, PASSWORD);
    const res = await agent.get('/my-needs?lang=en');
    expect(res.status).toBe(200);
    expect([...coverage(res.text).keys()].sort()).toEqual(['F40.a', 'F40.b']);
    expect(res.text).toContain('Answer version 2');
    expect(res.text).not.toContain('DC1.1');
    expect(res.text).not.toContain('DC2.1');
  });

  it('is for firms only, linked from the firm’s home', async () => {
    const firm = await newFirmUser(t.db);
    const agent = await loginAs(app, firm.email, PASSWORD);
    expect((await agent.get('/')).text).toContain('href="/my-needs"');
    const empty = await agent.get('/my-needs?lang=en');
    expect(empty.text).toContain('You have no submitted answer with training needs yet.');
    const authority = await newUser(t.db, { role: 'local_authority' });
    const other = await loginAs(app, authority.email, PASSWORD);
    expect((await other.get('/my-needs')).status).toBe(403);
    const anonymous = await request(app).get('/my-needs');
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.location).toMatch(/^\/login/);
  });
});
