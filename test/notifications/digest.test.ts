import { sql } from 'kysely';
import { createLogger } from '../../src/logger';
import { localDayAndHour, queueDigests } from '../../src/modules/notifications/digest';
import { startMailWorker } from '../../src/modules/notifications/mail-worker';
import { notify } from '../../src/modules/notifications/notify';
import { configureNotifications } from '../../src/modules/notifications/settings';
import { newUser } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { startMailbox, waitFor } from './helpers';

let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
  configureNotifications({ email: true, publicUrl: 'https://patto.example' });
});
afterAll(() => t.close());

const outboxOf = (userId: string) =>
  t.db
    .selectFrom('email_outbox')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .execute();
const say = (userId: string, pact: string) =>
  notify(t.db, {
    userIds: [userId],
    kind: 'pact_approved',
    params: { pact },
    link: `/pacts/${pact}`,
  });

async function digestUser(locale: string | null = null) {
  const user = await newUser(t.db, { role: 'local_authority' });
  await t.db
    .insertInto('notification_preferences')
    .values({ user_id: user.id, email_mode: 'digest' })
    .execute();
  if (locale) await t.db.updateTable('users').set({ locale }).where('id', '=', user.id).execute();
  return user;
}

describe('daily digest', () => {
  it('sends one e-mail a day with the unread notifications of the last 24 hours', async () => {
    const box = await startMailbox();
    const user = await digestUser();
    const immediate = await newUser(t.db, { role: 'local_authority' });
    await say(user.id, 'Alfa');
    await say(user.id, 'Beta');
    await say(user.id, 'Letto');
    await say(user.id, 'Vecchio');
    await t.db
      .updateTable('notifications')
      .set({ read_at: sql<Date>`now()` })
      .where('user_id', '=', user.id)
      .where('link', '=', '/pacts/Letto')
      .execute();
    await t.db
      .updateTable('notifications')
      .set({ created_at: sql<Date>`now() - interval '30 hours'` })
      .where('user_id', '=', user.id)
      .where('link', '=', '/pacts/Vecchio')
      .execute();
    await say(immediate.id, 'Gamma');

    const now = new Date();
    const worker = startMailWorker({
      db: t.db,
      logger: createLogger('silent', false),
      smtpUrl: `smtp://127.0.0.1:${box.port}`,
      from: 'Patto <no-reply@patto.example>',
      pollMs: 30,
      digestHour: localDayAndHour(now).hour,
      now: () => now,
    });
    try {
      await waitFor(
        async () => (await outboxOf(user.id)).some((r) => r.status === 'sent'),
        'the digest to be sent',
      );
      await worker.tick();
      await worker.tick();
    } finally {
      await worker.stop();
      await box.close();
    }
    const mails = await outboxOf(user.id);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ kind: 'digest', status: 'sent' });
    expect(mails[0]!.subject).toBe('[Patto] Riepilogo: 2 notifiche non lette');
    expect(mails[0]!.body).toContain('La Regione ha approvato il patto «Alfa».');
    expect(mails[0]!.body).toContain('https://patto.example/pacts/Beta');
    expect(mails[0]!.body).not.toContain('Letto');
    expect(mails[0]!.body).not.toContain('Vecchio');
    const toDigestUser = box.messages.filter((m) => m.includes(`To: ${user.email}`));
    expect(toDigestUser).toHaveLength(1);
    // The immediate user got their own e-mail, and no digest.
    expect((await outboxOf(immediate.id)).map((r) => r.kind)).toEqual(['pact_approved']);
    const carried = await t.db
      .selectFrom('notifications')
      .select('link')
      .where('email_id', '=', mails[0]!.id)
      .orderBy('link')
      .execute();
    expect(carried.map((c) => c.link)).toEqual(['/pacts/Alfa', '/pacts/Beta']);
  });

  it('the next day sends only what is new, in the user language, and nothing when nothing is', async () => {
    const user = await digestUser('en');
    const today = new Date();
    await say(user.id, 'One');
    expect(await queueDigests(t.db, today, 0)).toBeGreaterThanOrEqual(1);
    expect(await queueDigests(t.db, today, 0)).toBe(0);
    // A day passes: yesterday's digest is the last one.
    const aDayPasses = () =>
      t.db
        .updateTable('notification_preferences')
        .set({ digest_sent_on: sql<string>`digest_sent_on - 1` })
        .where('user_id', '=', user.id)
        .execute();
    await aDayPasses();
    expect(await queueDigests(t.db, today, 0)).toBe(0);
    expect(await outboxOf(user.id)).toHaveLength(1);
    await say(user.id, 'Two');
    await aDayPasses();
    await queueDigests(t.db, today, 0);
    const mails = await outboxOf(user.id);
    expect(mails).toHaveLength(2);
    expect(mails[1]!.subject).toBe('[Patto] Summary: 1 unread notification');
    expect(mails[1]!.body).toContain('“Two”');
    expect(mails[1]!.body).not.toContain('“One”');
  });

  it('waits for the digest hour', async () => {
    const user = await digestUser();
    await say(user.id, 'Presto');
    expect(await queueDigests(t.db, new Date(), 24)).toBe(0);
    expect(await outboxOf(user.id)).toEqual([]);
  });

  it("reads the day in Italy's time zone", () => {
    expect(localDayAndHour(new Date('2026-11-23T23:30:00Z'))).toEqual({
      day: '2026-11-24',
      hour: 0,
    });
    expect(localDayAndHour(new Date('2026-07-01T21:59:00Z'))).toEqual({
      day: '2026-07-01',
      hour: 23,
    });
  });
});
