import type { Express } from 'express';
import request from 'supertest';
import { csrfFrom, loginAs, submitForm, testApp, type Agent } from '../helpers/app';
import { newUser } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { newPact } from './factories';
import { pactScenario, type PactScenario } from './scenario';
import { pageText } from '../helpers/html';

let t: TestDb;
let app: Express;
let s: PactScenario;
let authority: Agent;

beforeAll(async () => {
  t = await newTestDb();
  app = testApp(t);
  s = await pactScenario(t.db);
  authority = await loginAs(app, s.authority.email, s.password);
});
afterAll(() => t.close());

const pactRow = (id: string) =>
  t.db.selectFrom('pacts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const actionBody = (revision: number, extra: Record<string, string | string[]> = {}) => ({
  revision: String(revision),
  title: 'Robotica collaborativa',
  description: 'Corso base',
  skills: ['F40.a'],
  participants: '4',
  hours: '40',
  modality: 'classroom',
  eqfLevel: '4',
  period: '2027-Q1',
  provider: '',
  ...extra,
});

describe('drafting a pact', () => {
  it('lists the territories by name as the reader reads it, in Italian and English', async () => {
    const options = (html: string) =>
      [
        ...(/<select[^>]*id="field-territory"[\s\S]*?<\/select>/.exec(html)?.[0] ?? '').matchAll(
          /<option value="([^"]+)"[^>]*>([^<]*)</g,
        ),
      ].map((m) => m[2]!);
    const it = options((await authority.get('/pacts/new')).text);
    expect(it[0]).toBe('Firenze (ITI14)');
    const comuni = it.slice(1);
    expect(comuni).toEqual([...comuni].sort((a, b) => a.localeCompare(b, 'it')));
    expect(comuni.indexOf('Barberino di Mugello (048002)')).toBeLessThan(
      comuni.indexOf('Barberino Tavarnelle (048054)'),
    );
    const en = options((await authority.get('/pacts/new?lang=en')).text);
    expect(en[0]).toBe('Florence (ITI14)');
    expect(en.slice(1)).toEqual([...en.slice(1)].sort((a, b) => a.localeCompare(b, 'en')));
    await authority.get('/pacts/new?lang=it');
  });

  it('says to choose a survey when "show the needs" is pressed without one', async () => {
    const none = await authority.get('/pacts/new?territory=ITI14&campaign=&lang=it');
    expect(none.status).toBe(200);
    expect(none.text).toContain(
      '<p id="error-campaign" class="field-error mb-1">Scegli l&#x27;indagine da cui nasce il patto.</p>',
    );
    expect(none.text).toContain(
      '<a href="#field-campaign">Indagine sui fabbisogni: Scegli l&#x27;indagine da cui nasce il patto.</a>',
    );
    const gone = await authority.get(
      '/pacts/new?territory=ITI14&campaign=00000000-0000-4000-8000-000000000000&lang=en',
    );
    expect(gone.text).toContain(
      '<p id="error-campaign" class="field-error mb-1">Choose a published survey covering the pact&#x27;s territory.</p>',
    );
    // Arriving on the page, nothing was asked yet: no error.
    const fresh = await authority.get('/pacts/new?territory=ITI14&lang=it');
    expect(fresh.text).not.toContain('error-campaign');
  });

  it('shows the protected needs of the territory, never a suppressed value', async () => {
    const res = await authority.get(`/pacts/new?campaign=${s.campaign.id}&territory=048017`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('F40.a');
    expect(res.text).toMatch(/<td class="text-end">12<\/td>/);
    // DC1.1: one firm, 5 workers: shown as protected, the 5 nowhere in its row.
    const row = /DC1\.1[\s\S]*?<\/tr>/.exec(res.text)![0];
    expect(row).toContain('protetto');
    expect(row).not.toMatch(/>5</);
    // The call may wait, but the form says the pact cannot be submitted without one.
    expect(res.text).toContain('ma serve per presentare il patto alla Regione');
  });

  it.each(['ITI1', 'ITI15'])(
    'says a territory %s outside the authority in the address is not its own, not that it has no needs',
    async (code) => {
      const res = await authority.get(`/pacts/new?campaign=${s.campaign.id}&territory=${code}`);
      expect(res.status).toBe(200);
      expect(res.text).toContain('id="error-territory"');
      expect(res.text).toContain('Scegli il tuo territorio o un territorio compreso in esso.');
      expect(res.text).not.toContain('non hanno ancora dichiarato fabbisogni');
      expect(res.text).not.toContain('action="/pacts"');
      expect(res.text).toMatch(/<option value="ITI14" selected>/);
    },
  );

  it('creates a draft at revision 1 with its audit entry', async () => {
    const res = await submitForm(
      authority,
      `/pacts/new?campaign=${s.campaign.id}&territory=ITI14`,
      {
        campaignId: s.campaign.id,
        territoryCode: 'ITI14',
        title: 'Patto Firenze 4.0',
        summary: 'Sintesi',
        callId: '',
      },
      '/pacts',
    );
    expect(res.status).toBe(302);
    const id = res.headers.location!.split('/').pop()!;
    const pact = await pactRow(id);
    expect(pact).toMatchObject({
      status: 'draft',
      revision: 1,
      promoter_org_id: s.authority.organisationId,
    });
    const revs = await t.db
      .selectFrom('pact_revisions')
      .selectAll()
      .where('pact_id', '=', id)
      .execute();
    expect(revs.map((r) => r.hash)).toEqual([pact.revision_hash]);
    const audit = await t.db
      .selectFrom('pact_audit')
      .selectAll()
      .where('pact_id', '=', id)
      .execute();
    expect(audit.map((a) => a.event)).toEqual(['created']);
    const page = await authority.get(`/pacts/${id}`);
    expect(page.text).toContain('Patto Firenze 4.0');
  });

  it('creates one draft from a double-posted form (its formId), another from a new form', async () => {
    const formPage = `/pacts/new?campaign=${s.campaign.id}&territory=048017`;
    const html = (await authority.get(formPage)).text;
    const _csrf = /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
    const formId = /name="formId" value="([^"]+)"/.exec(html)![1]!;
    const body = {
      _csrf,
      formId,
      campaignId: s.campaign.id,
      territoryCode: '048017',
      title: 'Doppio clic',
      summary: '',
      callId: '',
    };
    const posts = await Promise.all(
      [1, 2].map(() => authority.post('/pacts').type('form').send(body)),
    );
    expect(posts.map((r) => r.status)).toEqual([302, 302]);
    expect(posts[1]!.headers.location).toBe(posts[0]!.headers.location);
    const made = await t.db
      .selectFrom('pacts')
      .select('id')
      .where('title', '=', 'Doppio clic')
      .execute();
    expect(made).toHaveLength(1);
    // The form shown again draws a new id: a second pact of the same title is a choice.
    const again = (await authority.get(formPage)).text;
    expect(/name="formId" value="([^"]+)"/.exec(again)![1]).not.toBe(formId);
  });

  it('refuses a territory outside the authority and keeps the values', async () => {
    const res = await submitForm(
      authority,
      `/pacts/new?campaign=${s.campaign.id}`,
      {
        campaignId: s.campaign.id,
        territoryCode: 'ITI15',
        title: 'Fuori zona',
        summary: '',
        callId: '',
      },
      '/pacts',
    );
    expect(res.status).toBe(422);
    expect(res.text).toContain('Scegli il tuo territorio');
    expect(res.text).toContain('value="Fuori zona"');
    expect(
      await t.db.selectFrom('pacts').select('id').where('title', '=', 'Fuori zona').execute(),
    ).toEqual([]);
  });
});

