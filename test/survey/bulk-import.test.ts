import type { Express } from 'express';
import { loginAs, testApp, type Agent } from '../helpers/app';
import { newUser, PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { maintained, recomputed } from '../needs/oracle';
import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { getI18n } from '../../src/http/i18n';
import { COLUMN_NAMES } from '../../src/modules/survey/bulk-import.parse';
import { DMA_DIMENSIONS } from '../../src/modules/survey/readiness';
import { importResponses } from '../../src/modules/survey/bulk-import.service';
import { reachNeeds, submitLines } from './flow';
import { needLine, needsBody, newCampaign, newFirmUser, newVat, quarterAhead } from './helpers';
import { decodeEntities } from '../helpers/html';

let t: TestDb;
let app: Express;
beforeAll(async () => {
  t = await newTestDb();
  app = testApp(t);
});
afterAll(() => t.close());

type Row = Partial<Record<(typeof COLUMN_NAMES)[number], string>>;

function firmRow(vat: string, overrides: Row = {}): Row {
  return {
    vat_number: vat,
    legal_name: 'Officina Import S.r.l.',
    nace_division: '28',
    employees: '20',
    comune: '048014',
    contact_name: 'Marco Neri',
    contact_email: 'marco@import.test',
    strategy: '3',
    readiness: '2',
    human: '4',
    data: '3',
    automation: '1',
    green: '2',
    technologies: 'cloud|iot',
    skill: 'F40.a',
    occupation: '72',
    workers: '5',
    eqf: '4',
    priority: 'high',
    modality: 'blended',
    period: quarterAhead(1),
    note: '',
    ...overrides,
  };
}

const csv = (rows: Row[]) =>
  [COLUMN_NAMES.join(';'), ...rows.map((r) => COLUMN_NAMES.map((c) => r[c] ?? '').join(';'))].join(
    '\n',
  );

async function upload(agent: Agent, campaignId: string, content: string, name = 'risposte.csv') {
  const page = await agent.get(`/campaigns/${campaignId}/import`);
  const csrf = /name="_csrf" value="([^"]+)"|_csrf=([0-9a-f]+)/.exec(page.text)!;
  return agent
    .post(`/campaigns/${campaignId}/import?_csrf=${csrf[1] ?? csrf[2]}`)
    .attach('file', Buffer.from(content, 'utf8'), name);
}

