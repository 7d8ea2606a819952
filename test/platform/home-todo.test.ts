import type { Express } from 'express';
import { formatDate } from '../../src/lib/format';
import { previousQuarter } from '../../src/modules/home/todo';
import { romeToday } from '../../src/modules/survey/calendar';
import { loginAs } from '../helpers/app';
import { pageText } from '../helpers/html';
import { newUser, PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { testApp } from '../helpers/app';
import { newPact } from '../pacts/factories';
import { pactScenario, type PactScenario } from '../pacts/scenario';

/** The home page's "Da fare" list, as text. */
async function todo(app: Express, email: string, lang = 'it'): Promise<string[]> {
  const agent = await loginAs(app, email, PASSWORD);
  const res = await agent.get(`/?lang=${lang}`);
  expect(res.status).toBe(200);
  const section = /<section[^>]*aria-labelledby="todo-title">([\s\S]*?)<\/section>/.exec(res.text);
  if (!section) return [];
  return [...section[1]!.matchAll(/<(li|p)[^>]*>([\s\S]*?)<\/\1>/g)].map((m) => pageText(m[2]!));
}

describe('home page: what waits for each user', () => {
  let t: TestDb;
  let app: Express;
  let s: PactScenario;
  let pacts: Record<string, string>;

  beforeAll(async () => {
    t = await newTestDb();
    app = testApp(t);
    s = await pactScenario(t.db);
    const both = [s.employers.organisationId, s.union.organisationId];
    const pact = async (
      title: string,
      status: Parameters<typeof newPact>[1]['status'],
      signatories: string[] = [],
    ) =>
      (
        await newPact(t.db, {
          promoter: s.authority,
          campaign: s.campaign.id,
          callId: s.callId,
          title,
          status,
          signatories,
        })
      ).id;
    pacts = {
      draft: await pact('Patto in bozza', 'draft'),
      agreed: await pact('Patto concordato', 'agreed', both),
      returned: await pact('Patto restituito', 'returned', both),
      negotiation: await pact('Patto in trattativa', 'negotiation', both),
      alone: await pact('Patto senza firmatari', 'negotiation'),
      submitted: await pact('Patto presentato', 'submitted', both),
      running: await pact('Patto avviato', 'in_progress', both),
      reported: await pact('Patto rendicontato', 'in_progress', both),
    };
    // The employers signed the negotiation's revision in force; the union not yet.
    await t.db
      .insertInto('pact_signatures')
      .values({
        pact_id: pacts.negotiation!,
        organisation_id: s.employers.organisationId,
        revision: 1,
        revision_hash: '0'.repeat(64),
        signed_by: s.employers.id,
      })
      .execute();
    await t.db
      .insertInto('pact_amendments')
      .values({
        pact_id: pacts.negotiation!,
        kind: 'change_pact',
        base_revision: 1,
        base: '{}',
        proposal: '{}',
        proposed_by: s.union.id,
        organisation_id: s.union.organisationId,
      })
      .execute();
    await t.db
      .updateTable('pacts')
      .set({ submitted_at: new Date('2026-11-20T10:00:00Z') })
      .where('id', '=', pacts.submitted!)
      .execute();
    // Both running pacts were approved a year ago; one reported the quarter just ended.
    await t.db
      .updateTable('pacts')
      .set({ decided_at: new Date(Date.now() - 365 * 86_400_000) })
      .where('id', 'in', [pacts.running!, pacts.reported!])
      .execute();
    const action = await t.db
      .selectFrom('pact_actions')
      .select('id')
      .where('pact_id', '=', pacts.reported!)
      .executeTakeFirstOrThrow();
    await t.db
      .insertInto('action_outcomes')
      .values({
        action_id: action.id,
        pact_id: pacts.reported!,
        period: previousQuarter(romeToday()),
        enrolled: 0,
        completed: 0,
        hours_delivered: 10,
        spent_cents: 10_000,
        reported_by: s.authority.id,
      })
      .execute();
  });
  afterAll(() => t.close());

  it('tells the promoter what each of its pacts waits for, with a link to it', async () => {
    const items = await todo(app, s.authority.email);
    const quarter = previousQuarter(romeToday());
    expect(items).toEqual(
      expect.arrayContaining([
        '«Patto concordato»: tutti i firmatari hanno firmato la revisione 1. Presentatelo alla Regione.',
        '«Patto restituito» vi è stato restituito dalla Regione con osservazioni: rivedetelo e presentatelo di nuovo.',
        '«Patto in bozza» è una bozza: completate le azioni, invitate i firmatari e avviate la negoziazione.',
        '«Patto in trattativa»: 1 firmatario su 2 ha firmato la revisione 1.',
        '«Patto in trattativa»: 1 emendamento attende la vostra decisione.',
        '«Patto senza firmatari» è in negoziazione senza firmatari: invitate le parti sociali.',
        `«Patto avviato»: nessun monitoraggio ancora inviato per il trimestre ${quarter}, appena concluso.`,
      ]),
    );
    expect(items).toHaveLength(7);
    // A submitted pact waits for the region, a reported one for nothing.
    expect(items.join('\n')).not.toMatch(/Patto presentato|Patto rendicontato/);
    const res = await (await loginAs(app, s.authority.email, PASSWORD)).get('/');
    expect(res.text).toContain(`href="/pacts/${pacts.running}/execution"`);
    expect(res.text).toContain(`href="/pacts/${pacts.negotiation}/negotiation"`);
  });

  it('asks a signatory for its signature until it has signed the revision in force', async () => {
    const promoter = s.authority.organisationName;
    const union = await todo(app, s.union.email);
    expect(union).toEqual([
      `«Patto in trattativa» (${promoter}): si attende la firma della vostra organizzazione sulla revisione 1.`,
    ]);
    expect(await todo(app, s.employers.email)).toEqual(['Niente vi aspetta adesso.']);
    expect(await todo(app, s.union.email, 'en')).toEqual([
      `“Patto in trattativa” (${promoter}): your organisation's signature on revision 1 is awaited.`,
    ]);
  });

  it("lists the region's pacts to review, its running surveys and its open calls", async () => {
    const items = await todo(app, s.region.email);
    const call = await t.db
      .selectFrom('funding_calls')
      .select('deadline')
      .where('id', '=', s.callId)
      .executeTakeFirstOrThrow();
    expect(items).toEqual([
      `«Patto presentato» (${s.authority.organisationName}), presentato in data 20 novembre 2026: da istruire.`,
      expect.stringMatching(/^Indagine «.+»: chiusura prevista .+; 7 imprese hanno risposto\.$/),
      `Avviso «Avviso formazione 4.0»: scadenza ${formatDate(call.deadline, 'it', { style: 'long' })}; disponibili 1.000.000,00 € su 1.000.000,00 €.`,
    ]);
    const res = await (await loginAs(app, s.region.email, PASSWORD)).get('/');
    expect(res.text).toContain(`href="/pacts/${pacts.submitted}/review"`);
  });

  it('says so when nothing waits, and shows no list to a firm', async () => {
    const stranger = await newUser(t.db, { role: 'local_authority', territory: 'ITI15' });
    expect(await todo(app, stranger.email)).toEqual(['Niente vi aspetta adesso.']);
    const firm = await newUser(t.db, { role: 'firm' });
    expect(await todo(app, firm.email)).toEqual([]);
  });
});