describe('actions', () => {
  it("shows the call's unit costs on the action form, formatted for the reader", async () => {
    const pact = await newPact(t.db, {
      promoter: s.authority,
      campaign: s.campaign.id,
      actions: [],
      callId: s.callId,
    });
    const italian = pageText((await authority.get(`/pacts/${pact.id}/actions/new?lang=it`)).text);
    expect(italian).toContain(
      "dai costi unitari dell'avviso: ore × 100,00 € (ora di corso) + partecipanti × ore × 1,00 € (ora-partecipante).",
    );
    const en = pageText((await authority.get(`/pacts/${pact.id}/actions/new?lang=en`)).text);
    expect(en).toContain(
      "the call's unit costs: hours × €100.00 (course hour) + participants × hours × €1.00 (participant hour).",
    );
    await authority.get('/?lang=it');
  });

  it('adds an action with its cost from the call, as revision 2', async () => {
    const pact = await newPact(t.db, {
      promoter: s.authority,
      campaign: s.campaign.id,
      actions: [],
      callId: s.callId,
    });
    const res = await submitForm(
      authority,
      `/pacts/${pact.id}/actions/new`,
      actionBody(1),
      `/pacts/${pact.id}/actions`,
    );
    expect(res.status).toBe(302);
    const after = await pactRow(pact.id);
    expect(after.revision).toBe(2);
    // The hint names the format the field takes (Q, not the Italian T of "trimestre").
    const form = await authority.get(`/pacts/${pact.id}/actions/new`);
    expect(form.text).toContain('nel formato AAAA-Qn, per esempio 2027-Q1');
    const [action] = await t.db
      .selectFrom('pact_actions')
      .selectAll()
      .where('pact_id', '=', pact.id)
      .execute();
    // 40 h × 100.00 € + 4 × 40 h × 1.00 €
    expect(action!.cost_cents).toBe(40 * 10_000 + 4 * 40 * 100);
    expect(after.requested_cents).toBe(action!.cost_cents);
    const page = await authority.get(`/pacts/${pact.id}`);
    expect(page.text).toContain('Robotica collaborativa');
    expect(page.text).toContain('4.160,00\u00a0€');
    // The need it draws on, named in the reader's language.
    expect(page.text).toContain('Big data e analisi dei dati');
    const english = await authority.get(`/pacts/${pact.id}?lang=en`);
    expect(english.text).toContain('Big data and data analysis');
    await authority.get('/?lang=it'); // the choice sticks: back to Italian for the next tests
  });

  it('adds one action when its form is sent twice, also after applying it on a stale page', async () => {
    const pact = await newPact(t.db, {
      promoter: s.authority,
      campaign: s.campaign.id,
      actions: [],
      callId: s.callId,
    });
    const actions = async () =>
      (
        await t.db
          .selectFrom('pact_actions')
          .select('title')
          .where('pact_id', '=', pact.id)
          .orderBy('position')
          .execute()
      ).map((a) => a.title);
    const page = (await authority.get(`/pacts/${pact.id}/actions/new`)).text;
    const hidden = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(page)![1]!;
    const body = { ...actionBody(1), _csrf: hidden('_csrf'), _formKey: hidden('_formKey') };
    const first = await authority.post(`/pacts/${pact.id}/actions`).type('form').send(body);
    // The double click: the revision it was read at has moved on, yet it lands as the first.
    const second = await authority.post(`/pacts/${pact.id}/actions`).type('form').send(body);
    expect([first.status, second.status]).toEqual([302, 302]);
    expect(second.headers.location).toBe(`/pacts/${pact.id}`);
    expect((await authority.get(`/pacts/${pact.id}`)).text).toContain('Azione aggiunta.');
    expect(await actions()).toEqual(['Robotica collaborativa']);
    expect((await pactRow(pact.id)).revision).toBe(2);

    // A new form read at revision 2, refused as stale after another change: the page that
    // offers to apply it carries its key, so applying it twice adds it once.
    const next = (await authority.get(`/pacts/${pact.id}/actions/new`)).text;
    const key = /name="_formKey" value="([^"]*)"/.exec(next)![1]!;
    await t.db.updateTable('pacts').set({ revision: 3 }).where('id', '=', pact.id).execute();
    const stale = await authority
      .post(`/pacts/${pact.id}/actions`)
      .type('form')
      .send({ ...actionBody(2, { title: 'Corso B' }), _csrf: body._csrf, _formKey: key });
    expect(stale.status).toBe(409);
    const form = stale.text.slice(stale.text.indexOf(`action="/pacts/${pact.id}/actions"`));
    const fields = [...form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)];
    expect(fields).toContainEqual(expect.arrayContaining(['_formKey', key]));
    const apply = new URLSearchParams(fields.map((m): [string, string] => [m[1]!, m[2]!]));
    for (let i = 0; i < 2; i++) {
      const res = await authority
        .post(`/pacts/${pact.id}/actions`)
        .type('form')
        .send(apply.toString());
      expect(res.status).toBe(302);
    }
    expect(await actions()).toEqual(['Robotica collaborativa', 'Corso B']);
    // Its actions hold the scenario's needs: given back for the tests that follow.
    await t.db
      .updateTable('pacts')
      .set({ status: 'withdrawn' })
      .where('id', '=', pact.id)
      .execute();
  });

  it.each([
    ['participants', '-3', 'Il valore minimo'],
    ['participants', '999999', 'Il valore massimo è 10.000'],
    ['participants', '-99999999999999999999', 'Il valore minimo è 1'],
    ['hours', '0', 'Il valore minimo'],
    // Beyond 2^53 zod also reports its safe-integer bound: the field's own limit is the one said.
    // Grouped as 10.000 above: 2.000, not 2000.
    ['hours', '99999999999999999999', 'Il valore massimo è 2.000'],
    ['hours', 'tanti', ''],
    ['hours', '1e1', 'Inserisci un numero'],
    ['participants', '2,5', 'senza virgola'],
    ['participants', '1.00', 'a gruppi di tre cifre'],
    ['period', '27-Q9', ''],
  ])(
    'refuses %s = %s with 422 next to the field, values kept, nothing written',
    async (field, value, message) => {
      const pact = await newPact(t.db, {
        promoter: s.authority,
        campaign: s.campaign.id,
        actions: [],
      });
      const res = await submitForm(
        authority,
        `/pacts/${pact.id}/actions/new`,
        actionBody(1, { [field]: value }),
        `/pacts/${pact.id}/actions`,
      );
      expect(res.status).toBe(422);
      expect(res.text).toContain(`id="error-${field}"`);
      expect(res.text).toContain(message);
      expect(res.text).toContain(`value="${value}"`);
      expect(res.text).toContain('value="Robotica collaborativa"');
      expect(
        await t.db.selectFrom('pact_actions').select('id').where('pact_id', '=', pact.id).execute(),
      ).toEqual([]);
      expect((await pactRow(pact.id)).revision).toBe(1);
    },
  );

  it('reads "1.000" participants as a thousand, not as 1: beyond the need, nothing written', async () => {
    const pact = await newPact(t.db, {
      promoter: s.authority,
      campaign: s.campaign.id,
      actions: [],
    });
    const res = await submitForm(
      authority,
      `/pacts/${pact.id}/actions/new`,
      actionBody(1, { participants: '1.000' }),
      `/pacts/${pact.id}/actions`,
    );
    expect(res.status).toBe(409);
    expect(res.text).toContain('superano il fabbisogno dichiarato');
    expect(res.text).toContain('value="1.000"');
    expect(
      await t.db.selectFrom('pact_actions').select('id').where('pact_id', '=', pact.id).execute(),
    ).toEqual([]);
    expect((await pactRow(pact.id)).revision).toBe(1);
  });

  it('edits and removes an action, each a revision, with the diff on the revision page', async () => {
    const pact = await newPact(t.db, {
      promoter: s.authority,
      campaign: s.campaign.id,
      actions: [{ title: 'Corso A', participants: 3 }],
    });
    const actionId = pact.actions[0]!.id;
    let res = await submitForm(
      authority,
      `/pacts/${pact.id}/actions/${actionId}/edit`,
      actionBody(1, { title: 'Corso A bis', participants: '5' }),
    );
    expect(res.status).toBe(302);
    const page = await authority.get(`/pacts/${pact.id}/revisions/2`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<del>3</del> → <ins>5</ins>');
    expect(page.text).toContain('<del>Corso A</del> → <ins>Corso A bis</ins>');
    res = await submitForm(authority, `/pacts/${pact.id}/actions/${actionId}/remove`, {
      revision: '2',
    });
    expect(res.status).toBe(302);
    expect((await pactRow(pact.id)).revision).toBe(3);
    const removed = await authority.get(`/pacts/${pact.id}/revisions/3`);
    expect(removed.text).toContain('Azione rimossa: «Corso A bis»');
    // Old revisions stay readable.
    const first = await authority.get(`/pacts/${pact.id}/revisions/1`);
    expect(first.text).toContain('Corso A');
    const list = await authority.get(`/pacts/${pact.id}/revisions`);
    expect(list.text).toContain('Revisione 3');
    // Its column headings are capitalised alike (the hash's read 'impronta').
    const headings = [...list.text.matchAll(/<th scope="col">([^<]*)<\/th>/g)].map((m) => m[1]!);
    expect(headings).toContain('Impronta');
    for (const h of headings) expect(h[0]).toBe(h[0]!.toUpperCase());
  });
});