const count = async (table: 'responses' | 'organisations' | 'response_needs' | 'firms') =>
  Number(
    (
      await t.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

/** A campaign's versions, by firm (VAT number) and version. */
const versionsOf = (campaignId: string) =>
  t.db
    .selectFrom('responses')
    .innerJoin('firms', 'firms.organisation_id', 'responses.firm_id')
    .select(['firms.vat_number', 'version', 'status', 'need_count', 'workers_total'])
    .where('campaign_id', '=', campaignId)
    .orderBy('firms.vat_number')
    .orderBy('version')
    .execute();

describe('POST /campaigns/:id/import', () => {
  it('the same upload sent twice (a double click): imported once, the second lands where the first did', async () => {
    const { id, region } = await newCampaign(t.db);
    const agent = await loginAs(app, region.email, PASSWORD);
    const page = (await agent.get(`/campaigns/${id}/import`)).text;
    const csrf = /_csrf=([0-9a-f]+)/.exec(page)![1];
    const formKey = /name="_formKey" value="([^"]+)"/.exec(page)![1]!;
    const content = Buffer.from(csv([firmRow(newVat()), firmRow(newVat())]), 'utf8');
    const post = () =>
      agent
        .post(`/campaigns/${id}/import?_csrf=${csrf}`)
        .field('_formKey', formKey)
        .attach('file', content, 'risposte.csv');
    const first = await post();
    const second = await post();
    expect([first.status, first.headers.location]).toEqual([303, `/campaigns/${id}`]);
    expect([second.status, second.headers.location]).toEqual([303, `/campaigns/${id}`]);
    expect((await versionsOf(id)).map((r) => r.version)).toEqual([1, 1]);
    expect((await agent.get(`/campaigns/${id}`)).text).toContain(
      'Il file era già stato importato dal primo invio',
    );
    // A new page is a new form: the same file uploaded from it is a new version of each firm.
    const later = await upload(agent, id, content.toString('utf8'));
    expect(later.status).toBe(303);
    expect((await versionsOf(id)).map((r) => r.version)).toEqual([1, 2, 1, 2]);
  });

  it('a refused file keeps its form key: the corrected file sent with it is imported', async () => {
    const { id, region } = await newCampaign(t.db);
    const agent = await loginAs(app, region.email, PASSWORD);
    const page = (await agent.get(`/campaigns/${id}/import`)).text;
    const csrf = /_csrf=([0-9a-f]+)/.exec(page)![1];
    const formKey = /name="_formKey" value="([^"]+)"/.exec(page)![1]!;
    const send = (rows: Row[]) =>
      agent
        .post(`/campaigns/${id}/import?_csrf=${csrf}`)
        .field('_formKey', formKey)
        .attach('file', Buffer.from(csv(rows), 'utf8'), 'risposte.csv');
    const refused = await send([firmRow(newVat(), { workers: 'tanti' })]);
    expect(refused.status).toBe(422);
    expect(refused.text).toContain(`name="_formKey" value="${formKey}"`);
    expect((await send([firmRow(newVat())])).status).toBe(303);
    expect(await versionsOf(id)).toHaveLength(1);
  });

  it('imports a clean file: firms created or matched by VAT, new current versions, aggregate kept', async () => {
    const { id, region } = await newCampaign(t.db);
    const agent = await loginAs(app, region.email, PASSWORD);
    // A firm that already answered: its answer is superseded by the imported one.
    const firm = await newFirmUser(t.db, 40);
    const firmAgent = await loginAs(app, firm.email, PASSWORD);
    await reachNeeds(firmAgent, t.db, id, firm.organisationId);
    await submitLines(firmAgent, id, needsBody([needLine()]));
    const known = await t.db
      .selectFrom('firms')
      .select('vat_number')
      .where('organisation_id', '=', firm.organisationId)
      .executeTakeFirstOrThrow();
    const fresh = newVat();
    const res = await upload(
      agent,
      id,
      csv([
        firmRow(fresh),
        firmRow(fresh, { skill: 'F40.b', priority: 'low', workers: '3' }),
        firmRow(known.vat_number!, { employees: '40', skill: 'DC1.1' }),
      ]),
    );
    expect(res.status).toBe(303);
    const rows = await versionsOf(id);
    expect(rows).toMatchObject(
      [
        { vat_number: known.vat_number, version: 1, status: 'superseded', need_count: 1 },
        { vat_number: known.vat_number, version: 2, status: 'current', need_count: 1 },
        { vat_number: `IT${fresh}`, version: 1, status: 'current', need_count: 2 },
      ].sort((a, b) => a.vat_number!.localeCompare(b.vat_number!)),
    );
    expect(await maintained(t.db, id)).toEqual(await recomputed(t.db, id));
    // The region's campaign page counts them, question by question (aggregates only).
    const show = await agent.get(`/campaigns/${id}`);
    const figure = (chart: string) =>
      show.text.slice(show.text.indexOf(`id="${chart}-title"`)).split('</figure>')[0]!;
    const values = (chart: string) =>
      [...figure(chart).matchAll(/data-value="(\d+)"/g)].map((m) => Number(m[1]));
    expect(figure('chart-priority')).toContain('<title id="chart-priority-svg-title">');
    expect(values('chart-priority')).toEqual([2, 0, 1]); // high, medium, low
    expect(values('chart-dim-strategy')).toEqual([0, 0, 0, 2, 0, 0]); // both firms scored 3
    expect(values('chart-bands')).toEqual([0, 2, 0, 0]); // overall 50: average
    expect(show.text).not.toContain('Officina Import');
    // The firm's own page now shows the imported answer.
    const home = await firmAgent.get(`/survey/${id}`);
    expect(home.headers.location).toBe(`/survey/${id}/receipt`);
    // Its receipt says the region imported it, not as if that person had answered for the firm.
    const receipt = decodeEntities((await firmAgent.get(home.headers.location!)).text);
    expect(receipt).toContain(
      `${region.fullName} di ${region.organisationName}, che ha importato la risposta da un file per conto dell'impresa`,
    );
  });

  it('refuses a file with bad rows, line by line, and writes nothing', async () => {
    const { id, region } = await newCampaign(t.db);
    const agent = await loginAs(app, region.email, PASSWORD);
    const a = newVat();
    const b = newVat();
    const before = await Promise.all([count('responses'), count('organisations')]);
    const res = await upload(
      agent,
      id,
      csv([
        firmRow(a), // line 2: fine
        firmRow(a, { workers: '25' }), // 3: above the 20 employees
        firmRow(a), // 4: duplicate of line 2
        firmRow(b, { skill: 'XX.9' }), // 5: not in the campaign's areas
        firmRow(b, { skill: 'F40.c', priority: 'urgent', workers: '1.5' }), // 6
        firmRow(b, { skill: 'F40.d', legal_name: 'Altro nome' }), // 7: firm data differ
        firmRow('IT123', {}), // 8: bad VAT
      ]),
    );
    expect(res.status).toBe(422);
    const lines = [...res.text.matchAll(/data-line="(\d+)"/g)].map((m) => Number(m[1]));
    expect(lines).toEqual(expect.arrayContaining([3, 4, 5, 6, 7, 8]));
    expect(lines).not.toContain(2);
    expect(res.text).toContain('Il file non è stato importato');
    expect(await Promise.all([count('responses'), count('organisations')])).toEqual(before);
  });

  it('says how to write a quarter, an occupation group and a NACE division it cannot read', async () => {
    const { id, region } = await newCampaign(t.db);
    const agent = await loginAs(app, region.email, PASSWORD);
    const res = await upload(
      agent,
      id,
      csv([
        firmRow(newVat(), { period: '1° trim. 2027', occupation: '721', nace_division: '281' }),
      ]),
    );
    expect(res.status).toBe(422);
    const problem = (column: string) =>
      new RegExp(`<td><code>${column}</code>\\s*</td>\\s*<td>([^<]*)</td>`).exec(res.text)?.[1];
    expect(problem('period')).toBe(
      'Scrivi il trimestre come anno e numero del trimestre, per esempio 2027-Q1',
    );
    expect(problem('occupation')).toBe(
      'Indica il gruppo professionale ISCO-08 con 2 cifre, per esempio 72',
    );
    expect(problem('nace_division')).toBe(
      'Indica la divisione NACE/ATECO con 2 cifre, per esempio 28',
    );
  });

  it('reports the need lines’ problems in the same round as a wrong profile cell', async () => {
    const { id, region } = await newCampaign(t.db);
    const agent = await loginAs(app, region.email, PASSWORD);
    const vat = newVat();
    const res = await upload(
      agent,
      id,
      csv([
        firmRow(vat, { contact_email: 'marco@', workers: '25' }), // 2: bad e-mail, 25 > 20
        firmRow(vat, { contact_email: 'marco@', skill: 'XX.9' }), // 3: not in the campaign
      ]),
    );
    expect(res.status).toBe(422);
    const problems = [
      ...res.text.matchAll(/<tr data-line="(\d+)"><td>\d+<\/td><td><code>(\w+)<\/code>/g),
    ].map((m) => `${m[1]}:${m[2]}`);
    expect(problems).toEqual(expect.arrayContaining(['2:contact_email', '2:workers', '3:skill']));
    // An unreadable headcount: the other rules still run.
    const again = await upload(
      agent,
      id,
      csv([firmRow(newVat(), { employees: 'venti', skill: 'XX.9' })]),
    );
    expect(again.text).toMatch(/<code>employees<\/code>/);
    expect(again.text).toMatch(/<code>skill<\/code><\/td><td>Scegli una competenza/);
  });

  it('refuses a cell a spreadsheet would run as a formula, by line and column', async () => {
    const { id, region } = await newCampaign(t.db);
    const agent = await loginAs(app, region.email, PASSWORD);
    const before = await Promise.all([count('responses'), count('organisations')]);
    const res = await upload(
      agent,
      id,
      csv([firmRow(newVat()), firmRow(newVat(), { legal_name: '=CMD("calc")' })]),
    );
    expect(res.status).toBe(422);
    expect([...res.text.matchAll(/data-line="(\d+)"/g)].map((m) => Number(m[1]))).toEqual([3]);
    expect(res.text).toContain('legal_name');
    expect(res.text).toContain('sembra una formula');
    expect(res.text).toContain('1 problema da correggere');
    expect(await Promise.all([count('responses'), count('organisations')])).toEqual(before);
  });

  it('says a row has more cells than the header, once, not eight wrong columns', async () => {
    const { id, region } = await newCampaign(t.db);
    const agent = await loginAs(app, region.email, PASSWORD);
    const before = await Promise.all([count('responses'), count('organisations')]);
    // A legal name with the separator in it and no quotes shifts every cell after it: it was
    // told as a wrong NACE division, e-mail, score, occupation, priority, modality and quarter.
    const res = await upload(
      agent,
      id,
      csv([firmRow(newVat()), firmRow(newVat(), { legal_name: 'Officina; Import S.r.l.' })]),
    );
    expect(res.status).toBe(422);
    expect([...res.text.matchAll(/data-line="(\d+)"/g)].map((m) => Number(m[1]))).toEqual([3]);
    expect(res.text).toContain(
      'La riga ha 23 celle, l&#x27;intestazione 22 colonne: forse un testo contiene il separatore «;» senza virgolette',
    );
    expect(res.text).toContain('1 problema da correggere');
    expect(await Promise.all([count('responses'), count('organisations')])).toEqual(before);
  });

  it('refuses a missing column, an empty file and a non-CSV', async () => {
    const { id, region } = await newCampaign(t.db);
    const agent = await loginAs(app, region.email, PASSWORD);
    const noSkill = await upload(agent, id, 'vat_number;legal_name\nIT1;x\n');
    expect(noSkill.status).toBe(422);
    // Worded in the page's language, the missing column in the report's column cell.
    expect(noSkill.text).toContain(
      '<td><code>skill</code></td><td>Manca la colonna «skill»: usa il modello con tutte le colonne.</td>',
    );
    expect(noSkill.text).not.toMatch(/missing column|unreadable|File illeggibile/);
    const quote = await upload(agent, id, `${COLUMN_NAMES.join(';')}\n"IT1;x\n`);
    expect(quote.status).toBe(422);
    expect(quote.text).toContain('Il file non si legge come CSV da questa riga');
    expect(quote.text).not.toMatch(/Quote Not Closed|unreadable CSV/);

    const empty = await upload(agent, id, `${COLUMN_NAMES.join(';')}\n`);
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('non contiene righe');
    const xlsx = await upload(agent, id, 'whatever', 'risposte.xlsx');
    expect(xlsx.status).toBe(422);
    await agent.get(`/campaigns/${id}/import?lang=en`);
    const english = await upload(agent, id, 'vat_number;legal_name\nIT1;x\n');
    expect(english.text).toContain('The column “skill” is missing');
  });

  it('says an empty file is empty, and a UTF-16 file is UTF-16, not that no file was chosen or that it is a spreadsheet', async () => {
    const { id, region } = await newCampaign(t.db);
    const agent = await loginAs(app, region.email, PASSWORD);
    const before = await count('responses');
    const send = async (content: Buffer) => {
      const page = await agent.get(`/campaigns/${id}/import`);
      const csrf = /_csrf=([0-9a-f]+)/.exec(page.text)![1];
      return agent
        .post(`/campaigns/${id}/import?_csrf=${csrf}`)
        .attach('file', content, 'risposte.csv');
    };
    const empty = await send(Buffer.alloc(0));
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('File: Il file è vuoto.');
    const text = `${COLUMN_NAMES.join(';')}\n`;
    const unicode = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const wide = await send(unicode);
    expect(wide.status).toBe(422);
    expect(wide.text).toContain('Il file è in UTF-16: salvalo come CSV UTF-8');
    expect(wide.text).not.toContain('foglio di calcolo');
    expect(await count('responses')).toBe(before);
  });

  it('says once that the first line is not the header, when a title row stands above it', async () => {
    const { id, region } = await newCampaign(t.db);
    const agent = await loginAs(app, region.email, PASSWORD);
    const res = await upload(agent, id, `Risposte raccolte 2027;;;\n${csv([firmRow(newVat())])}`);
    expect(res.status).toBe(422);
    // It was told as fourteen missing columns, all on line 1.
    expect([...res.text.matchAll(/data-line="(\d+)"/g)]).toHaveLength(1);
    expect(res.text).toContain(
      'La riga 1 non è l&#x27;intestazione del modello: nessuna sua cella è il nome di una colonna (vat_number, legal_name, …). Se sopra l&#x27;intestazione ci sono righe di titolo, toglile.',
    );
  });

  it('describes each readiness column by the name the questionnaire and the charts give it', async () => {
    const { id, region } = await newCampaign(t.db);
    const agent = await loginAs(app, region.email, PASSWORD);
    for (const lang of ['it', 'en'] as const) {
      const labels = getI18n().getFixedT(lang);
      const page = (await agent.get(`/campaigns/${id}/import?lang=${lang}`)).text.replace(
        /&#x27;/g,
        "'",
      );
      // It read "Digitalizzazione verde", "Automazione e IA": the same dimension under two names.
      for (const d of DMA_DIMENSIONS)
        expect(page).toContain(`${labels(`survey.dimensions.${d}.label`)} 0–5`);
    }
    await agent.get(`/campaigns/${id}/import?lang=it`);
  });

  it('offers a template that imports as it is', async () => {
    const { id, region } = await newCampaign(t.db);
    const agent = await loginAs(app, region.email, PASSWORD);
    const tpl = await agent.get(`/campaigns/${id}/import/template.csv`);
    expect(tpl.status).toBe(200);
    expect(tpl.headers['content-type']).toContain('text/csv');
    const res = await upload(agent, id, tpl.text);
    expect(res.status).toBe(303);
  });

  it('reads a file saved by Excel: comuni and NACE divisions that lost their leading zero, rows of empty cells', async () => {
    const { id, region } = await newCampaign(t.db);
    const agent = await loginAs(app, region.email, PASSWORD);
    const vat = newVat();
    // Excel reads 048014 as a number and saves 48014 (01, farming, as 1); rows it once formatted
    // come back as ';;;'.
    const empty = COLUMN_NAMES.map(() => '').join(';');
    const res = await upload(
      agent,
      id,
      `\ufeff${csv([firmRow(vat, { comune: '48014', nace_division: '1' }), firmRow(vat, { comune: '48014', nace_division: '1', skill: 'F40.b' })])}\r\n${empty}\r\n${empty}\r\n`,
    );
    expect(res.status).toBe(303);
    const firm = await t.db
      .selectFrom('firms')
      .select(['territory_code', 'nace_division'])
      .where('vat_number', '=', `IT${vat}`)
      .executeTakeFirstOrThrow();
    expect(firm).toEqual({ territory_code: '048014', nace_division: '01' });
    expect(await versionsOf(id)).toMatchObject([{ vat_number: `IT${vat}`, need_count: 2 }]);
  });

  it('reads a file whose lines end in a lone CR, as Excel for Mac saves "CSV (Macintosh)"', async () => {
    const { id, region } = await newCampaign(t.db);
    const agent = await loginAs(app, region.email, PASSWORD);
    const vat = newVat();
    const file = csv([firmRow(vat), firmRow(vat, { skill: 'F40.b' })]).replace(/\n/g, '\r');
    const res = await upload(agent, id, `${file}\r`);
    expect(res.status).toBe(303);
    expect(await versionsOf(id)).toMatchObject([{ vat_number: `IT${vat}`, need_count: 2 }]);
  });

  it('counts a large file in the reader’s numbers: rows read, responses and lines imported', async () => {
    const { id, region } = await newCampaign(t.db);
    const agent = await loginAs(app, region.email, PASSWORD);
    await agent.get('/?lang=en');
    const firms = Array.from({ length: 1000 }, () => firmRow(newVat()));
    const refused = await upload(agent, id, csv([...firms, firmRow(newVat(), { eqf: '9' })]));
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('Rows read: 1,001.');
    const done = await upload(agent, id, csv(firms));
    expect(done.status).toBe(303);
    expect((await agent.get(`/campaigns/${id}`)).text).toContain(
      'Responses imported: 1,000 (need lines: 1,000; new firms: 1,000).',
    );
  });

  it("is not found for another region's campaign, and refused for a firm", async () => {
    const lombardia = await newUser(t.db, { role: 'region', territory: 'ITC4' });
    const { id } = await newCampaign(t.db, { region: lombardia, territory: 'ITC4' });
    const { region } = await newCampaign(t.db);
    const agent = await loginAs(app, region.email, PASSWORD);
    expect((await agent.get(`/campaigns/${id}/import`)).status).toBe(404);
    const firm = await newFirmUser(t.db);
    const firmAgent = await loginAs(app, firm.email, PASSWORD);
    expect((await firmAgent.get(`/campaigns/${id}/import`)).status).toBe(403);
  });

  describe('written while the file is read (firms handed over in batches of 2, the first of 1)', () => {
    const run = async (rows: Row[]) => {
      const { id, region } = await newCampaign(t.db);
      const before = await Promise.all([count('responses'), count('organisations')]);
      const result = await importResponses(t.db, region, id, Readable.from([csv(rows)]), {
        streamBatch: 2,
      });
      const written = await versionsOf(id);
      const after = await Promise.all([count('responses'), count('organisations')]);
      return { id, result, written, added: after.map((n, i) => n - before[i]!) };
    };
    const vats = () => Array.from({ length: 5 }, () => newVat()).sort();

    it('writes every firm once, with all its lines, when each firm is together', async () => {
      const v = vats();
      const rows = v.flatMap((vat, i) => [
        firmRow(vat, { workers: String(i + 1) }),
        firmRow(vat, { skill: 'F40.b', workers: '2' }),
      ]);
      const { id, result, written, added } = await run(rows);
      expect(result.problems).toEqual([]);
      expect(result).toMatchObject({ responses: 5, lines: 10, createdFirms: 5 });
      expect(added).toEqual([5, 5]);
      expect(written).toMatchObject(
        v.map((vat, i) => ({
          vat_number: `IT${vat}`,
          version: 1,
          need_count: 2,
          workers_total: i + 3,
        })),
      );
      expect(await maintained(t.db, id)).toEqual(await recomputed(t.db, id));
    });

    it('imported again with new firms among them: known firms get a next version, new ones a first', async () => {
      const { id, region } = await newCampaign(t.db);
      const v = vats();
      const once = (vs: string[], workers: string) =>
        importResponses(
          t.db,
          region,
          id,
          Readable.from([csv(vs.map((vat) => firmRow(vat, { workers })))]),
          { streamBatch: 2 },
        );
      // Three known firms, then two new ones, in batches that mix them.
      expect(await once(v.slice(0, 3), '2')).toMatchObject({ responses: 3, createdFirms: 3 });
      expect(await once(v.slice(0, 3), '3')).toMatchObject({ responses: 3, createdFirms: 0 });
      const third = await once([v[3]!, v[0]!, v[4]!, v[1]!, v[2]!], '4');
      expect(third).toMatchObject({ problems: [], responses: 5, createdFirms: 2 });
      const rows = await versionsOf(id);
      // One version per import the firm was in, with that import's workers; the last current.
      const versions = (vat: string, workers: number[]) =>
        workers.map((w, i) => ({
          vat_number: `IT${vat}`,
          version: i + 1,
          status: i + 1 === workers.length ? 'current' : 'superseded',
          workers_total: w,
        }));
      expect(rows).toMatchObject([
        ...versions(v[0]!, [2, 3, 4]),
        ...versions(v[1]!, [2, 3, 4]),
        ...versions(v[2]!, [2, 3, 4]),
        ...versions(v[3]!, [4]),
        ...versions(v[4]!, [4]),
      ]);
      // Each firm's form shows its answer as submitted: three imports moved the known drafts on.
      const drafts = await t.db
        .selectFrom('response_drafts')
        .innerJoin('firms', 'firms.organisation_id', 'response_drafts.firm_id')
        .select(['firms.vat_number', 'state', 'version'])
        .where('campaign_id', '=', id)
        .orderBy('firms.vat_number')
        .execute();
      expect(drafts).toEqual(
        v.map((vat, i) => ({ vat_number: `IT${vat}`, state: 'submitted', version: i < 3 ? 3 : 1 })),
      );
      expect(await maintained(t.db, id)).toEqual(await recomputed(t.db, id));
    });

    it('analyses the small tables it grows once the first batch is written', async () => {
      // Key checks against responses and firms would otherwise keep plans made when they looked
      // empty, and read every row written before them (see analyzeSmallTables).
      const stats = async () =>
        Object.fromEntries(
          (
            await sql<{ relname: string; reltuples: number }>`
              SELECT relname, reltuples::float8 AS reltuples FROM pg_class
              WHERE oid IN ('responses'::regclass, 'firms'::regclass)`.execute(t.db)
          ).rows.map((r) => [r.relname, r.reltuples]),
        );
      await sql`ANALYZE responses, firms`.execute(t.db);
      const before = await stats();
      const counted = [await count('responses'), await count('firms')];
      expect([before.responses, before.firms]).toEqual(counted);
      const { result } = await run(vats().map((vat) => firmRow(vat)));
      expect(result).toMatchObject({ problems: [], responses: 5, createdFirms: 5 });
      // Analysed after the first batch (one firm), in the import's transaction: its row counted.
      expect(await stats()).toEqual({ responses: counted[0]! + 1, firms: counted[1]! + 1 });
    });

    it('writes a firm whose rows come back after it was written once, with all its lines', async () => {
      const v = vats();
      // v[0] is handed over alone (the first batch is smaller) when v[1] starts; its third line
      // comes at the end.
      const rows = [
        firmRow(v[0]!, { workers: '1' }),
        firmRow(v[0]!, { skill: 'F40.b', workers: '1' }),
        firmRow(v[1]!),
        firmRow(v[2]!),
        firmRow(v[3]!),
        firmRow(v[4]!),
        firmRow(v[0]!, { skill: 'F40.c', workers: '4' }),
      ];
      const { id, result, written, added } = await run(rows);
      expect(result.problems).toEqual([]);
      expect(result).toMatchObject({ responses: 5, lines: 7, createdFirms: 5 });
      expect(added).toEqual([5, 5]);
      expect(written[0]).toMatchObject({
        vat_number: `IT${v[0]}`,
        version: 1,
        need_count: 3,
        workers_total: 6,
      });
      expect(written.map((w) => w.version)).toEqual([1, 1, 1, 1, 1]);
      expect(await maintained(t.db, id)).toEqual(await recomputed(t.db, id));
    });

    it('writes nothing when a problem comes after firms were written', async () => {
      const v = vats();
      const rows = [
        ...v.slice(0, 4).map((vat) => firmRow(vat)),
        firmRow(v[4]!, { workers: '999' }), // line 6: above the firm's 20 employees
      ];
      const { result, written, added } = await run(rows);
      expect(result.problems.map((p) => [p.line, p.column])).toEqual([[6, 'workers']]);
      expect(result.responses).toBe(0);
      expect(written).toEqual([]);
      expect(added).toEqual([0, 0]);
    });

    it('reports one VAT number written two ways, and writes nothing', async () => {
      const v = vats();
      const rows = [
        firmRow(`IT${v[0]}`),
        firmRow(v[0]!), // line 3: the same firm without its country prefix
        firmRow(v[1]!),
        firmRow(v[2]!),
      ];
      const { result, added } = await run(rows);
      expect(result.problems).toEqual([
        expect.objectContaining({
          line: 3,
          column: 'vat_number',
          key: 'bulkImport.errors.firmDiffers',
          params: { line: 2 },
        }),
      ]);
      expect(added).toEqual([0, 0]);
    });

    it('reports a firm whose rows come back with a problem, and writes nothing', async () => {
      const v = vats();
      const rows = [
        firmRow(v[0]!),
        firmRow(v[1]!),
        firmRow(v[2]!),
        firmRow(v[3]!),
        firmRow(v[0]!), // line 6: the same line again for v[0]
      ];
      const { result, added } = await run(rows);
      expect(result.problems).toEqual([
        expect.objectContaining({ line: 6, key: 'survey.errors.duplicateLine' }),
      ]);
      expect(added).toEqual([0, 0]);
    });
  });
});
