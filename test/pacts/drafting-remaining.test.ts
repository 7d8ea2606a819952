import type { Express } from 'express';
import { loginAs, testApp, type Agent } from '../helpers/app';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { newPact } from './factories';
import { pactScenario, type PactScenario } from './scenario';

let t: TestDb;
let app: Express;
let s: PactScenario;
let authority: Agent;
let employers: Agent;

beforeAll(async () => {
  t = await newTestDb();
  app = testApp(t);
  s = await pactScenario(t.db);
  authority = await loginAs(app, s.authority.email, s.password);
  employers = await loginAs(app, s.employers.email, s.password);
});
afterAll(() => t.close());

/** The figures a skill's checkbox label gives on a drafting form ('' when not on it). */
const labelOf = (html: string, code: string) =>
  new RegExp(`\\(${code.replace('.', '\\.')}\\) ·\\s*([^<]*)<`).exec(html)?.[1]?.trim() ?? '';
/** The row of the new pact's needs table for a skill, as its cells' texts. */
const rowOf = (html: string, code: string) =>
  [
    ...(
      new RegExp(`\\(${code.replace('.', '\\.')}\\)</span></td>([\\s\\S]*?)</tr>`).exec(
        html,
      )?.[1] ?? ''
    ).matchAll(/<td[^>]*>(?:<em>)?([^<]*)/g),
  ].map((m) => m[1]!.trim());

describe('the drafting screens show what other active pacts leave of each need', () => {
  it('on the new pact, action and amendment forms, never for a protected figure', async () => {
    // F40.a: 12 workers declared in Firenze (048017), published to authorities and partners.
    const own = { promoter: s.authority, campaign: s.campaign.id, territory: '048017' };
    await newPact(t.db, { ...own, status: 'negotiation', actions: [{ participants: 5 }] });
    // Withdrawn: its claim is released.
    await newPact(t.db, { ...own, status: 'withdrawn', actions: [{ participants: 3 }] });
    const pact = await newPact(t.db, {
      ...own,
      status: 'negotiation',
      actions: [{ participants: 2 }],
      signatories: [s.employers.organisationId],
    });

    const fresh = await authority.get(`/pacts/new?campaign=${s.campaign.id}&territory=048017`);
    expect(rowOf(fresh.text, 'F40.a')).toEqual(['3', '12', '5']);
    // One firm's need: protected, and so is what remains of it.
    expect(rowOf(fresh.text, 'DC1.1')).toEqual(['protetto']);
    expect(fresh.text).toContain('<th scope="col" class="text-end">Ancora disponibili</th>');

    const adding = await authority.get(`/pacts/${pact.id}/actions/new`);
    expect(labelOf(adding.text, 'F40.a')).toBe('12 lavoratori dichiarati, ne restano 5');
    expect(labelOf(adding.text, 'DC1.1')).toBe('protetto');
    // Editing the pact's own action: its own 2 participants are not counted against it.
    const editing = await authority.get(
      `/pacts/${pact.id}/actions/${pact.actions[0]!.id}/edit?lang=en`,
    );
    expect(labelOf(editing.text, 'F40.a')).toBe('12 workers declared, 7 still available');
    expect(labelOf(editing.text, 'DC1.1')).toBe('protected');
    await authority.get(`/pacts/${pact.id}?lang=it`);

    const proposing = await employers.get(`/pacts/${pact.id}/amendments/new?kind=add_action`);
    expect(labelOf(proposing.text, 'F40.a')).toBe('12 lavoratori dichiarati, ne restano 5');
    expect(labelOf(proposing.text, 'DC1.1')).toBe('protetto');
    const changing = await employers.get(
      `/pacts/${pact.id}/amendments/new?kind=change_action&action=${pact.actions[0]!.id}`,
    );
    expect(labelOf(changing.text, 'F40.a')).toBe('12 lavoratori dichiarati, ne restano 7');

    // A province-wide pact draws on the same firms: the tightest level is what remains.
    await newPact(t.db, {
      promoter: s.authority,
      campaign: s.campaign.id,
      territory: 'ITI14',
      status: 'agreed',
      actions: [{ participants: 4 }],
    });
    const tighter = await authority.get(`/pacts/new?campaign=${s.campaign.id}&territory=048017`);
    expect(rowOf(tighter.text, 'F40.a')).toEqual(['3', '12', '1']);
    const full = await authority.get(`/pacts/${pact.id}/actions/new`);
    expect(labelOf(full.text, 'F40.a')).toBe('12 lavoratori dichiarati, ne resta 1');
  });
});