describe('the revision page', () => {
  it('names the survey, the call, the territory, skills and modality, and gives the cost in euros', async () => {
    const pact = await newPact(t.db, {
      promoter: s.authority,
      campaign: s.campaign.id,
      actions: [{ title: 'Corso R', participants: 2, costCents: 100_000 }],
      callId: s.callId,
    });
    const actionId = pact.actions[0]!.id;
    const res = await submitForm(
      authority,
      `/pacts/${pact.id}/actions/${actionId}/edit?lang=it`,
      actionBody(1, { title: 'Corso R', participants: '2', modality: 'blended' }),
      `/pacts/${pact.id}/actions/${actionId}/edit`,
    );
    expect(res.status).toBe(302);
    const changed = await authority.get(`/pacts/${pact.id}/revisions/2`);
    expect(changed.text).toContain('Modalità: <del>In aula</del> → <ins>Mista</ins>');
    expect(changed.text).toContain('2027-Q1 · Big data e analisi dei dati (F40.a)</li>');
    // 40 h × 100,00 € + 2 × 40 h × 1,00 €
    expect(changed.text).toMatch(/Costo: <del>1\.000,00\s€<\/del> → <ins>4\.080,00\s€<\/ins>/);
    const campaign = await t.db
      .selectFrom('campaigns')
      .select('title')
      .where('id', '=', s.campaign.id)
      .executeTakeFirstOrThrow();
    const first = await authority.get(`/pacts/${pact.id}/revisions/1`);
    expect(first.text).toContain('<ins>Firenze (ITI14)</ins>');
    expect(first.text).toContain(`<ins>${campaign.title}</ins>`);
    expect(first.text).toContain('<ins>Avviso formazione 4.0</ins>');
    expect(first.text).not.toContain(`<ins>${s.callId}</ins>`);
    // Frees its two places of F40.a for the tests after this one.
    await t.db
      .updateTable('pacts')
      .set({ status: 'withdrawn' })
      .where('id', '=', pact.id)
      .execute();
  });
});

