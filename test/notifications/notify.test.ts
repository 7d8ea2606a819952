import { newTestDb, type TestDb } from '../helpers/test-db';
import { newUser } from '../helpers/factories';
import { notify, NOTIFICATION_KINDS } from '../../src/modules/notifications/notify';
import { notificationText, tFor } from '../../src/modules/notifications/render';
import { configureNotifications } from '../../src/modules/notifications/settings';
import { newColleague } from './helpers';

let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
});
afterAll(() => t.close());
beforeEach(() => configureNotifications({ email: true, publicUrl: 'https://patto.example/' }));

const inboxOf = (userId: string) =>
  t.db.selectFrom('notifications').selectAll().where('user_id', '=', userId).execute();
const outboxOf = (userId: string) =>
  t.db.selectFrom('email_outbox').selectAll().where('user_id', '=', userId).execute();

describe('notify', () => {
  it('fans out to every enabled user of the organisations, except the actor', async () => {
    const partner = await newUser(t.db, { role: 'social_partner' });
    const colleague = await newColleague(t.db, partner, { locale: 'en' });
    const disabled = await newColleague(t.db, partner, { disabled: true });
    const actor = await newUser(t.db, { role: 'local_authority' });
    const actorColleague = await newColleague(t.db, actor);
    const bystander = await newUser(t.db, { role: 'social_partner' });

    const n = await t.db.transaction().execute((tx) =>
      notify(tx, {
        organisationIds: [partner.organisationId, actor.organisationId],
        kind: 'pact_invited',
        params: { pact: 'Patto Empolese 2027', actor: 'Comune di Empoli' },
        link: '/pacts/123',
        exceptUserId: actor.id,
      }),
    );

    expect(n).toBe(3);
    for (const id of [partner.id, colleague.id, actorColleague.id]) {
      const [row] = await inboxOf(id);
      expect(row).toMatchObject({ kind: 'pact_invited', link: '/pacts/123', read_at: null });
      expect(row!.params).toEqual({ pact: 'Patto Empolese 2027', actor: 'Comune di Empoli' });
    }
    for (const id of [actor.id, disabled.id, bystander.id]) expect(await inboxOf(id)).toEqual([]);

    // Immediate e-mail by default, in each recipient's language, with an absolute link.
    const [it] = await outboxOf(partner.id);
    expect(it).toMatchObject({
      status: 'pending',
      to_address: partner.email,
      kind: 'pact_invited',
    });
    expect(it!.subject).toBe(
      '[Patto] Comune di Empoli ti ha invitato a negoziare e firmare il patto «Patto Empolese 2027».',
    );
    expect(it!.body).toContain('https://patto.example/pacts/123');
    expect(it!.body).toContain('https://patto.example/account/notifications');
    const [en] = await outboxOf(colleague.id);
    expect(en!.subject).toContain('invited you to negotiate and sign the pact');
    expect((await inboxOf(partner.id))[0]!.email_id).toBe(it!.id);
  });

  it('queues no e-mail for users who chose the digest or no e-mail', async () => {
    const digest = await newUser(t.db, { role: 'region' });
    const off = await newUser(t.db, { role: 'region' });
    await t.db
      .insertInto('notification_preferences')
      .values([
        { user_id: digest.id, email_mode: 'digest' },
        { user_id: off.id, email_mode: 'off' },
      ])
      .execute();
    await notify(t.db, {
      userIds: [digest.id, off.id],
      kind: 'pact_submitted',
      params: { pact: 'P' },
      link: '/pacts/1',
    });
    expect(await inboxOf(digest.id)).toHaveLength(1);
    expect(await inboxOf(off.id)).toHaveLength(1);
    expect(await outboxOf(digest.id)).toEqual([]);
    expect(await outboxOf(off.id)).toEqual([]);
  });

  it('queues no e-mail at all when e-mail is disabled (no SMTP_URL)', async () => {
    configureNotifications({ email: false });
    const user = await newUser(t.db);
    await notify(t.db, {
      userIds: [user.id],
      kind: 'delegation_revoked',
      params: { organisation: 'Tornerie' },
      link: '/',
    });
    expect(await inboxOf(user.id)).toHaveLength(1);
    expect(await outboxOf(user.id)).toEqual([]);
  });

  it("notifies nobody when the caller's transaction rolls back", async () => {
    const user = await newUser(t.db);
    await expect(
      t.db.transaction().execute(async (tx) => {
        await notify(tx, { userIds: [user.id], kind: 'pact_signed', params: {}, link: '/x' });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await inboxOf(user.id)).toEqual([]);
    expect(await outboxOf(user.id)).toEqual([]);
  });

  it('refuses a link to another site and an unknown kind', async () => {
    const user = await newUser(t.db);
    for (const link of ['https://evil.example/', '//evil.example/x', '/\\evil', 'pacts/1'])
      await expect(
        notify(t.db, { userIds: [user.id], kind: 'pact_signed', params: {}, link }),
      ).rejects.toThrow('local path');
    await expect(
      notify(t.db, { userIds: [user.id], kind: 'nope' as 'pact_signed', params: {}, link: '/' }),
    ).rejects.toThrow('unknown notification kind');
    expect(await inboxOf(user.id)).toEqual([]);
  });

  it('bounds long params so one notification cannot bloat every inbox', async () => {
    const user = await newUser(t.db);
    await notify(t.db, {
      userIds: [user.id],
      kind: 'pact_rejected',
      params: { pact: 'x'.repeat(5000), reason: 'r' },
      link: '/',
    });
    const [row] = await inboxOf(user.id);
    expect(String(row!.params.pact).length).toBeLessThanOrEqual(300);
  });

  it('has an Italian and an English text for every kind', () => {
    for (const lng of ['it', 'en']) {
      const t = tFor(lng);
      const unknown = t('notifications.kinds.unknown');
      for (const kind of NOTIFICATION_KINDS) {
        const text = notificationText(t, kind, { pact: 'P', actor: 'A', organisation: 'O' });
        expect(text).not.toBe(unknown);
        // A param left out reads as nothing, never as a raw placeholder.
        expect(text).not.toContain('{{');
      }
    }
  });

  it('says the reason of a decision when there is one', () => {
    const t = tFor('it');
    expect(notificationText(t, 'pact_returned', { pact: 'P' })).toBe(
      'La Regione ha rinviato il patto «P» con osservazioni.',
    );
    expect(
      notificationText(t, 'pact_returned', { pact: 'P', reason: 'manca il cofinanziamento' }),
    ).toBe('La Regione ha rinviato il patto «P» con osservazioni: manca il cofinanziamento');
  });
});
