import { loginAs, testApp } from '../helpers/app';
import { PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { transitionCampaign } from '../../src/modules/survey/campaigns.service';
import { postStep, reachNeeds } from './flow';
import { needLine, needsBody, newCampaign, newFirmUser, quarterAhead } from './helpers';
import { decodeEntities } from '../helpers/html';

let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
});
afterAll(() => t.close());

const draftOf = (campaignId: string, firmId: string) =>
  t.db
    .selectFrom('response_drafts')
    .selectAll()
    .where('campaign_id', '=', campaignId)
    .where('firm_id', '=', firmId)
    .executeTakeFirstOrThrow();

describe('POST /survey/:campaignId/step/3 refuses bad need lines', () => {
  it.each([
    [
      'workers above the employees',
      { workers: '41' },
      'workers',
      'non possono superare gli addetti dell&#x27;impresa (40)',
    ],
    ['zero workers', { workers: '0' }, 'workers', 'Il valore minimo è 1'],
    ['negative workers', { workers: '-3' }, 'workers', 'Il valore minimo è 1'],
    ['fractional workers', { workers: '2.5' }, 'workers', 'numero intero'],
    ['an absurd number', { workers: '1e9' }, 'workers', 'numero intero'],
    ['text for a number', { workers: 'tanti' }, 'workers', 'numero intero'],
    ['a huge number', { workers: '99999999999' }, 'workers', 'Il valore massimo è 100.000'],
    [
      'a skill outside the campaign',
      { skill: 'DC3.1' },
      'skill',
      'tra quelle proposte da questa indagine',
    ],
    ['an EQF level of 9', { eqf: '9' }, 'eqf', 'Il valore massimo è 8'],
    // The occupation is a list: left on "— Scegli —" it is missing, not "2 digits, e.g. 72".
    ['no occupation chosen', { occupation: '' }, 'occupation', 'Campo obbligatorio'],
    ['a period too far ahead', { period: quarterAhead(12) }, 'period', 'Scegli un trimestre tra'],
    ['an unknown priority', { priority: 'urgent' }, 'priority', 'Scegli uno dei valori proposti'],
    ['a note over 500 characters', { note: 'x'.repeat(501) }, 'note', 'al massimo 500'],
  ])(
    '%s: 422, the message next to the field, the input kept, nothing submitted',
    async (_w, change, field, message) => {
      const { id } = await newCampaign(t.db);
      const firm = await newFirmUser(t.db, 40);
      const agent = await loginAs(testApp(t), firm.email, PASSWORD);
      await reachNeeds(agent, t.db, id, firm.organisationId);
      const res = await postStep(agent, `/survey/${id}/step/3`, {
        action: 'next',
        ...needsBody([needLine(), needLine({ skill: 'DC1.2', ...change })]),
      });
      expect(res.status).toBe(422);
      expect(res.text).toContain(`href="#field-needs.1.${field}"`);
      expect(res.text).toContain(message);
      // A screen reader hears the field is wrong, and why, on reaching it.
      const tag = new RegExp(
        `<(?:input|select|textarea)\\b[^>]*id="field-needs\\.1\\.${field}"[^>]*>`,
      ).exec(res.text)![0];
      expect(tag).toContain('aria-invalid="true"');
      expect(tag).toContain(`aria-describedby="error-field-needs.1.${field}"`);
      const typed = Object.values(change)[0]!;
      // What the user typed is on the page again (a select can only show its own options).
      if (field === 'workers') expect(res.text).toContain(`value="${typed}"`);
      // Saved as typed (nothing is lost), but the firm stays on this step and nothing is submitted.
      const draft = await draftOf(id, firm.organisationId);
      expect(draft.step).toBe(3);
      expect((draft.payload as { needs: Record<string, string>[] }).needs[1]![field]).toBe(typed);
      const n = await t.db
        .selectFrom('responses')
        .select('id')
        .where('campaign_id', '=', id)
        .execute();
      expect(n).toHaveLength(0);
    },
  );

  it('refuses duplicate lines (same skill, occupation and level)', async () => {
    const { id } = await newCampaign(t.db);
    const firm = await newFirmUser(t.db, 40);
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    await reachNeeds(agent, t.db, id, firm.organisationId);
    const res = await postStep(agent, `/survey/${id}/step/3`, {
      action: 'next',
      ...needsBody([needLine(), needLine({ priority: 'low', workers: '2' })]),
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Questa riga ripete la riga 1');
  });

  it('adds and removes lines without JavaScript, keeping what was typed', async () => {
    const { id } = await newCampaign(t.db);
    const firm = await newFirmUser(t.db, 40);
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    await reachNeeds(agent, t.db, id, firm.organisationId);
    const add = await postStep(agent, `/survey/${id}/step/3`, {
      action: 'add',
      ...needsBody([needLine({ workers: '7' })]),
    });
    expect(add.status).toBe(303);
    const page = await agent.get(`/survey/${id}/step/3`);
    expect(page.text).toContain('name="needs[1][skill]"');
    expect(page.text).toContain('value="7"');
    const remove = await postStep(agent, `/survey/${id}/step/3`, {
      action: 'remove:0',
      ...needsBody([needLine({ workers: '7' }), needLine({ skill: 'DC1.3', workers: '9' })]),
    });
    expect(remove.status).toBe(303);
    const after = await agent.get(`/survey/${id}/step/3`);
    expect(after.text).not.toContain('name="needs[1][skill]"');
    expect(after.text).toContain('value="9"');
    const draft = await draftOf(id, firm.organisationId);
    expect((draft.payload as { needs: { skill: string }[] }).needs.map((l) => l.skill)).toEqual([
      'DC1.3',
    ]);
  });

  it('keeps more than twenty lines in order (past the form parser array limit)', async () => {
    const { id } = await newCampaign(t.db, { areas: ['F40', 'DC1', 'DC2', 'DC3', 'DC4', 'DC5'] });
    const firm = await newFirmUser(t.db, 200);
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    await reachNeeds(agent, t.db, id, firm.organisationId);
    const skills = [
      'F40.a',
      'F40.b',
      'F40.c',
      'F40.d',
      'F40.e',
      'F40.f',
      'F40.g',
      'F40.h',
      'F40.i',
      'F40.l',
      'F40.m',
      'DC1.1',
      'DC1.2',
      'DC1.3',
      'DC2.1',
      'DC2.2',
      'DC2.3',
      'DC2.4',
      'DC2.5',
      'DC2.6',
      'DC3.1',
      'DC3.2',
      'DC3.3',
      'DC3.4',
      'DC4.1',
    ];
    const res = await postStep(agent, `/survey/${id}/step/3`, {
      action: 'next',
      ...needsBody(skills.map((skill, i) => needLine({ skill, workers: String(i + 1) }))),
    });
    expect(res.status).toBe(302);
    const draft = await draftOf(id, firm.organisationId);
    const needs = (draft.payload as { needs: { skill: string }[] }).needs;
    expect(needs.map((l) => l.skill)).toEqual(skills);
  });
});

describe('campaign windows', () => {
  it.each([
    ['closed', { open: true }, 'close'],
    ['not yet open', { opensAt: '2099-01-01', closesAt: '2099-02-01' }, null],
    ['past its closing day', null, null],
  ])('a %s campaign accepts no answer (409) and writes nothing', async (what, options, action) => {
    let campaignId: string;
    if (what === 'past its closing day') {
      const c = await newCampaign(t.db);
      await t.db
        .updateTable('campaigns')
        .set({ opens_at: '2020-01-01', closes_at: '2020-02-01' })
        .where('id', '=', c.id)
        .execute();
      campaignId = c.id;
    } else {
      const c = await newCampaign(t.db, options ?? {});
      if (action) {
        await transitionCampaign(t.db, c.region, c.id, 'close');
      }
      campaignId = c.id;
    }
    const firm = await newFirmUser(t.db);
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    const res = await agent.get(`/survey/${campaignId}/step/1`);
    expect(res.status).toBe(409);
    expect(res.text).toMatch(/indagine (è chiusa|non è ancora aperta)/);
    const drafts = await t.db
      .selectFrom('response_drafts')
      .select('firm_id')
      .where('campaign_id', '=', campaignId)
      .execute();
    expect(drafts).toHaveLength(0);
  });

  it('closed while the firm was typing: nothing is saved, and what it typed is shown back', async () => {
    const c = await newCampaign(t.db);
    const firm = await newFirmUser(t.db);
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    await reachNeeds(agent, t.db, c.id, firm.organisationId);
    const page = await agent.get(`/survey/${c.id}/step/3`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    const version = /name="version" value="(\d+)"/.exec(page.text)![1]!;
    const before = await draftOf(c.id, firm.organisationId);
    // The region closes the survey while the page is open.
    await transitionCampaign(t.db, c.region, c.id, 'close');
    const res = await agent
      .post(`/survey/${c.id}/step/3`)
      .type('form')
      .send({
        _csrf: csrf,
        version,
        action: 'next',
        ...needsBody([
          needLine({ workers: '7', note: 'Corso serale per i turnisti\ndel reparto B' }),
        ]),
      });
    expect(res.status).toBe(409);
    const text = decodeEntities(res.text);
    expect(text).toContain('Questa indagine è chiusa');
    expect(text).toContain('Quello che hai appena scritto non è stato salvato');
    expect(text).toContain('Fabbisogno n. 1 — ');
    expect(text).toContain('Corso serale per i turnisti\ndel reparto B');
    expect(text).toMatch(/<dd[^>]*>7<\/dd>/);
    expect(await draftOf(c.id, firm.organisationId)).toEqual(before);
  });

  it('a draft campaign or one outside the firm territory is not found', async () => {
    const draft = await newCampaign(t.db, { open: false });
    const elsewhere = await newCampaign(t.db, { territory: 'ITI17' }); // Pisa; the firm is in Empoli
    const firm = await newFirmUser(t.db);
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    expect((await agent.get(`/survey/${draft.id}`)).status).toBe(404);
    expect((await agent.get(`/survey/${elsewhere.id}`)).status).toBe(404);
    expect((await agent.get('/survey/not-a-uuid')).status).toBe(404);
  });
});
