import type { Express } from 'express';
import request from 'supertest';
import { createApiToken } from '../../src/modules/accounts/tokens.service';
import { loginAs, testApp } from '../helpers/app';
import { newUser } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { newCampaign } from '../needs/factories';
import { newPact } from './factories';
import { pactScenario, type PactScenario } from './scenario';
import { pageText } from '../helpers/html';

let t: TestDb;
let app: Express;
let s: PactScenario;
const ids = {} as Record<'province' | 'comune' | 'otherCampaign', string>;

beforeAll(async () => {
  t = await newTestDb();
  app = testApp(t);
  s = await pactScenario(t.db);
  const other = await newCampaign(t.db, { territory: 'ITI1' });
  ids.province = (
    await newPact(t.db, { promoter: s.authority, campaign: s.campaign.id, title: 'Provincia' })
  ).id;
  ids.comune = (
    await newPact(t.db, {
      promoter: s.authority,
      campaign: s.campaign.id,
      territory: '048017',
      title: 'Comune di Firenze',
    })
  ).id;
  ids.otherCampaign = (
    await newPact(t.db, { promoter: s.authority, campaign: other.id, title: 'Altra campagna' })
  ).id;
});
afterAll(() => t.close());

const listed = (html: string) =>
  Object.entries(ids)
    .filter(([, id]) => html.includes(`/pacts/${id}`))
    .map(([k]) => k)
    .sort();

describe('GET /pacts filtered by territory and campaign', () => {
  it('lists the pacts of a territory and below, named in a heading', async () => {
    const agent = await loginAs(app, s.authority.email, s.password);
    const res = await agent.get('/pacts?territory=048017');
    expect(res.status).toBe(200);
    expect(listed(res.text)).toEqual(['comune']);
    expect(res.text).toMatch(/id="territory-filter">Patti di Firenze \(048017\)/);
    // The status filter keeps the territory.
    expect(res.text).toContain('<input type="hidden" name="territory" value="048017">');
    expect(listed((await agent.get('/pacts?territory=ITI14')).text)).toEqual([
      'comune',
      'otherCampaign',
      'province',
    ]);
  });

  it('narrows to one campaign, as the dashboard links do', async () => {
    const agent = await loginAs(app, s.authority.email, s.password);
    const res = await agent.get(`/pacts?campaign=${s.campaign.id}&territory=ITI14`);
    expect(listed(res.text)).toEqual(['comune', 'province']);
  });

  it('keeps the filters when the language link adds ?lang=', async () => {
    const agent = await loginAs(app, s.authority.email, s.password);
    const res = await agent.get('/pacts?territory=048017&status=draft&lang=en');
    expect(res.status).toBe(200);
    expect(listed(res.text)).toEqual(['comune']);
    expect(res.text).toContain('<option value="draft" selected>Draft</option>');
  });

  it('says the filter found nothing, not that there are no pacts yet', async () => {
    const agent = await loginAs(app, s.authority.email, s.password);
    const res = await agent.get('/pacts?status=closed&lang=it');
    expect(listed(res.text)).toEqual([]);
    expect(res.text).toContain('<p>Nessun patto corrisponde al filtro scelto.</p>');
    expect(res.text).not.toContain('Nessun patto ancora.');
    const en = await agent.get('/pacts?status=closed&lang=en');
    expect(en.text).toContain('<p>No pact matches the chosen filter.</p>');
    await agent.get('/pacts?lang=it');
  });

  it("names each pact's territory in the reader's language", async () => {
    const agent = await loginAs(app, s.authority.email, s.password);
    const row = (html: string) =>
      pageText(html.match(new RegExp(`/pacts/${ids.province}[\\s\\S]*?</tr>`))![0]);
    expect(row((await agent.get('/pacts?lang=en')).text)).toContain('Florence (ITI14)');
    expect(row((await agent.get('/pacts?lang=it')).text)).toContain('Firenze (ITI14)');
  });

  it('shows the whole list for a malformed filter instead of an error', async () => {
    const agent = await loginAs(app, s.authority.email, s.password);
    const res = await agent.get('/pacts?territory=<script>');
    expect(res.status).toBe(200);
    expect(listed(res.text)).toEqual(['comune', 'otherCampaign', 'province']);
    expect(res.text).not.toContain('<script>');
  });

  it('filters listPacts the same way', async () => {
    const { token } = await createApiToken(t.db, s.authority.id, 'test');
    const res = await request(app)
      .get(`/api/v1/pacts?territory=048017&campaign=${s.campaign.id}`)
      .set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(res.body.map((p: { id: string }) => p.id)).toEqual([ids.comune]);
  });
});

