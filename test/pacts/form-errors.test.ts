import type { Express } from 'express';
import { loginAs, submitForm, type Agent } from '../helpers/app';
import { errorSummary, expectSummaryNamesFields } from '../helpers/error-summary';
import { PASSWORD } from '../helpers/factories';
import type { TestDb } from '../helpers/test-db';
import { newPact } from './factories';
import { signedInScenario, type PactScenario } from './scenario';

let t: TestDb;
let app: Express;
let s: PactScenario;
let authority: Agent;
let employers: Agent;

beforeAll(async () => {
  ({ t, app, s, authority, employers } = await signedInScenario());
});
afterAll(() => t.close());

async function negotiating() {
  return newPact(t.db, {
    promoter: s.authority,
    campaign: s.campaign.id,
    status: 'negotiation',
    actions: [{ title: 'Robotica di base', participants: 5, hours: 40 }],
    signatories: [s.employers.organisationId, s.union.organisationId],
  });
}

const badAction = {
  title: '',
  description: '',
  participants: '-3',
  hours: 'abc',
  modality: 'x',
  eqfLevel: '9',
  period: '2027',
  provider: '',
};
const actionLines = (lang: 'it' | 'en') =>
  lang === 'it'
    ? [
        { href: '#field-title', text: 'Titolo: Campo obbligatorio' },
        { href: '#field-skills', text: expect.stringMatching(/^Competenze coperte: /) },
        { href: '#field-participants', text: expect.stringMatching(/^Partecipanti: /) },
        { href: '#field-hours', text: expect.stringMatching(/^Ore: /) },
        { href: '#field-modality', text: expect.stringMatching(/^Modalità: /) },
        { href: '#field-eqfLevel', text: expect.stringMatching(/^Livello EQF: /) },
        { href: '#field-period', text: expect.stringMatching(/^Periodo: /) },
      ]
    : [{ href: '#field-hours', text: expect.stringMatching(/^Hours: /) }];

/**
 * The authority in a session of its own, in Italian: an earlier case switched it to English,
 * which its account keeps, so a new login follows it until Italian is chosen again.
 */
async function inItalian(): Promise<Agent> {
  const agent = await loginAs(app, s.authority.email, PASSWORD);
  await agent.get('/?lang=it');
  return agent;
}

describe('the error summaries of the pact forms name each field', () => {
  it('on the pact edit form', async () => {
    const pact = await negotiating();
    const res = await submitForm(authority, `/pacts/${pact.id}/edit`, {
      revision: '1',
      title: '',
      summary: 'x'.repeat(4001),
      callId: '',
    });
    expect(res.status).toBe(422);
    expectSummaryNamesFields(res.text, 2);
    expect(errorSummary(res.text)[0]).toEqual({
      href: '#field-title',
      text: 'Titolo: Campo obbligatorio',
    });
  });

  it("on an action's form, in Italian and English", async () => {
    const pact = await newPact(t.db, { promoter: s.authority, campaign: s.campaign.id });
    const path = `/pacts/${pact.id}/actions/new`;
    const actions = () => t.db.selectFrom('pact_actions').where('pact_id', '=', pact.id).execute();
    const before = await actions();
    const res = await submitForm(
      authority,
      path,
      { revision: '1', ...badAction },
      `/pacts/${pact.id}/actions`,
    );
    expect(res.status).toBe(422);
    expect(errorSummary(res.text)).toEqual(actionLines('it'));
    const en = await submitForm(
      authority,
      `${path}?lang=en`,
      { revision: '1', ...badAction },
      `/pacts/${pact.id}/actions`,
    );
    expect(errorSummary(en.text)).toEqual(expect.arrayContaining(actionLines('en')));
    expect(await actions()).toEqual(before);
  });

  it("on a partner's amendment", async () => {
    const pact = await negotiating();
    const actionId = pact.actions[0]!.id;
    const res = await submitForm(
      employers,
      `/pacts/${pact.id}/amendments/new?kind=change_action&action=${actionId}`,
      { kind: 'change_action', actionId, revision: '1', rationale: 'x'.repeat(2001), ...badAction },
      `/pacts/${pact.id}/amendments`,
    );
    expect(res.status).toBe(422);
    expect(errorSummary(res.text)).toEqual([
      ...actionLines('it'),
      { href: '#field-rationale', text: 'Motivazione: Inserisci al massimo 2000 caratteri' },
    ]);
  });

  it("on the board's comment and position forms, naming the action", async () => {
    const pact = await negotiating();
    const board = `/pacts/${pact.id}/negotiation`;
    const comment = await submitForm(
      employers,
      board,
      { body: '', actionId: '' },
      `/pacts/${pact.id}/comments`,
    );
    expect(comment.status).toBe(422);
    expectSummaryNamesFields(comment.text, 1);
    expect(errorSummary(comment.text)[0]!.text).toBe('Commento: Campo obbligatorio');

    const actionId = pact.actions[0]!.id;
    const position = await submitForm(
      employers,
      board,
      { position: 'maybe', note: 'x'.repeat(501) },
      `/pacts/${pact.id}/actions/${actionId}/position`,
    );
    expect(position.status).toBe(422);
    expectSummaryNamesFields(position.text, 2);
    expect(errorSummary(position.text)).toEqual([
      {
        href: `#field-position-${actionId}`,
        text: expect.stringMatching(/^1\. Robotica di base — Posizione: /),
      },
      {
        href: `#field-note-${actionId}`,
        text: '1. Robotica di base — Nota (facoltativa): Inserisci al massimo 500 caratteri',
      },
    ]);
  });

  it('on the invitation of a signatory', async () => {
    const pact = await newPact(t.db, { promoter: s.authority, campaign: s.campaign.id });
    const res = await submitForm(authority, `/pacts/${pact.id}/signatories`, {
      revision: '1',
      organisationId: 'not-an-id',
    });
    expect(res.status).toBe(422);
    expectSummaryNamesFields(res.text, 1);
  });

  it('on choices left on "— Scegli —": required, not a format error', async () => {
    const pact = await negotiating();
    const italian = await inItalian();
    const invite = await submitForm(italian, `/pacts/${pact.id}/signatories`, {
      revision: '1',
      organisationId: '',
    });
    expect(invite.status).toBe(422);
    expect(errorSummary(invite.text)).toEqual([
      { href: '#field-organisationId', text: 'Organizzazione: Campo obbligatorio' },
    ]);
    const action = await submitForm(
      italian,
      `/pacts/${pact.id}/actions/new`,
      {
        revision: '1',
        title: 'Robotica',
        description: '',
        skills: 'F40.a',
        participants: '1',
        hours: '10',
        modality: '',
        eqfLevel: '',
        period: '2027-Q1',
        provider: '',
      },
      `/pacts/${pact.id}/actions`,
    );
    expect(action.status).toBe(422);
    expect(errorSummary(action.text)).toEqual([
      { href: '#field-modality', text: expect.stringMatching(/^Modalità: /) },
      { href: '#field-eqfLevel', text: 'Livello EQF: Campo obbligatorio' },
    ]);
  });

  it('on inviting an organisation already on the list, saying so', async () => {
    const pact = await negotiating();
    const italian = await inItalian();
    const res = await submitForm(italian, `/pacts/${pact.id}/signatories`, {
      revision: '1',
      organisationId: s.union.organisationId,
    });
    expect(res.status).toBe(422);
    expect(errorSummary(res.text)).toEqual([
      {
        href: '#field-organisationId',
        text: 'Organizzazione: Questa organizzazione è già tra i firmatari invitati del patto.',
      },
    ]);
  });
});