describe('stale forms', () => {
  it('lands a double click on an edit like one click, one revision', async () => {
    const pact = await newPact(t.db, {
      promoter: s.authority,
      campaign: s.campaign.id,
      actions: [{ title: 'Corso C', participants: 1 }],
    });
    const actionId = pact.actions[0]!.id;
    const csrf = await csrfFrom(authority, `/pacts/${pact.id}/edit`);
    const send = (path: string, body: Record<string, string | string[]>) =>
      authority
        .post(path)
        .type('form')
        .send({ _csrf: csrf, ...body });
    const edit = { revision: '1', title: 'Titolo corretto', summary: '', callId: '' };
    const first = await send(`/pacts/${pact.id}/edit`, edit);
    const second = await send(`/pacts/${pact.id}/edit`, edit);
    expect([first.status, second.status]).toEqual([302, 302]);
    expect(second.headers.location).toBe(`/pacts/${pact.id}`);
    expect((await authority.get(`/pacts/${pact.id}`)).text).toContain('Patto aggiornato.');
    const body = actionBody(2, { title: 'Corso C bis', participants: '1' });
    const a = await send(`/pacts/${pact.id}/actions/${actionId}/edit`, body);
    const b = await send(`/pacts/${pact.id}/actions/${actionId}/edit`, body);
    expect([a.status, b.status]).toEqual([302, 302]);
    expect(b.headers.location).toBe(`/pacts/${pact.id}`);
    expect((await authority.get(`/pacts/${pact.id}`)).text).toContain('Azione aggiornata.');
    expect((await pactRow(pact.id)).revision).toBe(3);
    // What differs from the save since is still shown as changed meanwhile.
    const other = await send(`/pacts/${pact.id}/edit`, {
      ...edit,
      revision: '2',
      title: 'Un altro titolo',
    });
    expect(other.status).toBe(409);
  });

  it('refuses a save read at an old revision, shows both versions, and re-applies', async () => {
    const pact = await newPact(t.db, {
      promoter: s.authority,
      campaign: s.campaign.id,
      actions: [{ title: 'Corso B', participants: 2 }],
    });
    const actionId = pact.actions[0]!.id;
    // Someone else saves first (revision 1 → 2).
    const other = await loginAs(app, s.authority.email, s.password);
    await submitForm(other, `/pacts/${pact.id}/edit`, {
      revision: '1',
      title: 'Titolo nuovo',
      summary: '',
      callId: '',
    });
    expect((await pactRow(pact.id)).revision).toBe(2);
    // Our form was read at revision 1.
    const res = await submitForm(
      authority,
      `/pacts/${pact.id}/actions/${actionId}/edit`,
      actionBody(1, { title: 'Corso B modificato', participants: '3' }),
    );
    expect(res.status).toBe(409);
    expect(res.text).toContain('Versione attuale');
    expect(res.text).toContain('Corso B modificato');
    expect(res.text).toContain('<td>Corso B</td>');
    const action = await t.db
      .selectFrom('pact_actions')
      .selectAll()
      .where('id', '=', actionId)
      .executeTakeFirstOrThrow();
    expect(action.title).toBe('Corso B');
    // The page's form carries our values on the current revision.
    expect(res.text).toContain('name="revision" value="2"');
    const again = await submitForm(
      authority,
      `/pacts/${pact.id}`,
      actionBody(2, { title: 'Corso B modificato', participants: '3' }),
      `/pacts/${pact.id}/actions/${actionId}/edit`,
    );
    expect(again.status).toBe(302);
    expect(
      (
        await t.db
          .selectFrom('pact_actions')
          .select('title')
          .where('id', '=', actionId)
          .executeTakeFirstOrThrow()
      ).title,
    ).toBe('Corso B modificato');
  });
});

describe('stale forms, as a reader reads them', () => {
  it('names the modality, the skills and the call, not their codes', async () => {
    const pact = await newPact(t.db, {
      promoter: s.authority,
      campaign: s.campaign.id,
      actions: [{ title: 'Corso C', participants: 2 }],
      callId: s.callId,
    });
    const actionId = pact.actions[0]!.id;
    const other = await loginAs(app, s.authority.email, s.password);
    await submitForm(other, `/pacts/${pact.id}/edit`, {
      revision: '1',
      title: 'Titolo nuovo',
      summary: '',
      callId: '',
    });
    const action = await submitForm(
      authority,
      `/pacts/${pact.id}/actions/${actionId}/edit?lang=it`,
      actionBody(1, { modality: 'blended' }),
      `/pacts/${pact.id}/actions/${actionId}/edit`,
    );
    expect(action.status).toBe(409);
    expect(action.text).toContain('<td>Mista</td>');
    expect(action.text).toContain('<td>Big data e analisi dei dati (F40.a)</td>');
    expect(action.text).not.toContain('<td>blended</td>');
    const edit = await submitForm(
      authority,
      `/pacts/${pact.id}`,
      { revision: '1', title: 'Il mio titolo', summary: '', callId: s.callId },
      `/pacts/${pact.id}/edit`,
    );
    expect(edit.status).toBe(409);
    expect(edit.text).toContain('<td>Nessun avviso scelto</td><td>Avviso formazione 4.0</td>');
    expect(edit.text).not.toContain(`<td>${s.callId}</td>`);
    // Frees its two places of F40.a for the tests after this one.
    await t.db
      .updateTable('pacts')
      .set({ status: 'withdrawn' })
      .where('id', '=', pact.id)
      .execute();
  });
});

describe('a stale removal', () => {
  it('removes once when the confirmation is sent twice, the second landing like the first', async () => {
    const pact = await newPact(t.db, {
      promoter: s.authority,
      campaign: s.campaign.id,
      actions: [{ title: 'Corso da togliere', participants: 1 }],
    });
    const path = `/pacts/${pact.id}/actions/${pact.actions[0]!.id}/remove`;
    const csrf = await csrfFrom(authority, path);
    const post = () => authority.post(path).type('form').send({ _csrf: csrf, revision: '1' });
    const first = await post();
    const second = await post();
    expect([first.status, second.status]).toEqual([302, 302]);
    expect(second.headers.location).toBe(`/pacts/${pact.id}`);
    const page = (await authority.get(`/pacts/${pact.id}`)).text;
    expect(page).toContain('Azione rimossa.');
    expect((await pactRow(pact.id)).revision).toBe(2);
    // Once more, still the same; once the pact changed again, a missing action as before (404).
    expect((await post()).status).toBe(302);
    await submitForm(authority, `/pacts/${pact.id}/edit`, {
      revision: '2',
      title: 'Titolo nuovo',
      summary: '',
      callId: '',
    });
    expect((await post()).status).toBe(404);
  });

  it('asks again at the current revision, saying why, instead of a dead-end error page', async () => {
    const pact = await newPact(t.db, {
      promoter: s.authority,
      campaign: s.campaign.id,
      actions: [{ title: 'Corso da togliere', participants: 1 }],
    });
    const actionId = pact.actions[0]!.id;
    const path = `/pacts/${pact.id}/actions/${actionId}/remove`;
    // The pact moved to revision 2 (its title edited) after the confirmation was read.
    const edited = await submitForm(authority, `/pacts/${pact.id}/edit`, {
      revision: '1',
      title: 'Titolo nuovo',
      summary: '',
      callId: '',
    });
    expect(edited.status).toBe(302);
    const res = await submitForm(authority, path, { revision: '1' });
    expect(res.status).toBe(409);
    expect(res.text).toContain(
      'Il patto è cambiato nel frattempo (ora è alla revisione 2) e l&#x27;azione non è stata rimossa',
    );
    expect(res.text).toContain('name="revision" value="2"');
    expect(res.text).toContain(`action="${path}"`);
    const rows = () =>
      t.db.selectFrom('pact_actions').select('id').where('pact_id', '=', pact.id).execute();
    expect(await rows()).toHaveLength(1);
  });
});

