import { loginAs, testApp, type Agent } from '../helpers/app';
import { PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { errorSummary, expectSummaryNamesFields } from '../helpers/error-summary';
import { postStep, reachNeeds, submitLines } from './flow';
import { needLine, needsBody, newCampaign, newFirmUser, readinessForm, versionOf } from './helpers';
import { decodeEntities } from '../helpers/html';

let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
});
afterAll(() => t.close());

/** POSTs a step's form as the browser would: token and version from the page itself. */
async function post(agent: Agent, path: string, body: Record<string, string | string[]>) {
  const page = await agent.get(path);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
  return agent
    .post(path)
    .type('form')
    .send({ _csrf: csrf, version: versionOf(page.text), ...body });
}

async function responses(campaignId: string, firmId: string) {
  return t.db
    .selectFrom('responses')
    .selectAll()
    .where('campaign_id', '=', campaignId)
    .where('firm_id', '=', firmId)
    .orderBy('version')
    .execute();
}

describe('the questionnaire', () => {
  it('names each unanswered readiness question in the error summary', async () => {
    const { id } = await newCampaign(t.db);
    const firm = await newFirmUser(t.db);
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    const p = await t.db
      .selectFrom('firms')
      .selectAll()
      .where('organisation_id', '=', firm.organisationId)
      .executeTakeFirstOrThrow();
    await post(agent, `/survey/${id}/step/1`, {
      action: 'next',
      legalName: p.legal_name,
      vatNumber: p.vat_number!,
      naceDivision: '25',
      employees: '40',
      territoryCode: '048014',
      contactName: 'Giulia Conti',
      contactEmail: 'giulia@test.patto',
      contactPhone: '',
    });
    const res = await post(agent, `/survey/${id}/step/2`, { action: 'next', strategy: '3' });
    expect(res.status).toBe(422);
    const summary = /<div class="alert alert-danger error-summary"[\s\S]*?<\/div>/.exec(
      res.text,
    )![0];
    const links = [...summary.matchAll(/<a href="#field-(\w+)">([^<]+)<\/a>/g)].map((m) => m[1]);
    expect(links).toEqual(['readiness', 'human', 'data', 'automation', 'green']);
    // Each says which question, and what to do with its scale, not only "required".
    expect(summary).toContain('Prontezza digitale: Scegli un punteggio da 0 a 5');
    expect(new Set(summary.match(/>[^<]+: Scegli un punteggio da 0 a 5</g)).size).toBe(5);
    expect(res.text).toMatch(/id="field-strategy-3" value="3" checked/);
  });

  it("keeps the readiness radios in line: the stylesheet cancels the stacked checks' margin", async () => {
    const { id } = await newCampaign(t.db);
    const firm = await newFirmUser(t.db);
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    await reachNeeds(agent, t.db, id, firm.organisationId);
    const step2 = await agent.get(`/survey/${id}/step/2`);
    // Six inline options per question, one after the other in the same row...
    expect(step2.text.match(/<div class="form-check form-check-inline">/g)).toHaveLength(36);
    expect(step2.text).toContain('<link rel="stylesheet" href="/assets/css/patto.css">');
    // ...where Bootstrap Italia's `.form-check + .form-check { margin-top: .5rem }` dropped all
    // but the first half a line lower.
    const css = await agent.get('/assets/css/patto.css');
    expect(css.status).toBe(200);
    expect(css.text).toMatch(/\.form-check-inline \+ \.form-check-inline \{\s*margin-top: 0;\s*\}/);
  });

  it('names the field, and the need line, of each error in the summary', async () => {
    const { id } = await newCampaign(t.db);
    const firm = await newFirmUser(t.db);
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    const step1 = await post(agent, `/survey/${id}/step/1`, {
      action: 'next',
      legalName: '',
      vatNumber: 'x',
      naceDivision: '25',
      employees: '40',
      territoryCode: '048014',
      contactName: 'Giulia Conti',
      contactEmail: 'giulia@test.patto',
    });
    expect(step1.status).toBe(422);
    expectSummaryNamesFields(step1.text, 2);
    await reachNeeds(agent, t.db, id, firm.organisationId);
    const step3 = await post(agent, `/survey/${id}/step/3`, {
      action: 'next',
      ...needsBody([needLine(), needLine({ skill: 'DC1.1', workers: 'tanti' })]),
    });
    expect(step3.status).toBe(422);
    expectSummaryNamesFields(step3.text, 1);
    expect(errorSummary(step3.text)).toEqual([
      {
        href: '#field-needs.1.workers',
        text: 'Fabbisogno n. 2 — Lavoratori da formare: Inserisci un numero intero',
      },
    ]);
  });

  it("lists every need line's problems in one round: a typo elsewhere hides no rule", async () => {
    const { id } = await newCampaign(t.db);
    const firm = await newFirmUser(t.db);
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    await reachNeeds(agent, t.db, id, firm.organisationId);
    const lines = [
      needLine({ workers: '50' }),
      needLine({ workers: 'tanti', period: '2019-Q1' }),
      needLine({ skill: 'DC1.1', priority: '' }),
    ];
    const step3 = await post(agent, `/survey/${id}/step/3`, {
      action: 'next',
      ...needsBody(lines),
    });
    expect(step3.status).toBe(422);
    // Line 1's headcount, line 2 repeating line 1 and its quarter were only told once line 2's
    // number and line 3's priority were fixed: the firm corrected the form twice. In the form's
    // order, line by line.
    expect(errorSummary(step3.text)).toEqual([
      {
        href: '#field-needs.0.workers',
        text: "Fabbisogno n. 1 — Lavoratori da formare: I lavoratori da formare non possono superare gli addetti dell'impresa (40)",
      },
      {
        href: '#field-needs.1.skill',
        text: 'Fabbisogno n. 2 — Competenza: Questa riga ripete la riga 1 (stessa competenza, gruppo professionale e livello): uniscile',
      },
      {
        href: '#field-needs.1.period',
        text: expect.stringMatching(
          /^Fabbisogno n. 2 — Periodo \(trimestre\): Scegli un trimestre tra /,
        ),
      },
      {
        href: '#field-needs.1.workers',
        text: 'Fabbisogno n. 2 — Lavoratori da formare: Inserisci un numero intero',
      },
      {
        href: '#field-needs.2.priority',
        text: 'Fabbisogno n. 3 — Priorità: Scegli uno dei valori proposti',
      },
    ]);
    expectSummaryNamesFields(step3.text, 5);
    // Every line is kept as typed, the wrong ones too.
    const draft = await t.db
      .selectFrom('response_drafts')
      .select('payload')
      .where('campaign_id', '=', id)
      .executeTakeFirstOrThrow();
    expect((draft.payload as { needs: unknown[] }).needs).toHaveLength(3);
  });

  it('names a made-up technology and one line too many in words the firm understands', async () => {
    const { id } = await newCampaign(t.db);
    const firm = await newFirmUser(t.db);
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    await reachNeeds(agent, t.db, id, firm.organisationId);
    // A list of choices posted by a script or an old page: the summary read a bare "Scegli uno
    // dei valori proposti" (no question named, no mark by the field) and "Scegli al massimo 50
    // tra le opzioni" for 51 need lines.
    const step2 = await post(agent, `/survey/${id}/step/2`, {
      action: 'next',
      ...readinessForm,
      technologies: ['cloud', 'teleportation'],
    });
    expect(step2.status).toBe(422);
    expect(errorSummary(step2.text)).toEqual([
      {
        href: '#field-technologies',
        text: "Tecnologie 4.0 che l'impresa usa già: Scegli uno dei valori proposti",
      },
    ]);
    const lines = Array.from({ length: 51 }, (_, i) =>
      needLine({
        occupation: String(31 + (i % 9)),
        eqf: String(1 + (i % 8)),
        skill: i < 30 ? 'F40.a' : 'F40.b',
      }),
    );
    const step3 = await post(agent, `/survey/${id}/step/3`, {
      action: 'next',
      ...needsBody(lines),
    });
    expect(step3.status).toBe(422);
    expect(step3.text).toContain(
      '<li>Una risposta ha al massimo 50 fabbisogni: unisci o togli le righe in più.</li>',
    );
  });

  it('refuses on step 1 a comune outside the survey, rather than losing the firm its survey', async () => {
    const { id } = await newCampaign(t.db, { territory: 'ITI1' });
    const firm = await newFirmUser(t.db);
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    const p = await t.db
      .selectFrom('firms')
      .selectAll()
      .where('organisation_id', '=', firm.organisationId)
      .executeTakeFirstOrThrow();
    await agent.get(`/survey/${id}`);
    // Montecopiolo (Rimini) sits between Montaione and Montelupo Fiorentino in the list: one
    // slip, and the next page was a 404, the survey gone from the home page.
    const res = await post(agent, `/survey/${id}/step/1`, {
      action: 'next',
      legalName: p.legal_name,
      vatNumber: p.vat_number!,
      naceDivision: '25',
      employees: '40',
      territoryCode: '099030',
      contactName: 'Giulia Conti',
      contactEmail: 'giulia@test.patto',
    });
    expect(res.status).toBe(422);
    expect(errorSummary(res.text)).toEqual([
      {
        href: '#field-territoryCode',
        text: expect.stringMatching(
          /^Comune della sede principale: Questo comune è fuori dal territorio dell'indagine/,
        ),
      },
    ]);
    expect(res.text).toMatch(/<option value="099030" selected>/);
    const after = await t.db
      .selectFrom('firms')
      .select('territory_code')
      .where('organisation_id', '=', firm.organisationId)
      .executeTakeFirstOrThrow();
    expect(after.territory_code).toBe('048014');
    expect((await agent.get(`/survey/${id}/step/1`)).status).toBe(200);
  });

  it('keeps a quarter gone by since the draft was saved, and says to choose another', async () => {
    const { id } = await newCampaign(t.db);
    const firm = await newFirmUser(t.db);
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    await reachNeeds(agent, t.db, id, firm.organisationId);
    await postStep(agent, `/survey/${id}/step/3`, {
      action: 'save',
      ...needsBody([needLine(), needLine({ skill: 'DC1.1' })]),
    });
    // Saved in an earlier quarter, resumed in the next: the select showed "— Scegli —", the
    // quarter silently gone, and the next step said only "Campo obbligatorio".
    const draft = await t.db
      .selectFrom('response_drafts')
      .select('payload')
      .where('campaign_id', '=', id)
      .where('firm_id', '=', firm.organisationId)
      .executeTakeFirstOrThrow();
    const payload = draft.payload as { needs: Record<string, string>[] };
    payload.needs[1]!.period = '2019-Q4';
    await t.db
      .updateTable('response_drafts')
      .set({ payload: JSON.stringify(payload) })
      .where('campaign_id', '=', id)
      .where('firm_id', '=', firm.organisationId)
      .execute();
    const page = await agent.get(`/survey/${id}/step/3`);
    const select = /<select[^>]*name="needs\[1\]\[period\]"[\s\S]*?<\/select>/.exec(page.text)![0];
    expect(select).toMatch(/<option value="2019-Q4" selected>2019-Q4<\/option>/);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    const next = await agent
      .post(`/survey/${id}/step/3`)
      .type('form')
      .send({
        _csrf: csrf,
        version: versionOf(page.text),
        action: 'next',
        ...needsBody([needLine(), needLine({ skill: 'DC1.1', period: '2019-Q4' })]),
      });
    expect(next.status).toBe(422);
    expect(errorSummary(next.text)).toEqual([
      {
        href: '#field-needs.1.period',
        text: expect.stringMatching(
          /^Fabbisogno n. 2 — Periodo \(trimestre\): Scegli un trimestre tra /,
        ),
      },
    ]);
  });

  it('says "al massimo 1 lavoratore per riga" to a firm of one, in the singular', async () => {
    const { id } = await newCampaign(t.db);
    const firm = await newFirmUser(t.db, 1);
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    await reachNeeds(agent, t.db, id, firm.organisationId);
    expect((await agent.get(`/survey/${id}/step/3`)).text).toContain(
      'al massimo 1 lavoratore per riga.',
    );
    expect((await agent.get(`/survey/${id}/step/3?lang=en`)).text).toContain(
      'at most 1 worker per line.',
    );
  });

  it('shows on the review the 4.0 technologies chosen and the sector, by name', async () => {
    const { id } = await newCampaign(t.db);
    const firm = await newFirmUser(t.db);
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    await reachNeeds(agent, t.db, id, firm.organisationId);
    await postStep(agent, `/survey/${id}/step/3`, { action: 'next', ...needsBody([needLine()]) });
    const it = await agent.get(`/survey/${id}/step/4`);
    expect(it.status).toBe(200);
    expect(it.text).toContain('<li>Cloud</li><li>Sicurezza informatica</li>');
    expect(it.text).toContain('25 — Fabbricazione di prodotti in metallo');
    expect(it.text).toContain('Sezione C — Attività manifatturiere');
    expect(it.text).not.toContain('C / 25');
    // The comune, which places the needs in the territory, is shown as the receipt will show it.
    expect(it.text).toContain('Comune della sede principale');
    expect(it.text).toContain('Toscana › Firenze › Empoli');
    const en = await agent.get(`/survey/${id}/step/4?lang=en`);
    expect(en.text).toContain('Tuscany › Florence › Empoli');
    expect(en.text).toContain('<li>Cloud</li><li>Cyber security</li>');
    expect(en.text).toMatch(/25 — Manufacture of fabricated metal products/);
    expect(en.text).toContain('Section C — Manufacturing');
  });

  it('keeps on the receipt the 4.0 technologies the firm declared, as the review showed them', async () => {
    const { id } = await newCampaign(t.db);
    const firm = await newFirmUser(t.db);
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    await reachNeeds(agent, t.db, id, firm.organisationId);
    await submitLines(agent, id, needsBody([needLine()]));
    // The receipt listed the six scores but not the technologies, part of the same answer.
    const receipt = await agent.get(`/survey/${id}/receipt`);
    expect(receipt.text).toMatch(
      /<dt[^>]*>Tecnologie 4.0 che l&#x27;impresa usa già<\/dt><dd[^>]*><ul class="mb-0"><li>Cloud<\/li><li>Sicurezza informatica<\/li><\/ul><\/dd>/,
    );
    const en = await agent.get(`/survey/${id}/receipt?lang=en`);
    expect(en.text).toContain('<li>Cloud</li><li>Cyber security</li>');
  });

  it('writes head counts as the reader does, the size class beside them, on review and receipt', async () => {
    const { id } = await newCampaign(t.db);
    const firm = await newFirmUser(t.db, 12000);
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    await reachNeeds(agent, t.db, id, firm.organisationId);
    await postStep(agent, `/survey/${id}/step/3`, {
      action: 'next',
      ...needsBody([needLine({ workers: '11500' })]),
    });
    const cell = (html: string, label: string) =>
      new RegExp(`<dt[^>]*>${label}</dt><dd[^>]*>([^<]*)</dd>`).exec(html)?.[1];
    const workers = (html: string) => /<td class="text-end">([^<]*)<\/td>/.exec(html)?.[1];
    // It read "12000 (Grande impresa (250 addetti e oltre))", and 11500 workers.
    const step3 = await agent.get(`/survey/${id}/step/3`);
    expect(step3.text).toContain('al massimo 12.000 lavoratori per riga.');
    const above = await postStep(agent, `/survey/${id}/step/3`, {
      action: 'next',
      ...needsBody([needLine({ workers: '12001' })]),
    });
    expect(above.text).toContain('non possono superare gli addetti dell&#x27;impresa (12.000)');
    await postStep(agent, `/survey/${id}/step/3`, {
      action: 'next',
      ...needsBody([needLine({ workers: '11500' })]),
    });
    const review = await agent.get(`/survey/${id}/step/4`);
    expect(cell(review.text, 'Numero di addetti')).toBe(
      '12.000 — Grande impresa (250 addetti e oltre)',
    );
    expect(workers(review.text)).toBe('11.500');
    const en = await agent.get(`/survey/${id}/step/4?lang=en`);
    expect(cell(en.text, 'Number of employees')).toBe(
      '12,000 — Large enterprise (250 employees or more)',
    );
    expect(workers(en.text)).toBe('11,500');
    await postStep(agent, `/survey/${id}/step/4?lang=it`, {}, `/survey/${id}/submit`);
    const receipt = await agent.get(`/survey/${id}/receipt`);
    expect(cell(receipt.text, 'Numero di addetti')).toBe(
      '12.000 — Grande impresa (250 addetti e oltre)',
    );
    expect(workers(receipt.text)).toBe('11.500');
    const mine = await agent.get('/my-needs');
    expect(workers(mine.text)).toBe('11.500');
  });

  it('goes profile → readiness → needs → review → submit, saving at each step', async () => {
    const { id } = await newCampaign(t.db);
    const firm = await newFirmUser(t.db);
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    const start = await agent.get(`/survey/${id}`);
    expect(start.status).toBe(302);
    expect(start.headers.location).toBe(`/survey/${id}/step/1`);

    const step1 = await agent.get(`/survey/${id}/step/1`);
    expect(step1.text).toContain('aria-current="step"');
    expect(step1.text).toContain('value="Meccanica Test S.r.l."');
    const p = await t.db
      .selectFrom('firms')
      .selectAll()
      .where('organisation_id', '=', firm.organisationId)
      .executeTakeFirstOrThrow();
    const r1 = await post(agent, `/survey/${id}/step/1`, {
      action: 'next',
      legalName: p.legal_name,
      vatNumber: p.vat_number!,
      naceDivision: '25',
      employees: '40',
      territoryCode: '048014',
      contactName: 'Giulia Conti',
      contactEmail: 'giulia@test.patto',
      contactPhone: '',
    });
    expect(r1.status).toBe(302);
    expect(r1.headers.location).toBe(`/survey/${id}/step/2`);

    const r2 = await post(agent, `/survey/${id}/step/2`, { action: 'next', ...readinessForm });
    expect(r2.headers.location).toBe(`/survey/${id}/step/3`);

    // Leaving and coming back resumes where the firm was.
    expect((await agent.get(`/survey/${id}`)).headers.location).toBe(`/survey/${id}/step/3`);

    const r3 = await post(agent, `/survey/${id}/step/3`, {
      action: 'next',
      ...needsBody([needLine(), needLine({ skill: 'DC1.1', workers: '12', eqf: '3' })]),
    });
    expect(r3.headers.location).toBe(`/survey/${id}/step/4`);

    const review = await agent.get(`/survey/${id}/step/4`);
    expect(review.status).toBe(200);
    expect(review.text).toContain('Punteggio complessivo: 50/100');
    expect(review.text).toContain('Intermedio');
    const sub = await post(agent, `/survey/${id}/step/4`, {});
    expect(sub.status).toBe(302);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(review.text)![1]!;
    const submitted = await agent
      .post(`/survey/${id}/submit`)
      .type('form')
      .send({ _csrf: csrf, version: versionOf(review.text) });
    expect(submitted.status).toBe(302);
    expect(submitted.headers.location).toBe(`/survey/${id}/receipt`);

    const rows = await responses(id, firm.organisationId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      version: 1,
      status: 'current',
      readiness_score: 50,
      size_class: 'small',
      territory_code: '048014',
      nace_section: 'C',
      nace_division: '25',
      need_count: 2,
      workers_total: 17,
      technologies: ['cloud', 'cyber_security'],
    });
    const lines = await t.db
      .selectFrom('response_needs')
      .selectAll()
      .where('response_id', '=', rows[0]!.id)
      .orderBy('line_no')
      .execute();
    expect(lines.map((l) => [l.skill_code, l.area_code, l.workers])).toEqual([
      ['F40.a', 'F40', 5],
      ['DC1.1', 'DC1', 12],
    ]);

    const receipt = await agent.get(`/survey/${id}/receipt`);
    expect(receipt.text).toContain(rows[0]!.id);
    expect(receipt.text).toContain('Big data e analisi dei dati');
    const home = await agent.get('/');
    expect(home.text).toContain('Inviata (versione 1)');
  });
});

describe('the review of a draft whose need lines are not right yet', () => {
  it('names the line of each problem, and does not say that no need was declared', async () => {
    const { id } = await newCampaign(t.db);
    const firm = await newFirmUser(t.db);
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    await reachNeeds(agent, t.db, id, firm.organisationId);
    const reached = await post(agent, `/survey/${id}/step/3`, {
      action: 'next',
      ...needsBody([needLine()]),
    });
    expect(reached.headers.location).toBe(`/survey/${id}/step/4`);
    // Back on the lines, a second one saved for later as typed: nothing is lost, nothing checked.
    const saved = await post(agent, `/survey/${id}/step/3`, {
      action: 'save',
      ...needsBody([needLine(), needLine({ workers: 'dodici' })]),
    });
    expect(saved.status).toBe(302);
    const review = await agent.get(`/survey/${id}/step/4`);
    expect(review.status).toBe(200);
    const html = decodeEntities(review.text);
    expect(html).toMatch(/Fabbisogno n\. 2 — [^:<]+: [^<]+/);
    expect(html).not.toContain('Nessun fabbisogno indicato.');
    expect(html).toContain('Le righe dei fabbisogni hanno punti da correggere');
    expect(html).not.toContain(`action="/survey/${id}/submit"`);
  });
});