describe('GET /pacts headings, by who reads', () => {
  const headings = (html: string) =>
    [...html.matchAll(/<h2 class="h4[^"]*">([^<]*)<\/h2>/g)].map((m) => m[1]);

  it('shows a partner only the pacts it is invited to, saying so when there are none', async () => {
    const partner = await newUser(t.db, {
      role: 'social_partner',
      partnerType: 'trade_union',
      territory: 'ITI14',
    });
    const res = await (await loginAs(app, partner.email, s.password)).get('/pacts');
    expect(res.status).toBe(200);
    // The organisation is invited, not the person: 'Patti a cui sono invitato' also spoke to
    // every reader in the masculine.
    expect(headings(res.text)).toEqual(['Patti a cui è invitata la mia organizzazione']);
    expect(res.text).not.toContain('Promossi dalla mia organizzazione');
    const en = await (await loginAs(app, partner.email, s.password)).get('/pacts?lang=en');
    expect(headings(en.text)).toEqual(['Pacts my organisation is invited to']);
    expect(res.text).toContain('Quando un ente locale inviterà la tua organizzazione a un patto');
  });

  it("shows a partner where its organisation's signature stands on each pact", async () => {
    const partner = await newUser(t.db, {
      role: 'social_partner',
      partnerType: 'trade_union',
      territory: 'ITI14',
    });
    const seed = (title: string) =>
      newPact(t.db, {
        promoter: s.authority,
        campaign: s.campaign.id,
        title,
        status: 'negotiation',
        signatories: [partner.organisationId],
      });
    const signed = await seed('Firmato');
    const unsigned = await seed('Da firmare');
    const superseded = await seed('Firma superata');
    const sign = (pactId: string) =>
      t.db
        .insertInto('pact_signatures')
        .values({
          pact_id: pactId,
          organisation_id: partner.organisationId,
          revision: 1,
          revision_hash: '0'.repeat(64),
          signed_by: partner.id,
        })
        .execute();
    await sign(signed.id);
    await sign(superseded.id);
    await t.db.updateTable('pacts').set({ revision: 2 }).where('id', '=', superseded.id).execute();
    const agent = await loginAs(app, partner.email, s.password);
    const res = await agent.get('/pacts');
    const row = (id: string) => res.text.match(new RegExp(`/pacts/${id}"[\\s\\S]*?</tr>`))![0];
    expect(res.text).toContain('<th scope="col">Firma della tua organizzazione</th>');
    expect(row(signed.id)).toContain('<td>Firmata (revisione 1)</td>');
    expect(row(unsigned.id)).toContain(
      `<a href="/pacts/${unsigned.id}/negotiation">Non ancora firmata (revisione 1)</a>`,
    );
    expect(row(superseded.id)).toContain('Non ancora firmata (revisione 2)');
    const en = await agent.get('/pacts?lang=en');
    expect(en.text).toContain('Signed (revision 1)');
  });

  it("shows the admin every pact under 'Tutti i patti', not as invited", async () => {
    const admin = await newUser(t.db, { role: 'admin' });
    const res = await (await loginAs(app, admin.email, s.password)).get('/pacts');
    expect(headings(res.text)).toEqual(['Tutti i patti']);
    expect(listed(res.text)).toEqual(['comune', 'otherCampaign', 'province']);
  });

  it('keeps both lists for the local authority that promotes pacts', async () => {
    const res = await (await loginAs(app, s.authority.email, s.password)).get('/pacts');
    expect(headings(res.text)).toEqual([
      'Promossi dalla mia organizzazione',
      'Patti a cui è invitata la mia organizzazione',
    ]);
  });
});
