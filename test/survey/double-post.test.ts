import { loginAs, testApp, type Agent } from '../helpers/app';
import { newUser, PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { romeToday } from '../../src/modules/survey/calendar';
import { addDays } from './helpers';

// A creation form posted twice (a double click, a refresh of the answer, two tabs) makes one
// draft: the form carries a one-time key (http/form-key). Surveys and funding calls alike.

let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
});
afterAll(() => t.close());

/** The hidden fields of the page's form, as a browser sends them back. */
async function hiddenFields(agent: Agent, path: string) {
  const page = await agent.get(path);
  const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(page.text)?.[1];
  return { _csrf: field('_csrf')!, _formKey: field('_formKey')!, text: page.text };
}

const forms = {
  survey: {
    path: '/campaigns',
    table: 'campaigns' as const,
    body: () => ({
      title: `Fabbisogni ${Math.random()}`,
      territoryCode: 'ITI1',
      opensAt: romeToday(),
      closesAt: addDays(romeToday(), 30),
      skillAreas: ['F40'],
      disclosureK: '3',
    }),
    invalid: { closesAt: '2020-01-01' },
    refusals: [
      "Solo un'indagine in bozza può essere aperta.",
      "Solo un'indagine aperta può essere chiusa.",
    ],
    // Refused by the service's rules, not the schema: the same key all the same.
    refused: { closesAt: addDays(romeToday(), -1), opensAt: addDays(romeToday(), -5) },
  },
  call: {
    path: '/calls',
    table: 'funding_calls' as const,
    body: () => ({
      title: `Avviso ${Math.random()}`,
      territoryCode: 'ITI1',
      deadline: addDays(romeToday(), 30),
      budget: '100000',
      courseHour: '100',
      participantHour: '5',
      cofinancingPercent: '0',
    }),
    invalid: { budget: 'tanti' },
    refusals: ['Si può aprire solo un avviso in bozza.', 'Si può chiudere solo un avviso aperto.'],
    refused: { deadline: '2020-01-01' },
  },
};

describe.each(Object.entries(forms))('the new %s form posted twice', (_name, form) => {
  const drafts = async (organisationId: string) =>
    (
      await t.db
        .selectFrom(form.table)
        .select('id')
        .where('organisation_id', '=', organisationId)
        .execute()
    ).map((r) => r.id);

  it('makes one draft; the second post leads to it', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const hidden = await hiddenFields(agent, `${form.path}/new`);
    expect(hidden._formKey).toMatch(/^[0-9a-f-]{36}$/);
    const body = { ...form.body(), _csrf: hidden._csrf, _formKey: hidden._formKey };
    const first = await agent.post(form.path).type('form').send(body);
    const second = await agent.post(form.path).type('form').send(body);
    expect(first.status).toBe(302);
    expect(second.status).toBe(302);
    expect(second.headers.location).toBe(first.headers.location);
    expect(await drafts(region.organisationId)).toEqual([
      String(first.headers.location).split('/')[2],
    ]);
    // A new form is a new key: a second draft on purpose is still possible.
    const again = await hiddenFields(agent, `${form.path}/new`);
    expect(again._formKey).not.toBe(hidden._formKey);
    await agent
      .post(form.path)
      .type('form')
      .send({ ...body, _csrf: again._csrf, _formKey: again._formKey });
    expect(await drafts(region.organisationId)).toHaveLength(2);
  });

  it('makes one draft from two posts at the same moment', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const hidden = await hiddenFields(agent, `${form.path}/new`);
    const body = { ...form.body(), _csrf: hidden._csrf, _formKey: hidden._formKey };
    const [a, b] = await Promise.all([
      agent.post(form.path).type('form').send(body),
      agent.post(form.path).type('form').send(body),
    ]);
    expect([a.status, b.status]).toEqual([302, 302]);
    expect(a.headers.location).toBe(b.headers.location);
    expect(await drafts(region.organisationId)).toHaveLength(1);
  });

  it('keeps the key on a refused form, so its corrected post is still one draft', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const hidden = await hiddenFields(agent, `${form.path}/new`);
    const body = { ...form.body(), _csrf: hidden._csrf, _formKey: hidden._formKey };
    const refused = await agent
      .post(form.path)
      .type('form')
      .send({ ...body, ...form.invalid });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain(`name="_formKey" value="${hidden._formKey}"`);
    const ruled = await agent
      .post(form.path)
      .type('form')
      .send({ ...body, ...form.refused });
    expect(ruled.status).toBe(422);
    expect(ruled.text).toContain(`name="_formKey" value="${hidden._formKey}"`);
    const ok = await agent.post(form.path).type('form').send(body);
    const twice = await agent.post(form.path).type('form').send(body);
    expect(twice.headers.location).toBe(ok.headers.location);
    expect(await drafts(region.organisationId)).toHaveLength(1);
  });

  it('makes a new draft when the one the form made was deleted', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const hidden = await hiddenFields(agent, `${form.path}/new`);
    const body = { ...form.body(), _csrf: hidden._csrf, _formKey: hidden._formKey };
    const first = await agent.post(form.path).type('form').send(body);
    const deleted = await agent
      .post(`${first.headers.location}/delete`)
      .type('form')
      .send({ _csrf: hidden._csrf });
    expect(deleted.status).toBe(302);
    expect(await drafts(region.organisationId)).toEqual([]);
    const again = await agent.post(form.path).type('form').send(body);
    expect(again.headers.location).not.toBe(first.headers.location);
    expect(await drafts(region.organisationId)).toHaveLength(1);
  });

  it('opens, closes and deletes once when a button is clicked twice, the second landing like the first', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const make = async () => {
      const hidden = await hiddenFields(agent, `${form.path}/new`);
      const body = { ...form.body(), _csrf: hidden._csrf, _formKey: hidden._formKey };
      return String((await agent.post(form.path).type('form').send(body)).headers.location);
    };
    const statusOf = async (id: string) =>
      (await t.db.selectFrom(form.table).select('status').where('id', '=', id).executeTakeFirst())
        ?.status;
    /** The form posting to `action` on `page`, sent twice; the page each lands on. */
    const twice = async (page: string, action: string) => {
      const text = (await agent.get(page)).text;
      const html = text.slice(text.indexOf(`action="${action}"`));
      const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)![1]!;
      const body = { _csrf: field('_csrf'), _formKey: field('_formKey') };
      const first = await agent.post(action).type('form').send(body);
      const second = await agent.post(action).type('form').send(body);
      expect([first.status, second.status]).toEqual([302, 302]);
      expect(second.headers.location).toBe(first.headers.location);
      return (await agent.get(String(second.headers.location))).text;
    };
    const made = await make();
    const opened = await twice(made, `${made}/open`);
    expect(await statusOf(made.split('/')[2]!)).toBe('open');
    expect(opened).not.toContain(form.refusals[0]);
    const closed = await twice(`${made}/close`, `${made}/close`);
    expect(await statusOf(made.split('/')[2]!)).toBe('closed');
    expect(closed).not.toContain(form.refusals[1]);
    const draft = await make();
    await twice(`${draft}/delete`, `${draft}/delete`);
    expect(await statusOf(draft.split('/')[2]!)).toBeUndefined();
  });

  it('has no key on the edit form', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const hidden = await hiddenFields(agent, `${form.path}/new`);
    const body = { ...form.body(), _csrf: hidden._csrf, _formKey: hidden._formKey };
    const made = await agent.post(form.path).type('form').send(body);
    const edit = await agent.get(`${made.headers.location}/edit`);
    expect(edit.status).toBe(200);
    expect(edit.text).not.toContain('_formKey');
  });
});
