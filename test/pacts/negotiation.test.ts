import type { Express } from 'express';
import request from 'supertest';
import { csrfFrom, csrfOfForm, loginAs, submitForm, type Agent } from '../helpers/app';
import { quarterFromNow } from '../helpers/dates';
import { errorSummary } from '../helpers/error-summary';
import { PASSWORD } from '../helpers/factories';
import type { TestDb } from '../helpers/test-db';
import { newPact } from './factories';
import { pactScenario, signedInScenario, type PactScenario } from './scenario';

let t: TestDb;
let app: Express;
let s: PactScenario;
let authority: Agent;
let employers: Agent;
let union: Agent;

beforeAll(async () => {
  ({ t, app, s, authority, employers, union } = await signedInScenario());
});
afterAll(() => t.close());

const pactRow = (id: string) =>
  t.db.selectFrom('pacts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const amendmentRow = (id: string) =>
  t.db.selectFrom('pact_amendments').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

/** A pact in negotiation with both partners invited (the union is left out with `onlyEmployers`). */
async function negotiating(onlyEmployers = false) {
  return newPact(t.db, {
    promoter: s.authority,
    campaign: s.campaign.id,
    status: 'negotiation',
    actions: [{ title: 'Robotica di base', participants: 5, hours: 40 }, { title: 'Sicurezza' }],
    signatories: onlyEmployers
      ? [s.employers.organisationId]
      : [s.employers.organisationId, s.union.organisationId],
  });
}

const board = (id: string) => `/pacts/${id}/negotiation`;
const actionBody = (extra: Record<string, string | string[]> = {}) => ({
  title: 'Robotica di base',
  description: '',
  skills: ['F40.a'],
  participants: '5',
  hours: '40',
  modality: 'classroom',
  eqfLevel: '4',
  // The factory's quarter, so that an amendment of the title changes the title only.
  period: quarterFromNow(1),
  provider: '',
  ...extra,
});

async function propose(
  agent: Agent,
  pactId: string,
  body: Record<string, string | string[]>,
): Promise<request.Response> {
  return submitForm(agent, `/pacts/${pactId}/amendments/new`, body, `/pacts/${pactId}/amendments`);
}
const idFrom = (res: request.Response) =>
  /amendments\/([0-9a-f-]{36})/.exec(res.headers.location!)![1]!;

describe('comments', () => {
  it('threads comments on the pact and on an action, bound to the revision', async () => {
    const pact = await negotiating();
    const onAction = await submitForm(
      employers,
      board(pact.id),
      { actionId: pact.actions[0]!.id, body: 'Servono più ore\nper la parte pratica.' },
      `/pacts/${pact.id}/comments`,
    );
    expect(onAction.status).toBe(302);
    const onPact = await submitForm(
      authority,
      board(pact.id),
      { actionId: '', body: 'Ne parliamo giovedì.' },
      `/pacts/${pact.id}/comments`,
    );
    expect(onPact.status).toBe(302);
    const rows = await t.db
      .selectFrom('pact_comments')
      .selectAll()
      .where('pact_id', '=', pact.id)
      .execute();
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.revision === 1)).toBe(true);
    const page = await union.get(board(pact.id));
    expect(page.text).toContain('Sull&#x27;azione «Robotica di base»');
    expect(page.text).toContain('Servono più ore');
    const told = await t.db
      .selectFrom('notifications')
      .innerJoin('users', 'users.id', 'notifications.user_id')
      .select('users.organisation_id')
      .where('kind', '=', 'pact_comment')
      .where('link', 'like', `/pacts/${pact.id}%`)
      .execute();
    expect(told.map((r) => r.organisation_id)).toContain(s.union.organisationId);
  });

  it('keeps one comment from a double click, and a different one after it', async () => {
    const pact = await negotiating();
    const _csrf = await csrfFrom(union, board(pact.id));
    const send = (body: string) =>
      union.post(`/pacts/${pact.id}/comments`).type('form').send({ actionId: '', body, _csrf });
    const clicks = await Promise.all([send('Va bene così.'), send('Va bene così.')]);
    expect(clicks.map((r) => r.status)).toEqual([302, 302]);
    expect(clicks[0]!.headers.location).toBe(clicks[1]!.headers.location);
    const bodies = async () =>
      (
        await t.db
          .selectFrom('pact_comments')
          .select('body')
          .where('pact_id', '=', pact.id)
          .orderBy('created_at')
          .execute()
      ).map((r) => r.body);
    expect(await bodies()).toEqual(['Va bene così.']);
    const told = await t.db
      .selectFrom('notifications')
      .select('id')
      .where('kind', '=', 'pact_comment')
      .where('link', 'like', `/pacts/${pact.id}%`)
      .execute();
    // Told once: the promoter and the employers, not twice each.
    expect(told).toHaveLength(2);
    // Something else, or the same words on an action, is a new comment.
    expect((await send('Anzi, servono più ore.')).status).toBe(302);
    expect(
      (
        await union
          .post(`/pacts/${pact.id}/comments`)
          .type('form')
          .send({ actionId: pact.actions[0]!.id, body: 'Va bene così.', _csrf })
      ).status,
    ).toBe(302);
    expect(await bodies()).toEqual(['Va bene così.', 'Anzi, servono più ore.', 'Va bene così.']);
  });

  it('refuses an oversized comment with 422, keeping the text', async () => {
    const pact = await negotiating();
    const long = `Inizio ${'x'.repeat(2001)}`;
    const res = await submitForm(
      employers,
      board(pact.id),
      { actionId: '', body: long },
      `/pacts/${pact.id}/comments`,
    );
    expect(res.status).toBe(422);
    expect(res.text).toContain(long);
    expect(res.text).toContain('error-summary');
    const n = await t.db
      .selectFrom('pact_comments')
      .select('id')
      .where('pact_id', '=', pact.id)
      .execute();
    expect(n).toHaveLength(0);
  });

  it('answers 404 to an organisation not invited, and writes nothing', async () => {
    const pact = await negotiating(true);
    expect((await union.get(board(pact.id))).status).toBe(404);
    const res = await submitForm(
      union,
      '/pacts',
      { actionId: '', body: 'Ci sono anch’io' },
      `/pacts/${pact.id}/comments`,
    );
    expect(res.status).toBe(404);
    const stranger = await loginAs(app, s.stranger.email, PASSWORD);
    expect((await stranger.get(`/pacts/${pact.id}/document`)).status).toBe(404);
  });
});