describe('who may see and edit a pact', () => {
  it('hides the pact from an authority of another territory (404)', async () => {
    const pact = await newPact(t.db, {
      promoter: s.authority,
      campaign: s.campaign.id,
      actions: [],
    });
    const stranger = await loginAs(app, s.stranger.email, s.password);
    expect((await stranger.get(`/pacts/${pact.id}`)).status).toBe(404);
    expect((await stranger.get(`/pacts/${pact.id}/audit`)).status).toBe(404);
    expect((await stranger.get('/pacts')).text).not.toContain(pact.title);
  });

  it('lets an invited partner read it but not edit actions (403)', async () => {
    const pact = await newPact(t.db, {
      promoter: s.authority,
      campaign: s.campaign.id,
      actions: [],
      status: 'negotiation',
      signatories: [s.union.organisationId],
    });
    const union = await loginAs(app, s.union.email, s.password);
    const page = await union.get(`/pacts/${pact.id}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('Aggiungi un&#x27;azione');
    const res = await union
      .post(`/pacts/${pact.id}/actions`)
      .type('form')
      .send({ ...actionBody(1), _csrf: /name="_csrf" value="([^"]+)"/.exec(page.text)![1] });
    expect(res.status).toBe(403);
    expect((await union.get('/pacts')).text).toContain(pact.title);
  });

  it('refuses an invited authority editing actions directly (403), nothing changed', async () => {
    const other = await newUser(t.db, { role: 'local_authority', territory: '048017' });
    const pact = await newPact(t.db, {
      promoter: s.authority,
      campaign: s.campaign.id,
      actions: [],
      status: 'negotiation',
      signatories: [other.organisationId],
    });
    const agent = await loginAs(app, other.email, s.password);
    const page = await agent.get(`/pacts/${pact.id}`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    const res = await agent
      .post(`/pacts/${pact.id}/actions`)
      .type('form')
      .send({ ...actionBody(1), _csrf: csrf });
    expect(res.status).toBe(403);
    expect((await pactRow(pact.id)).revision).toBe(1);
  });
});

describe('content forms of a pact that can no longer change', () => {
  it.each(['submitted', 'in_progress'] as const)(
    'sends the promoter of a %s pact back to it, saying why, instead of a form it cannot save',
    async (status) => {
      // A campaign of its own: the needs of s.campaign stay for the other cases.
      const pact = await newPact(t.db, { promoter: s.authority, status });
      const actionId = pact.actions[0]!.id;
      for (const path of [
        'edit',
        'actions/new',
        `actions/${actionId}/edit`,
        `actions/${actionId}/remove`,
      ]) {
        const res = await authority.get(`/pacts/${pact.id}/${path}`);
        expect(res.status).toBe(302);
        expect(res.headers.location).toBe(`/pacts/${pact.id}`);
        const page = await authority.get(`/pacts/${pact.id}`);
        expect(page.text).toContain(
          'titolo, sintesi, azioni e firmatari non si possono più modificare',
        );
      }
      const en = await authority.get(`/pacts/${pact.id}/edit?lang=en`);
      expect(en.status).toBe(302);
      const page = await authority.get(`/pacts/${pact.id}`);
      expect(page.text).toMatch(/The pact is now “(Submitted|In progress)”: its title/);
      await authority.get('/pacts?lang=it');
    },
  );

  it('still shows them while the pact is in negotiation', async () => {
    const pact = await newPact(t.db, { promoter: s.authority, status: 'negotiation' });
    expect((await authority.get(`/pacts/${pact.id}/edit`)).status).toBe(200);
    expect((await authority.get(`/pacts/${pact.id}/actions/new`)).status).toBe(200);
  });
});

describe('workflow buttons', () => {
  it('refuses to submit before agreed, saying why on the pact page', async () => {
    const pact = await newPact(t.db, {
      promoter: s.authority,
      campaign: s.campaign.id,
      actions: [],
      status: 'negotiation',
    });
    const res = await submitForm(
      authority,
      `/pacts/${pact.id}`,
      { revision: '1' },
      `/pacts/${pact.id}/submit`,
    );
    // Back to the pact as it is, told why: not an error page whose only link leads home.
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`/pacts/${pact.id}`);
    expect((await authority.get(`/pacts/${pact.id}`)).text).toContain('solo quando è concordato');
    expect((await pactRow(pact.id)).status).toBe('negotiation');
  });

  it('refuses a submission over the need on the pact page, naming the skill', async () => {
    // A campaign of its own: 12 F40.a workers declared, two agreed pacts planning 10 each.
    const own = await pactScenario(t.db);
    const [pact] = await Promise.all(
      [1, 2].map(() =>
        newPact(t.db, {
          promoter: own.authority,
          campaign: own.campaign.id,
          status: 'agreed',
          actions: [{ participants: 10 }],
          callId: own.callId,
        }),
      ),
    );
    const promoter = await loginAs(app, own.authority.email, s.password);
    const res = await submitForm(
      promoter,
      `/pacts/${pact!.id}`,
      { revision: '1' },
      `/pacts/${pact!.id}/submit`,
    );
    expect(res.status).toBe(302);
    const page = await promoter.get(`/pacts/${pact!.id}`);
    expect(page.text).toMatch(
      /I partecipanti previsti per «Big data e analisi dei dati» superano il fabbisogno dichiarato a [^:]+: restano \d+ posti\./,
    );
    expect((await pactRow(pact!.id)).status).toBe('agreed');
  });

  it.each([
    [
      'no funding call',
      { callId: null, actions: [{ participants: 1 }] },
      'Il patto non può essere presentato: non indica un avviso di finanziamento',
      'The pact cannot be submitted: it names no funding call',
    ],
    [
      'no action',
      { callId: 'call', actions: [] },
      'Il patto non può essere presentato: non ha azioni formative.',
      'The pact cannot be submitted: it has no training action.',
    ],
    [
      'neither',
      { callId: null, actions: [] },
      'non ha azioni formative e non indica un avviso di finanziamento',
      'it has no training action and names no funding call',
    ],
  ])(
    'refuses to submit an agreed pact with %s, saying why on the page and in the API',
    async (_, seed, italian, english) => {
      const pact = await newPact(t.db, {
        promoter: s.authority,
        campaign: s.campaign.id,
        status: 'agreed',
        actions: seed.actions,
        callId: seed.callId && s.callId,
      });
      const audit = async () =>
        (await t.db.selectFrom('pact_audit').select('seq').where('pact_id', '=', pact.id).execute())
          .length;
      const before = await audit();
      // Said before trying, where the button would be (and no button).
      const show = await authority.get(`/pacts/${pact.id}`);
      expect(show.text).toContain('id="submit-gap"');
      expect(show.text).toContain(italian);
      expect(show.text).not.toContain(`action="/pacts/${pact.id}/submit"`);
      expect(show.text).not.toContain('puoi presentarlo alla Regione');
      if (!seed.callId)
        expect(show.text).toContain(`<a href="/pacts/${pact.id}/edit">Scegli l&#x27;avviso</a>`);
      // A form kept from before (another tab) is refused, the reason on the pact's page.
      const res = await submitForm(
        authority,
        `/pacts/${pact.id}`,
        { revision: '1' },
        `/pacts/${pact.id}/submit`,
      );
      expect([res.status, res.headers.location]).toEqual([302, `/pacts/${pact.id}`]);
      const back = await authority.get(`/pacts/${pact.id}`);
      expect(back.text).toContain(
        '<div class="alert alert-warning" role="status">Il patto non può essere presentato',
      );
      expect((await pactRow(pact.id)).status).toBe('agreed');
      expect(await audit()).toBe(before);
      // The API: the same refusal, in the caller's language.
      const api = await request(app)
        .post(`/api/v1/pacts/${pact.id}/submit`)
        .set('Authorization', `Bearer ${await s.token(s.authority.id)}`)
        .set('Accept-Language', 'en')
        .send({ revision: 1 });
      expect(api.status).toBe(409);
      expect(JSON.stringify(api.body)).toContain(english);
      expect((await pactRow(pact.id)).status).toBe('agreed');
    },
  );

  it('submits an agreed pact, audited and notified to the region', async () => {
    const pact = await newPact(t.db, {
      promoter: s.authority,
      campaign: s.campaign.id,
      status: 'agreed',
      actions: [{ participants: 1 }],
      callId: s.callId,
    });
    const ready = await authority.get(`/pacts/${pact.id}`);
    expect(ready.text).toContain(`action="/pacts/${pact.id}/submit"`);
    expect(ready.text).not.toContain('id="submit-gap"');
    const res = await submitForm(
      authority,
      `/pacts/${pact.id}`,
      { revision: '1' },
      `/pacts/${pact.id}/submit`,
    );
    expect(res.status).toBe(302);
    const after = await pactRow(pact.id);
    expect(after.status).toBe('submitted');
    expect(after.submitted_at).not.toBeNull();
    const last = await t.db
      .selectFrom('pact_audit')
      .selectAll()
      .where('pact_id', '=', pact.id)
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(last).toMatchObject({
      event: 'submit',
      from_status: 'agreed',
      to_status: 'submitted',
      actor_id: s.authority.id,
    });
    const note = await t.db
      .selectFrom('notifications')
      .selectAll()
      .where('user_id', '=', s.region.id)
      .where('kind', '=', 'pact_submitted')
      .execute();
    expect(note.length).toBe(1);
  });

  it('lands a double click on the submitted pact, submitted once', async () => {
    const pact = await newPact(t.db, {
      promoter: s.authority,
      campaign: s.campaign.id,
      status: 'agreed',
      actions: [{ participants: 1 }],
      callId: s.callId,
    });
    const _csrf = await csrfFrom(authority, `/pacts/${pact.id}`);
    const clicks = await Promise.all(
      [1, 2, 3].map(() =>
        authority.post(`/pacts/${pact.id}/submit`).type('form').send({ revision: '1', _csrf }),
      ),
    );
    expect(clicks.map((r) => [r.status, r.headers.location])).toEqual(
      clicks.map(() => [302, `/pacts/${pact.id}`]),
    );
    const page = await authority.get(`/pacts/${pact.id}`);
    expect(page.text).toMatch(/Patto presentato alla Regione\.|Il patto è già stato presentato/);
    const submits = await t.db
      .selectFrom('pact_audit')
      .select('event')
      .where('pact_id', '=', pact.id)
      .where('event', '=', 'submit')
      .execute();
    expect(submits).toHaveLength(1);
    // The API's retry: the same answer as any repeated act, submitted → submitted.
    const retry = await request(app)
      .post(`/api/v1/pacts/${pact.id}/submit`)
      .set('Authorization', `Bearer ${await s.token(s.authority.id)}`)
      .send({ revision: 1 });
    expect([retry.status, retry.body]).toEqual([
      200,
      { from: 'submitted', to: 'submitted', alreadySubmitted: true, repeated: true },
    ]);
    // A stale form of another revision is still refused, not taken as the same click.
    const stale = await submitForm(
      authority,
      `/pacts/${pact.id}`,
      { revision: '7' },
      `/pacts/${pact.id}/submit`,
    );
    expect(stale.status).toBe(302);
    expect((await authority.get(`/pacts/${pact.id}`)).text).toContain(
      'Il patto è cambiato nel frattempo (revisione 1)',
    );
    expect(
      await t.db
        .selectFrom('pact_audit')
        .select('event')
        .where('pact_id', '=', pact.id)
        .where('event', '=', 'submit')
        .execute(),
    ).toHaveLength(1);
  });

  it('withdraws, and a withdrawn pact cannot be withdrawn again, saying so', async () => {
    const pact = await newPact(t.db, {
      promoter: s.authority,
      campaign: s.campaign.id,
      actions: [],
      status: 'negotiation',
    });
    // One click on the pact page does not withdraw: it asks first, saying it cannot be undone.
    const show = await authority.get(`/pacts/${pact.id}`);
    expect(show.text).not.toContain(`action="/pacts/${pact.id}/withdraw"`);
    expect(show.text).toContain(`href="/pacts/${pact.id}/withdraw"`);
    const confirm = await authority.get(`/pacts/${pact.id}/withdraw`);
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain('Ritirare il patto?');
    expect(confirm.text).toContain('non si potrà più riaprire');
    expect(confirm.text).toContain(`action="/pacts/${pact.id}/withdraw"`);
    expect((await pactRow(pact.id)).status).toBe('negotiation');
    expect(
      (await submitForm(authority, `/pacts/${pact.id}/withdraw`, { revision: '1' })).status,
    ).toBe(302);
    expect((await pactRow(pact.id)).status).toBe('withdrawn');
    // Nothing left to confirm: back to the pact.
    const gone = await authority.get(`/pacts/${pact.id}/withdraw`);
    expect(gone.status).toBe(302);
    expect(gone.headers.location).toBe(`/pacts/${pact.id}`);
    expect((await authority.get(`/pacts/${pact.id}`)).text).toContain(
      'Il patto è «Ritirato»: non si può più ritirare.',
    );
    const again = await submitForm(
      authority,
      `/pacts/${pact.id}/audit`,
      { revision: '1' },
      `/pacts/${pact.id}/withdraw`,
    );
    expect(again.status).toBe(302);
    // The status by its name, not its code ('withdrawn').
    expect((await authority.get(`/pacts/${pact.id}`)).text).toContain(
      'Operazione non consentita: il patto è «Ritirato».',
    );
    expect((await pactRow(pact.id)).status).toBe('withdrawn');
  });
});

describe("the promoter's steps sent twice (a double click whose first answer the browser drops)", () => {
  /** The hidden fields of the form posting to `action` on `path`, as a browser sends them. */
  async function formFields(path: string, action: string) {
    const page = await authority.get(path);
    const form = page.text.split('<form').find((f) => f.includes(`action="${action}"`))!;
    return Object.fromEntries(
      [...form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [
        m[1]!,
        m[2]!,
      ]),
    );
  }
  const events = async (pactId: string, event: string) =>
    (
      await t.db
        .selectFrom('pact_audit')
        .select('id')
        .where('pact_id', '=', pactId)
        .where('event', '=', event)
        .execute()
    ).length;

  it('withdraws once, and the second lands like the first', async () => {
    const pact = await newPact(t.db, {
      promoter: s.authority,
      campaign: s.campaign.id,
      actions: [],
      status: 'negotiation',
    });
    const url = `/pacts/${pact.id}/withdraw`;
    const fields = await formFields(url, url);
    expect(fields._formKey).toMatch(/^[0-9a-f-]{36}$/);
    const first = await authority.post(url).type('form').send(fields);
    const second = await authority.post(url).type('form').send(fields);
    expect([first.status, second.status]).toEqual([302, 302]);
    expect(second.headers.location).toBe(first.headers.location);
    const page = (await authority.get(`/pacts/${pact.id}`)).text;
    expect(page).toContain('Patto ritirato.');
    expect(page).not.toContain('Operazione non consentita');
    expect((await pactRow(pact.id)).status).toBe('withdrawn');
    expect(await events(pact.id, 'withdraw')).toBe(1);
  });

  it('opens the negotiation once, and the second lands like the first', async () => {
    const pact = await newPact(t.db, {
      promoter: s.authority,
      campaign: s.campaign.id,
      actions: [],
    });
    const url = `/pacts/${pact.id}/open-negotiation`;
    const fields = await formFields(`/pacts/${pact.id}`, url);
    expect(fields._formKey).toMatch(/^[0-9a-f-]{36}$/);
    const first = await authority.post(url).type('form').send(fields);
    const second = await authority.post(url).type('form').send(fields);
    expect([first.status, second.status]).toEqual([302, 302]);
    const page = (await authority.get(`/pacts/${pact.id}`)).text;
    expect(page).toContain('Negoziazione aperta.');
    expect(page).not.toContain('Operazione non consentita');
    expect((await pactRow(pact.id)).status).toBe('negotiation');
    expect(await events(pact.id, 'open_negotiation')).toBe(1);
  });
});

describe('signatories', () => {
  it("says beside each signatory's name whether it signed the revision in force", async () => {
    const pact = await newPact(t.db, {
      promoter: s.authority,
      campaign: s.campaign.id,
      status: 'negotiation',
      signatories: [s.employers.organisationId, s.union.organisationId],
    });
    await t.db
      .insertInto('pact_signatures')
      .values({
        pact_id: pact.id,
        organisation_id: s.employers.organisationId,
        revision: 1,
        revision_hash: '0'.repeat(64),
        signed_by: s.employers.id,
      })
      .execute();
    const page = pageText((await authority.get(`/pacts/${pact.id}`)).text);
    expect(page).toContain(`${s.employers.organisationName} (ha firmato la revisione 1)`);
    expect(page).toContain(`${s.union.organisationName} (non ha ancora firmato la revisione 1)`);
    const en = pageText((await authority.get(`/pacts/${pact.id}?lang=en`)).text);
    expect(en).toContain(`${s.union.organisationName} (has not signed revision 1 yet)`);
    await authority.get(`/pacts/${pact.id}?lang=it`); // the agent's language back for the tests after
  });

  it('invites a partner: draft → negotiation, new revision, the partner notified', async () => {
    const pact = await newPact(t.db, {
      promoter: s.authority,
      campaign: s.campaign.id,
      actions: [],
    });
    const page = await authority.get(`/pacts/${pact.id}/signatories`);
    expect(page.text).toContain('Il primo invito apre la negoziazione');
    expect(page.text).not.toContain(s.stranger.organisationName);
    // Territories by name, as everywhere else, not as a bare code.
    expect(page.text).toContain(
      `${s.employers.organisationName} — Associazione datoriale · Toscana (ITI1)`,
    );
    const res = await submitForm(authority, `/pacts/${pact.id}/signatories`, {
      revision: '1',
      organisationId: s.employers.organisationId,
    });
    expect(res.status).toBe(302);
    const after = await pactRow(pact.id);
    expect(after).toMatchObject({ status: 'negotiation', revision: 2 });
    const listed = await authority.get(`/pacts/${pact.id}/signatories`);
    expect(listed.text).toContain('<td>Toscana (ITI1)</td>');
    expect(listed.text).not.toContain('<td>ITI1</td>');
    const notes = await t.db
      .selectFrom('notifications')
      .select('kind')
      .where('user_id', '=', s.employers.id)
      .execute();
    expect(notes.map((n) => n.kind)).toContain('pact_invited');
    // Invited again (a second click): told so, nothing written.
    const again = await submitForm(authority, `/pacts/${pact.id}/signatories`, {
      revision: '2',
      organisationId: s.employers.organisationId,
    });
    expect(again.status).toBe(422);
    expect(again.text).toContain('è già tra i firmatari invitati');
    expect((await pactRow(pact.id)).revision).toBe(2);
    // A double click: the second post carries the revision the first one replaced. Done, said
    // as the first click says it, not "the pact changed meanwhile".
    const twice = await submitForm(authority, `/pacts/${pact.id}/signatories`, {
      revision: '1',
      organisationId: s.employers.organisationId,
    });
    expect([twice.status, twice.headers.location]).toEqual([302, `/pacts/${pact.id}/signatories`]);
    const done = await authority.get(`/pacts/${pact.id}/signatories`);
    expect(done.text).toContain(`${s.employers.organisationName} è stato invitato.`);
    expect(done.text).not.toContain('Il patto è cambiato');
    expect((await pactRow(pact.id)).revision).toBe(2);
    // Removing asks first, saying what it does; the confirmation posts the revision it read.
    const removeHref = `/pacts/${pact.id}/signatories/${s.employers.organisationId}/remove`;
    expect(listed.text).toContain(`href="${removeHref}"`);
    const ask = await authority.get(removeHref);
    expect(ask.status).toBe(200);
    expect(ask.text).toContain('dai firmatari?');
    expect(ask.text).toContain('La rimozione crea una nuova revisione del patto');
    expect(ask.text).toContain('name="revision" value="2"');
    expect((await pactRow(pact.id)).revision).toBe(2);
    // Confirmed with a double click: removed once, the second landing like the first.
    const field = (name: string) =>
      new RegExp(`name="${name}" value="([^"]*)"`).exec(ask.text)![1]!;
    const confirmed = { _csrf: field('_csrf'), revision: '2', _formKey: field('_formKey') };
    const rm = await authority.post(removeHref).type('form').send(confirmed);
    const rmAgain = await authority.post(removeHref).type('form').send(confirmed);
    expect([rm.status, rmAgain.status]).toEqual([302, 302]);
    expect(rmAgain.headers.location).toBe(rm.headers.location);
    const removedPage = (await authority.get(`/pacts/${pact.id}/signatories`)).text;
    expect(removedPage).not.toContain('Il patto è cambiato');
    const sig = await t.db
      .selectFrom('pact_signatories')
      .selectAll()
      .where('pact_id', '=', pact.id)
      .executeTakeFirstOrThrow();
    expect(sig.removed_at).not.toBeNull();
    expect((await pactRow(pact.id)).revision).toBe(3);
    // The history names who was removed (read from the two revisions' signatory lists: the
    // stored reason, which the audit chain covers, stays as it was written).
    const removedLine = `Firmatario rimosso: ${s.employers.organisationName}`;
    expect((await authority.get(`/pacts/${pact.id}/revisions`)).text).toContain(removedLine);
    expect((await authority.get(`/pacts/${pact.id}/revisions/3`)).text).toContain(
      `— ${removedLine}`,
    );
    expect((await authority.get(`/pacts/${pact.id}/audit`)).text).toContain(removedLine);
    const stored = await t.db
      .selectFrom('pact_revisions')
      .select('reason')
      .where('pact_id', '=', pact.id)
      .where('number', '=', 3)
      .executeTakeFirstOrThrow();
    expect(stored.reason).toBe('signatory removed');
    // The removed partner is told, and led to its list: the pact is no longer its to open.
    const told = await t.db
      .selectFrom('notifications')
      .select(['kind', 'link'])
      .where('user_id', '=', s.employers.id)
      .where('kind', '=', 'pact_signatory_removed')
      .execute();
    expect(told).toEqual([{ kind: 'pact_signatory_removed', link: '/pacts' }]);
    // No longer a signatory: nothing to remove.
    expect((await authority.get(removeHref)).status).toBe(404);
    const employers = await loginAs(app, s.employers.email, s.password);
    expect((await employers.get('/inbox')).text).toContain(
      'ha rimosso la tua organizzazione dai firmatari del patto',
    );
  });

  it('says why a signatory of an agreed or submitted pact cannot be removed, from an old link', async () => {
    for (const [status, message] of [
      ['agreed', 'Il patto è concordato: un firmatario non può più essere rimosso.'],
      ['submitted', 'Il patto è ora «Presentato»: titolo, sintesi, azioni e firmatari'],
    ] as const) {
      const pact = await newPact(t.db, {
        promoter: s.authority,
        actions: [],
        status,
        signatories: [s.employers.organisationId],
      });
      const list = `/pacts/${pact.id}/signatories`;
      const res = await authority.get(`${list}/${s.employers.organisationId}/remove`);
      expect(res.status).toBe(302);
      expect(res.headers.location).toBe(list);
      expect((await authority.get(list)).text).toContain(message);
    }
  });

  it('refuses an organisation of an unrelated territory (422)', async () => {
    const pact = await newPact(t.db, {
      promoter: s.authority,
      campaign: s.campaign.id,
      actions: [],
    });
    const res = await submitForm(authority, `/pacts/${pact.id}/signatories`, {
      revision: '1',
      organisationId: s.stranger.organisationId,
    });
    expect(res.status).toBe(422);
    expect(
      await t.db
        .selectFrom('pact_signatories')
        .select('pact_id')
        .where('pact_id', '=', pact.id)
        .execute(),
    ).toEqual([]);
  });
});

describe("a pact's tabs", () => {
  it('name the pact in the page title, so each tab says where it is', async () => {
    const pact = await newPact(t.db, {
      promoter: s.authority,
      campaign: s.campaign.id,
      title: 'Patto Valdarno',
    });
    for (const [tab, name] of [
      ['revisions', 'Revisions'],
      ['revisions/1', 'Revision 1'],
      ['audit', 'Audit log'],
      ['signatories', 'Signatories'],
      ['sign', 'Sign the pact'],
    ]) {
      const res = await authority.get(`/pacts/${pact.id}/${tab}?lang=en`);
      const title = /<title>([^<]*)<\/title>/.exec(res.text)?.[1];
      expect({ tab, status: res.status, title }).toEqual({
        tab,
        status: 200,
        title: `${name} — Patto Valdarno · Patto`,
      });
    }
  });
});
