import crypto from 'node:crypto';
import { csrfOfForm, loginAs, testApp, type Agent } from '../helpers/app';
import { newUser, PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { newPact } from '../pacts/factories';
import { notify, type NotificationKind } from '../../src/modules/notifications/notify';
import { removeSignatory } from '../../src/modules/pacts/signatories.service';

let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
});
afterAll(() => t.close());

async function noteFor(userId: string, kind: NotificationKind, link: string, pact: string) {
  await notify(t.db, { userIds: [userId], kind, params: { pact, actor: 'Comune' }, link });
  return t.db
    .selectFrom('notifications')
    .select('id')
    .where('user_id', '=', userId)
    .where('link', '=', link)
    .executeTakeFirstOrThrow();
}

async function open(agent: Agent, id: string) {
  const _csrf = await csrfOfForm(agent, '/inbox', `/inbox/${id}/open`);
  return agent.post(`/inbox/${id}/open`).type('form').send({ _csrf });
}

const readAt = async (id: string) =>
  (
    await t.db
      .selectFrom('notifications')
      .select('read_at')
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
  ).read_at;

describe('POST /inbox/:id/open, once the page is out of reach', () => {
  it('tells a removed signatory why, in the inbox, and marks the notification read', async () => {
    const promoter = await newUser(t.db, { role: 'local_authority' });
    const removed = await newUser(t.db, { role: 'social_partner' });
    const stays = await newUser(t.db, { role: 'social_partner' });
    const pact = await newPact(t.db, {
      promoter,
      status: 'negotiation',
      title: 'Patto Meccatronica',
      signatories: [removed.organisationId, stays.organisationId],
    });
    const invited = await noteFor(removed.id, 'pact_invited', `/pacts/${pact.id}`, pact.title);
    const amendment = await noteFor(
      removed.id,
      'amendment_proposed',
      `/pacts/${pact.id}/amendments/${crypto.randomUUID()}`,
      pact.title,
    );
    const staysNote = await noteFor(stays.id, 'pact_invited', `/pacts/${pact.id}`, pact.title);
    await removeSignatory(t.db, promoter, pact.id, removed.organisationId, 1);

    const agent = await loginAs(testApp(t), removed.email, PASSWORD);
    const res = await open(agent, invited.id);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/inbox');
    expect(await readAt(invited.id)).toBeInstanceOf(Date);
    const inbox = await agent.get('/inbox');
    expect(inbox.text).toContain(
      'Non puoi più vedere questo patto: la tua organizzazione non ne è più firmataria.',
    );
    expect(inbox.text).not.toContain('Pagina non trovata');
    // The link of the e-mail that came with it goes to the pact itself: still 404, saying why.
    const direct = await agent.get(`/pacts/${pact.id}/negotiation`);
    expect(direct.status).toBe(404);
    expect(direct.text).toContain('la tua organizzazione non ne è più firmataria');

    await agent.get('/inbox?lang=en');
    const en = await open(agent, amendment.id);
    expect(en.headers.location).toBe('/inbox');
    expect((await agent.get('/inbox')).text).toContain(
      'You can no longer see this pact: your organisation is no longer one of its signatories.',
    );

    // Still a signatory: the notification opens the pact as before.
    const other = await loginAs(testApp(t), stays.email, PASSWORD);
    const ok = await open(other, staysNote.id);
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe(`/pacts/${pact.id}`);
    expect((await other.get(`/pacts/${pact.id}`)).status).toBe(200);
  });

  it('says only that the page is no longer available to anyone else, naming nothing', async () => {
    const promoter = await newUser(t.db, { role: 'local_authority' });
    const stranger = await newUser(t.db, { role: 'local_authority', territory: 'ITI15' });
    const pact = await newPact(t.db, { promoter, title: 'Patto Riservato' });
    const note = await noteFor(stranger.id, 'pact_comment', `/pacts/${pact.id}/negotiation`, 'X');

    const agent = await loginAs(testApp(t), stranger.email, PASSWORD);
    const res = await open(agent, note.id);
    expect(res.headers.location).toBe('/inbox');
    const inbox = await agent.get('/inbox');
    expect(inbox.text).toContain('Questa pagina non è più disponibile per la tua organizzazione.');
    expect(inbox.text).not.toContain('Patto Riservato');
    expect(inbox.text).not.toContain('firmataria');
    const direct = await agent.get(`/pacts/${pact.id}`);
    expect(direct.status).toBe(404);
    expect(direct.text).not.toContain('firmataria');
    expect(await readAt(note.id)).toBeInstanceOf(Date);
  });

  it('goes back to the page of the inbox it was opened from', async () => {
    const promoter = await newUser(t.db, { role: 'local_authority' });
    const stranger = await newUser(t.db, { role: 'local_authority', territory: 'ITI15' });
    const pact = await newPact(t.db, { promoter, title: 'Patto Lontano' });
    const old = await noteFor(stranger.id, 'pact_comment', `/pacts/${pact.id}`, 'X');
    // Twenty newer ones push it to the second page.
    for (let i = 0; i < 20; i++) await noteFor(stranger.id, 'pact_comment', `/pacts/n${i}`, 'Y');

    const agent = await loginAs(testApp(t), stranger.email, PASSWORD);
    const _csrf = await csrfOfForm(agent, '/inbox?page=2', `/inbox/${old.id}/open`);
    const page = (await agent.get('/inbox?page=2')).text;
    const form = new RegExp(`action="/inbox/${old.id}/open"[\\s\\S]*?</form>`).exec(page)![0];
    expect(form).toContain('name="page" value="2"');
    const res = await agent.post(`/inbox/${old.id}/open`).type('form').send({ _csrf, page: '2' });
    expect(res.headers.location).toBe('/inbox?page=2');
    // A page that is not a page is the first one.
    const other = await noteFor(stranger.id, 'pact_comment', `/pacts/${pact.id}/audit`, 'Z');
    const bad = await agent
      .post(`/inbox/${other.id}/open`)
      .type('form')
      .send({ _csrf: await csrfOfForm(agent, '/inbox', `/inbox/${other.id}/open`), page: '-3' });
    expect(bad.headers.location).toBe('/inbox');
  });
});