describe('positions and the board', () => {
  it('shows each party’s position per action and what blocks agreement', async () => {
    const pact = await negotiating();
    const a = pact.actions[0]!.id;
    const r1 = await submitForm(
      employers,
      board(pact.id),
      { position: 'object', note: 'Troppo costosa' },
      `/pacts/${pact.id}/actions/${a}/position`,
    );
    expect(r1.status).toBe(302);
    const r2 = await submitForm(
      union,
      board(pact.id),
      { position: 'agree', note: '' },
      `/pacts/${pact.id}/actions/${a}/position`,
    );
    expect(r2.status).toBe(302);
    // Setting it again replaces it.
    await submitForm(
      employers,
      board(pact.id),
      { position: 'object', note: 'Troppo costosa, davvero' },
      `/pacts/${pact.id}/actions/${a}/position`,
    );
    // Each row's form carries the session's CSRF token (a browser posts that one, not the header's).
    const mine = await employers.get(board(pact.id));
    const token =
      /\/position"[^>]*>\s*(?:\{\{!--[^]*?--\}\})?\s*<input type="hidden" name="_csrf" value="([^"]*)"/.exec(
        mine.text,
      );
    expect(token?.[1]).toMatch(/^[0-9a-f]{20,}$/);
    const rows = await t.db
      .selectFrom('pact_positions')
      .selectAll()
      .where('pact_id', '=', pact.id)
      .execute();
    expect(rows).toHaveLength(2);
    const page = await authority.get(board(pact.id));
    expect(page.status).toBe(200);
    expect(page.text).toContain('Troppo costosa, davvero');
    // One sentence, its items apart: the parity item has a colon of its own.
    expect(page.text).toContain(
      'Ostacoli all&#x27;accordo: 1 obiezione; 2 firme mancanti; parità: manca ancora la firma',
    );
    expect((await authority.get(`${board(pact.id)}?lang=en`)).text).toContain(
      'Blocking agreement: 1 objection; 2 signatures missing; parity:',
    );
    await authority.get(`${board(pact.id)}?lang=it`);
    // The promoter has no position of its own.
    const own = await submitForm(
      authority,
      board(pact.id),
      { position: 'agree', note: '' },
      `/pacts/${pact.id}/actions/${a}/position`,
    );
    expect(own.status).toBe(403);
  });
});

describe('POST /pacts/:id/actions/:actionId/position', () => {
  const noteOf = (html: string, actionId: string) =>
    new RegExp(`id="field-note-${actionId}"[^>]*value="([^"]*)"`).exec(html)?.[1];
  const chosen = (html: string, actionId: string) =>
    new RegExp(`id="field-position-${actionId}"[^]*?<option value="(\\w+)" selected`).exec(
      html,
    )?.[1];

  it('keeps the chosen position and the note when the save is refused, and saves nothing', async () => {
    const pact = await negotiating();
    const a = pact.actions[0]!.id;
    const path = `/pacts/${pact.id}/actions/${a}/position`;
    const long = await submitForm(
      union,
      board(pact.id),
      { position: 'amend', note: 'x'.repeat(600) },
      path,
    );
    expect(long.status).toBe(422);
    expect(long.text).toContain('Inserisci al massimo 500 caratteri');
    expect(chosen(long.text, a)).toBe('amend');
    expect(noteOf(long.text, a)).toBe('x'.repeat(600));

    // The only domain refusal, negotiation closed meanwhile, removes the form itself: it says why.
    await t.db
      .updateTable('pacts')
      .set({ status: 'submitted' })
      .where('id', '=', pact.id)
      .execute();
    const closed = await submitForm(
      union,
      board(pact.id),
      { position: 'object', note: 'No' },
      path,
    );
    expect(closed.status).toBe(409);
    expect(closed.text).toContain('La negoziazione di questo patto è chiusa');
    const rows = await t.db
      .selectFrom('pact_positions')
      .selectAll()
      .where('pact_id', '=', pact.id)
      .execute();
    expect(rows).toEqual([]);
  });
});

describe('amendments', () => {
  it('asks what the amendment is about, then shows the current text to change', async () => {
    const pact = await negotiating();
    const a = pact.actions[0]!;
    const choose = await employers.get(`/pacts/${pact.id}/amendments/new`);
    expect(choose.status).toBe(200);
    expect(choose.text).toContain('Che cosa vuoi proporre?');
    const form = await employers.get(
      `/pacts/${pact.id}/amendments/new?kind=change_action&action=${a.id}`,
    );
    expect(form.status).toBe(200);
    expect(form.text).toContain('value="Robotica di base"');
    expect(form.text).toContain('name="revision" value="1"');
    expect((await authority.get(`/pacts/${pact.id}/amendments/new`)).status).toBe(403);
  });

  it('proposes a change, shows it as an accessible word diff, and the promoter accepts it as revision 2', async () => {
    const pact = await negotiating();
    const a = pact.actions[0]!;
    const res = await propose(employers, pact.id, {
      kind: 'change_action',
      actionId: a.id,
      revision: '1',
      rationale: 'Più ore di pratica',
      ...actionBody({ title: 'Robotica collaborativa avanzata', hours: '60' }),
    });
    expect(res.status).toBe(302);
    const id = idFrom(res);
    const page = await authority.get(`/pacts/${pact.id}/amendments/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<del><span class="visually-hidden">\[tolto: <\/span>40/);
    expect(page.text).toMatch(/<ins><span class="visually-hidden">\[aggiunto: <\/span>60/);
    expect(page.text).toContain('collaborativa avanzata');
    // Skills by name, with their code, in the reader's language (another proposal, left open).
    const skills = await propose(employers, pact.id, {
      kind: 'change_action',
      actionId: a.id,
      revision: '1',
      rationale: 'Anche le competenze digitali di base',
      ...actionBody({ skills: ['F40.a', 'DC1.1'] }),
    });
    const skillsPage = await authority.get(`/pacts/${pact.id}/amendments/${idFrom(skills)}`);
    expect(skillsPage.text).toContain('Big data e analisi dei dati (F40.a)');
    expect(skillsPage.text).toMatch(/Navigare, ricercare e filtrare dati[^<]*\(DC1\.1\)/);

    // A signatory cannot decide.
    const bySignatory = await submitForm(
      employers,
      `/pacts/${pact.id}/amendments/${id}`,
      { revision: '1', decision: 'accept', reason: '' },
      `/pacts/${pact.id}/amendments/${id}/decide`,
    );
    expect(bySignatory.status).toBe(403);

    const ok = await submitForm(
      authority,
      `/pacts/${pact.id}/amendments/${id}`,
      { revision: '1', decision: 'accept', reason: '' },
      `/pacts/${pact.id}/amendments/${id}/decide`,
    );
    expect(ok.status).toBe(302);
    const after = await pactRow(pact.id);
    expect(after.revision).toBe(2);
    const action = await t.db
      .selectFrom('pact_actions')
      .selectAll()
      .where('id', '=', a.id)
      .executeTakeFirstOrThrow();
    expect(action).toMatchObject({ title: 'Robotica collaborativa avanzata', hours: 60 });
    expect(await amendmentRow(id)).toMatchObject({ status: 'accepted', result_revision: 2 });
  });

  it('requires a reason to decline, keeps the pact unchanged', async () => {
    const pact = await negotiating();
    const res = await propose(employers, pact.id, {
      kind: 'change_pact',
      revision: '1',
      rationale: 'Titolo più chiaro',
      title: 'Patto per la manifattura 4.0',
      summary: 'A test pact',
    });
    const id = idFrom(res);
    const noReason = await submitForm(
      authority,
      `/pacts/${pact.id}/amendments/${id}`,
      { revision: '1', decision: 'decline', reason: '' },
      `/pacts/${pact.id}/amendments/${id}/decide`,
    );
    expect(noReason.status).toBe(422);
    expect(noReason.text).toContain('serve una motivazione');
    expect((await amendmentRow(id)).status).toBe('open');
    // A decision the form does not offer (a crafted post): the summary's link leads to the
    // buttons, which it named by an id no element had.
    const crafted = await submitForm(
      authority,
      `/pacts/${pact.id}/amendments/${id}`,
      { revision: '1', decision: 'maybe', reason: 'x' },
      `/pacts/${pact.id}/amendments/${id}/decide`,
    );
    expect(crafted.status).toBe(422);
    const links = errorSummary(crafted.text);
    expect(links.map((l) => l.href)).toContain('#field-decision');
    for (const { href } of links) expect(crafted.text).toContain(`id="${href.slice(1)}"`);
    expect((await amendmentRow(id)).status).toBe('open');
    const declined = await submitForm(
      authority,
      `/pacts/${pact.id}/amendments/${id}`,
      { revision: '1', decision: 'decline', reason: 'Il titolo è quello del bando' },
      `/pacts/${pact.id}/amendments/${id}/decide`,
    );
    expect(declined.status).toBe(302);
    expect(await amendmentRow(id)).toMatchObject({
      status: 'declined',
      decision_reason: 'Il titolo è quello del bando',
    });
    expect((await pactRow(pact.id)).revision).toBe(1);
  });

  it('accepts a proposal on a stale revision whose fields did not move, and marks outdated one whose did', async () => {
    const pact = await negotiating();
    const [a, b] = pact.actions;
    const onA = idFrom(
      await propose(employers, pact.id, {
        kind: 'change_action',
        actionId: a!.id,
        revision: '1',
        rationale: 'Titolo',
        ...actionBody({ title: 'Robotica per PMI' }),
      }),
    );
    const onTitle = idFrom(
      await propose(union, pact.id, {
        kind: 'change_action',
        actionId: a!.id,
        revision: '1',
        rationale: 'Altro titolo',
        ...actionBody({ title: 'Cobot in officina' }),
      }),
    );
    const removeB = idFrom(
      await propose(union, pact.id, {
        kind: 'remove_action',
        actionId: b!.id,
        revision: '1',
        rationale: 'Già coperta da un altro patto',
      }),
    );
    const accept = (id: string, revision: number) =>
      submitForm(
        authority,
        `/pacts/${pact.id}/amendments/${id}`,
        { revision: String(revision), decision: 'accept', reason: '' },
        `/pacts/${pact.id}/amendments/${id}/decide`,
      );
    expect((await accept(onA, 1)).status).toBe(302); // revision 2
    // Removing B: proposed on revision 1, B untouched since → still applies.
    expect((await accept(removeB, 2)).status).toBe(302); // revision 3
    expect((await amendmentRow(removeB)).status).toBe('accepted');
    const gone = await t.db
      .selectFrom('pact_actions')
      .select('id')
      .where('id', '=', b!.id)
      .execute();
    expect(gone).toHaveLength(0);
    // The other title change: its field changed since → outdated, with a clear message.
    const onBoard = await authority.get(board(pact.id));
    expect(onBoard.text).toContain('superato dal testo corrente');
    const view = await authority.get(`/pacts/${pact.id}/amendments/${onTitle}`);
    expect(view.text).toContain('Emendamento superato');
    const res = await accept(onTitle, 3);
    expect(res.status).toBe(409);
    expect(res.text).toContain('sono cambiati i campi che modifica (Titolo)');
    expect((await amendmentRow(onTitle)).status).toBe('outdated');
    expect((await pactRow(pact.id)).revision).toBe(3);
  });

  it('shows the partner, on the proposal form, the needs it may see, as the promoter sees them', async () => {
    const pact = await negotiating();
    const form = await employers.get(`/pacts/${pact.id}/amendments/new?kind=add_action`);
    expect(form.status).toBe(200);
    // F40.a: 12 workers, published; DC1.1: one firm's need, protected for the partner.
    expect(form.text).toMatch(/\(F40\.a\) ·\s*12 lavoratori dichiarati/);
    expect(form.text).toMatch(/\(DC1\.1\) ·\s*protetto/);
    expect(form.text).not.toMatch(/\(DC1\.1\) ·\s*\d/);
    expect(form.text).toContain('Da 1 a 10.000; non oltre il fabbisogno dichiarato che resta.');
  });

  it('refuses a proposal moving an action to a quarter before the survey opened', async () => {
    const pact = await negotiating();
    const res = await propose(employers, pact.id, {
      kind: 'change_action',
      actionId: pact.actions[0]!.id,
      revision: '1',
      rationale: 'Anticipare',
      ...actionBody({ period: '2020-Q1' }),
    });
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/id="error-period"[^>]*>[^<]*Indica un trimestre dal 2026-Q1 in poi/);
    expect(res.text).toContain('value="2020-Q1"');
    expect(res.text).toContain('Anticipare');
    const written = await t.db
      .selectFrom('pact_amendments')
      .select('id')
      .where('pact_id', '=', pact.id)
      .execute();
    expect(written).toEqual([]);
  });

  it('refuses a proposal asking more participants than firms declared, when it is made', async () => {
    // F40.a: 12 workers declared in the campaign, far fewer than the 500 proposed.
    const pact = await negotiating();
    const a = pact.actions[0]!;
    const body = {
      kind: 'change_action',
      actionId: a.id,
      revision: '1',
      rationale: 'Tutti i lavoratori',
      ...actionBody({ participants: '500' }),
    };
    const res = await propose(employers, pact.id, body);
    expect(res.status).toBe(409);
    expect(res.text).toMatch(
      /id="error-participants"[^>]*>[^<]*I partecipanti previsti per «[^»]+» superano il fabbisogno dichiarato/,
    );
    expect(res.text).toContain('value="500"');
    expect(res.text).toContain('Tutti i lavoratori');
    // A session of its own: ?lang=en stays with the session, the next cases read Italian.
    const english = await loginAs(app, s.employers.email, PASSWORD);
    const en = await submitForm(
      english,
      `/pacts/${pact.id}/amendments/new?lang=en`,
      body,
      `/pacts/${pact.id}/amendments`,
    );
    expect(en.status).toBe(409);
    expect(en.text).toContain('exceed the need declared');
    const added = await propose(employers, pact.id, {
      kind: 'add_action',
      revision: '1',
      rationale: 'Un altro corso',
      ...actionBody({ title: 'Robotica avanzata', participants: '500' }),
    });
    expect(added.status).toBe(409);
    const written = await t.db
      .selectFrom('pact_amendments')
      .select('id')
      .where('pact_id', '=', pact.id)
      .execute();
    expect(written).toEqual([]);
    const actions = await t.db
      .selectFrom('pact_actions')
      .select(['title', 'participants'])
      .where('pact_id', '=', pact.id)
      .orderBy('position')
      .execute();
    expect(actions).toEqual([
      { title: 'Robotica di base', participants: 5 },
      { title: 'Sicurezza', participants: 5 },
    ]);
  });

  it('lets a proposal on a need protected for its author through, saying nothing of the figure', async () => {
    // DC1.1: one firm's need, suppressed for the partner; a refusal would measure it.
    const pact = await negotiating();
    const res = await propose(employers, pact.id, {
      kind: 'add_action',
      revision: '1',
      rationale: 'Competenze digitali',
      ...actionBody({ title: 'Dati digitali', skills: ['DC1.1'], participants: '500' }),
    });
    expect(res.status).toBe(302);
    expect((await amendmentRow(idFrom(res))).status).toBe('open');
  });

  it('applies needs backing to an accepted amendment: nothing changes when the need was taken meanwhile', async () => {
    // A campaign of its own: 12 F40.a workers declared, this pact plans 5.
    const own = await pactScenario(t.db);
    const pact = await newPact(t.db, {
      promoter: own.authority,
      campaign: own.campaign.id,
      status: 'negotiation',
      actions: [{ title: 'Robotica di base', participants: 5, hours: 40 }],
      signatories: [own.employers.organisationId],
    });
    const a = pact.actions[0]!;
    const partner = await loginAs(app, own.employers.email, PASSWORD);
    const proposed = await propose(partner, pact.id, {
      kind: 'change_action',
      actionId: a.id,
      revision: '1',
      rationale: 'Più partecipanti',
      ...actionBody({ participants: '10' }),
    });
    expect(proposed.status).toBe(302);
    const id = idFrom(proposed);
    // Another pact of the territory takes 4 of the 7 places left: 10 no longer fits.
    await newPact(t.db, {
      promoter: own.authority,
      campaign: own.campaign.id,
      status: 'negotiation',
      actions: [{ participants: 4 }],
    });
    const promoter = await loginAs(app, own.authority.email, PASSWORD);
    const res = await submitForm(
      promoter,
      `/pacts/${pact.id}/amendments/${id}`,
      { revision: '1', decision: 'accept', reason: '' },
      `/pacts/${pact.id}/amendments/${id}/decide`,
    );
    expect(res.status).toBe(409);
    expect(res.text).toContain('superano il fabbisogno');
    expect((await amendmentRow(id)).status).toBe('open');
    expect((await pactRow(pact.id)).revision).toBe(1);
    const action = await t.db
      .selectFrom('pact_actions')
      .select('participants')
      .where('id', '=', a.id)
      .executeTakeFirstOrThrow();
    expect(action.participants).toBe(5);
  });

  it('refuses to withdraw an amendment once the pact is submitted (negotiation closed)', async () => {
    const pact = await negotiating();
    const id = idFrom(
      await propose(employers, pact.id, {
        kind: 'remove_action',
        actionId: pact.actions[1]!.id,
        revision: '1',
        rationale: 'Non serve',
      }),
    );
    await t.db
      .updateTable('pacts')
      .set({ status: 'submitted' })
      .where('id', '=', pact.id)
      .execute();
    const path = `/pacts/${pact.id}/amendments/${id}`;
    // The board says the round is over, not what would still block an agreement.
    const onBoard = await employers.get(board(pact.id));
    expect(onBoard.text).toMatch(
      /id="blocking-line"><strong>La negoziazione di questo patto è chiusa \(stato: Presentato\)\./,
    );
    // The page says why the open proposal can no longer move, and offers no withdrawal.
    const shown = await employers.get(path);
    expect(shown.text).toContain(
      'la proposta resta aperta, ma non può essere accolta, respinta né ritirata',
    );
    expect(shown.text).not.toContain(`${path}/withdraw`);
    const ask = await employers.get(`${path}/withdraw`);
    expect(ask.status).toBe(302);
    expect(ask.headers.location).toBe(path);
    const res = await submitForm(employers, path, {}, `${path}/withdraw`);
    expect(res.status).toBe(409);
    expect(res.text).toContain('La negoziazione di questo patto è chiusa (stato: Presentato)');
    expect((await amendmentRow(id)).status).toBe('open');
  });

  it('lets only the proposing organisation withdraw its open amendment', async () => {
    const pact = await negotiating();
    const id = idFrom(
      await propose(employers, pact.id, {
        kind: 'remove_action',
        actionId: pact.actions[1]!.id,
        revision: '1',
        rationale: 'Non serve',
      }),
    );
    const path = `/pacts/${pact.id}/amendments/${id}`;
    expect((await submitForm(union, path, {}, `${path}/withdraw`)).status).toBe(403);
    expect((await amendmentRow(id)).status).toBe('open');
    expect((await submitForm(employers, path, {}, `${path}/withdraw`)).status).toBe(302);
    expect((await amendmentRow(id)).status).toBe('withdrawn');
    const late = await submitForm(
      authority,
      path,
      { revision: '1', decision: 'accept', reason: '' },
      `${path}/decide`,
    );
    expect(late.status).toBe(409);
    expect(late.text).toContain('Questo emendamento non è più aperto (stato: Ritirato).');
    expect((await pactRow(pact.id)).revision).toBe(1);
    // Withdrawn again (a double click, a second tab): done, as the first click said.
    const twice = await submitForm(employers, path, {}, `${path}/withdraw`);
    expect([twice.status, twice.headers.location]).toEqual([302, path]);
    expect((await employers.get(path)).text).not.toContain('non è più aperto');
    expect((await amendmentRow(id)).status).toBe('withdrawn');
  });

  it('says the negotiation is closed before the amendment form, not after it is filled in', async () => {
    const pact = await negotiating();
    await t.db
      .updateTable('pacts')
      .set({ status: 'submitted' })
      .where('id', '=', pact.id)
      .execute();
    for (const q of ['', '?kind=change_pact']) {
      const res = await employers.get(`/pacts/${pact.id}/amendments/new${q}`);
      expect(res.status).toBe(302);
      expect(res.headers.location).toBe(`/pacts/${pact.id}/negotiation`);
    }
    const board = await employers.get(`/pacts/${pact.id}/negotiation`);
    expect(board.text).toContain('La negoziazione di questo patto è chiusa (stato: Presentato).');
  });

  it('asks before withdrawing an amendment, which cannot be reopened', async () => {
    const pact = await negotiating();
    const id = idFrom(
      await propose(employers, pact.id, {
        kind: 'remove_action',
        actionId: pact.actions[1]!.id,
        revision: '1',
        rationale: 'Non serve',
      }),
    );
    const path = `/pacts/${pact.id}/amendments/${id}`;
    const page = await employers.get(path);
    expect(page.text).not.toContain(`action="${path}/withdraw"`);
    expect(page.text).toContain(`href="${path}/withdraw"`);
    const confirm = await employers.get(`${path}/withdraw`);
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain('non si può riaprire');
    expect(confirm.text).toContain(`action="${path}/withdraw"`);
    expect(confirm.text).toContain(`href="${path}"`);
    expect((await amendmentRow(id)).status).toBe('open');
    // Not the proposer's: no confirmation to show.
    expect((await union.get(`${path}/withdraw`)).status).toBe(403);
    expect((await submitForm(employers, `${path}/withdraw`, {})).status).toBe(302);
    expect((await amendmentRow(id)).status).toBe('withdrawn');
    // Withdrawn already: the confirmation page sends back to the proposal.
    const again = await employers.get(`${path}/withdraw`);
    expect(again.status).toBe(302);
    expect(again.headers.location).toBe(path);
  });

  it('asks again what the proposal is about when a post names a kind the form never offers', async () => {
    const pact = await negotiating();
    const res = await propose(employers, pact.id, { kind: 'bogus', revision: '1', rationale: 'x' });
    expect(res.status).toBe(422);
    expect(res.text).toContain(
      '<a href="#field-kind">Tipo di proposta: Scegli uno dei valori proposti</a>',
    );
    expect(res.text).toContain('id="error-kind"');
    expect(res.text).not.toContain('negotiation.kind.');
    expect(res.text).not.toContain('Tipo di file');
  });

  it('keeps one proposal from a double click, and a different one after it', async () => {
    const pact = await negotiating();
    const path = `/pacts/${pact.id}/amendments/new?kind=change_pact`;
    const _csrf = await csrfOfForm(employers, path, `/pacts/${pact.id}/amendments`);
    const send = (title: string) =>
      employers.post(`/pacts/${pact.id}/amendments`).type('form').send({
        kind: 'change_pact',
        revision: '1',
        title,
        summary: '',
        rationale: 'Più chiaro',
        _csrf,
      });
    const clicks = await Promise.all([send('Robotica per tutti'), send('Robotica per tutti')]);
    expect(clicks.map((r) => r.status)).toEqual([302, 302]);
    expect(clicks[0]!.headers.location).toBe(clicks[1]!.headers.location);
    const rows = () =>
      t.db.selectFrom('pact_amendments').select('id').where('pact_id', '=', pact.id).execute();
    expect(await rows()).toHaveLength(1);
    expect(
      (
        await t.db
          .selectFrom('pact_audit')
          .select('seq')
          .where('pact_id', '=', pact.id)
          .where('event', '=', 'amendment_proposed')
          .execute()
      ).length,
    ).toBe(1);
    expect((await send('Robotica per tutte le imprese')).status).toBe(302);
    expect(await rows()).toHaveLength(2);
  });

  it('lands a double click on a decision on the amendment, decided once', async () => {
    const pact = await negotiating();
    const id = idFrom(
      await propose(employers, pact.id, {
        kind: 'change_pact',
        revision: '1',
        title: 'Robotica per tutti',
        summary: '',
        rationale: 'Più chiaro',
      }),
    );
    const path = `/pacts/${pact.id}/amendments/${id}`;
    const _csrf = await csrfOfForm(authority, path, `${path}/decide`);
    const clicks = await Promise.all(
      [1, 2].map(() =>
        authority
          .post(`${path}/decide`)
          .type('form')
          .send({ revision: '1', decision: 'accept', reason: '', _csrf }),
      ),
    );
    expect(clicks.map((r) => [r.status, r.headers.location])).toEqual([
      [302, path],
      [302, path],
    ]);
    expect((await pactRow(pact.id)).revision).toBe(2);
    expect(await amendmentRow(id)).toMatchObject({ status: 'accepted', result_revision: 2 });
    const shown = await authority.get(path);
    expect(shown.text).not.toContain('non è più aperto');
    // Another decision afterwards (a page left open) is still refused, saying why.
    const late = await submitForm(
      authority,
      path,
      { revision: '2', decision: 'decline', reason: 'No' },
      `${path}/decide`,
    );
    expect(late.status).toBe(409);
    expect(late.text).toContain('Questo emendamento non è più aperto (stato: Accolto).');
  });

  it('refuses a proposal from a stale form, keeping what was typed', async () => {
    const pact = await negotiating();
    await submitForm(authority, `/pacts/${pact.id}/edit`, {
      revision: '1',
      title: 'Nuovo titolo',
      summary: '',
      callId: '',
    });
    const res = await propose(employers, pact.id, {
      kind: 'change_pact',
      revision: '1',
      rationale: 'La mia proposta',
      title: 'Titolo proposto',
      summary: '',
    });
    expect(res.status).toBe(409);
    expect(res.text).toContain('Titolo proposto');
    expect(res.text).toContain('ora revisione 2');
  });
});

describe('a signatory editing the pact directly', () => {
  it('is refused: actions change only through amendments', async () => {
    const pact = await negotiating();
    const a = pact.actions[0]!;
    const token = /name="_csrf" value="([^"]+)"/.exec(
      (await employers.get(board(pact.id))).text,
    )![1];
    const res = await employers
      .post(`/pacts/${pact.id}/actions/${a.id}/edit`)
      .type('form')
      .send({ _csrf: token, revision: '1', ...actionBody({ participants: '9' }) });
    expect(res.status).toBe(403);
    const api = await request(app)
      .post(`/api/v1/pacts/${pact.id}/actions`)
      .set('Authorization', `Bearer ${await s.token(s.employers.id)}`)
      .send({ revision: 1, ...actionBody() });
    expect(api.status).toBe(403);
    expect((await pactRow(pact.id)).revision).toBe(1);
  });
});

describe('API: commentOnPact, proposeAmendment, decideAmendment, setPosition', () => {
  it('runs the negotiation through the same services', async () => {
    // A campaign of its own: the other tests' pacts claim all of the F40.a need of s.campaign.
    const own = await pactScenario(t.db);
    const pact = await newPact(t.db, {
      promoter: own.authority,
      campaign: own.campaign.id,
      status: 'negotiation',
      actions: [{ title: 'Robotica di base', participants: 5, hours: 40 }, { title: 'Sicurezza' }],
      signatories: [own.employers.organisationId, own.union.organisationId],
    });
    const partner = { Authorization: `Bearer ${await own.token(own.union.id)}` };
    const promoter = { Authorization: `Bearer ${await own.token(own.authority.id)}` };
    const c = await request(app)
      .post(`/api/v1/pacts/${pact.id}/comments`)
      .set(partner)
      .send({ body: 'Via API' });
    expect(c.status).toBe(201);
    const tooLong = await request(app)
      .post(`/api/v1/pacts/${pact.id}/comments`)
      .set(partner)
      .send({ body: 'x'.repeat(2001) });
    expect(tooLong.status).toBe(422);
    const p = await request(app)
      .put(`/api/v1/pacts/${pact.id}/actions/${pact.actions[0]!.id}/position`)
      .set(partner)
      .send({ position: 'amend', note: 'Vedi emendamento' });
    expect(p.status).toBe(200);
    const am = await request(app)
      .post(`/api/v1/pacts/${pact.id}/amendments`)
      .set(partner)
      .send({
        kind: 'add_action',
        revision: 1,
        rationale: 'Manca la sicurezza',
        // F40.a: published to the authority (a need protected for it cannot be planned on).
        ...actionBody({ title: 'Sicurezza 4.0', skills: ['F40.a'], participants: '2' }),
      });
    expect(am.status).toBe(201);
    const bySignatory = await request(app)
      .post(`/api/v1/pacts/${pact.id}/amendments/${am.body.id}/decision`)
      .set(partner)
      .send({ revision: 1, decision: 'accept' });
    expect(bySignatory.status).toBe(403);
    const d = await request(app)
      .post(`/api/v1/pacts/${pact.id}/amendments/${am.body.id}/decision`)
      .set(promoter)
      .send({ revision: 1, decision: 'accept' });
    expect(d.status).toBe(200);
    expect(d.body).toEqual({ status: 'accepted', revision: 2, repeated: false });
    const actions = await t.db
      .selectFrom('pact_actions')
      .select('title')
      .where('pact_id', '=', pact.id)
      .execute();
    expect(actions.map((x) => x.title)).toContain('Sicurezza 4.0');

    // A retry after a timeout: the same decision, answered as made, applied and told once.
    const audit = () =>
      t.db.selectFrom('pact_audit').select('seq').where('pact_id', '=', pact.id).execute();
    const notes = () => t.db.selectFrom('notifications').select('id').execute();
    const [auditBefore, notesBefore] = [(await audit()).length, (await notes()).length];
    const decide = (body: object) =>
      request(app)
        .post(`/api/v1/pacts/${pact.id}/amendments/${am.body.id}/decision`)
        .set(promoter)
        .send(body);
    const again = await decide({ revision: 1, decision: 'accept' });
    expect([again.status, again.body]).toEqual([
      200,
      { status: 'accepted', revision: 2, repeated: true },
    ]);
    expect([(await audit()).length, (await notes()).length]).toEqual([auditBefore, notesBefore]);
    expect((await pactRow(pact.id)).revision).toBe(2);
    // Another decision on it is a conflict, saying why.
    const other = await decide({ revision: 2, decision: 'decline', reason: 'No' });
    expect([other.status, other.body.detail]).toEqual([
      409,
      'Questo emendamento non è più aperto (stato: Accolto).',
    ]);
  });
});
