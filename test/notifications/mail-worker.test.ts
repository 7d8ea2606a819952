import { createLogger } from '../../src/logger';
import { startMailWorker, type MailWorker } from '../../src/modules/notifications/mail-worker';
import { notify } from '../../src/modules/notifications/notify';
import { configureNotifications } from '../../src/modules/notifications/settings';
import { newUser } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import {
  freePort,
  messageIdOf,
  startBlackHole,
  startMailbox,
  waitFor,
  type Mailbox,
} from './helpers';

let t: TestDb;
const workers: MailWorker[] = [];
const boxes: Mailbox[] = [];
beforeAll(async () => {
  t = await newTestDb();
  configureNotifications({ email: true, publicUrl: 'https://patto.example' });
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
  await Promise.all(boxes.splice(0).map((b) => b.close()));
  // Each test sees only its own e-mails.
  await t.db.updateTable('notifications').set({ email_id: null }).execute();
  await t.db.deleteFrom('email_outbox').execute();
});
afterAll(() => t.close());

const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent', false);
function worker(port: number, extra: Partial<Parameters<typeof startMailWorker>[0]> = {}) {
  const w = startMailWorker({
    db: t.db,
    logger,
    smtpUrl: `smtp://127.0.0.1:${port}`,
    from: 'Patto <no-reply@patto.example>',
    pollMs: 30,
    ...extra,
  });
  workers.push(w);
  return w;
}
async function mailbox(port = 0) {
  const box = await startMailbox(port);
  boxes.push(box);
  return box;
}
const outbox = () =>
  t.db.selectFrom('email_outbox').selectAll().orderBy('created_at').orderBy('id').execute();
const allIn = (status: string) => async () =>
  (await outbox()).every((r) => r.status === status) && (await outbox()).length > 0;

async function queue(count = 1) {
  const user = await newUser(t.db, { role: 'social_partner' });
  for (let i = 0; i < count; i++)
    await notify(t.db, {
      userIds: [user.id],
      kind: 'pact_signed',
      params: { pact: `Patto ${i}`, organisation: 'CGIL Toscana', revision: 3 },
      link: `/pacts/${i}`,
    });
  return user;
}

describe('mail worker', () => {
  it('delivers a queued e-mail once and records its Message-ID', async () => {
    const box = await mailbox();
    const user = await queue();
    worker(box.port);
    await waitFor(allIn('sent'), 'the e-mail to be sent');
    const [row] = await outbox();
    expect(row).toMatchObject({ status: 'sent', attempts: 0, to_address: user.email });
    expect(row!.message_id).toBe(`<${row!.id}@patto.example>`);
    expect(box.messages).toHaveLength(1);
    expect(messageIdOf(box.messages[0]!)).toBe(row!.message_id);
    expect(box.messages[0]).toContain('https://patto.example/pacts/0');
    // Later passes find nothing to do: still one message.
    await workers[0]!.tick();
    await workers[0]!.tick();
    expect(box.messages).toHaveLength(1);
  });

  it('after a crash between claim and confirm, marks the e-mail uncertain and never resends it', async () => {
    const box = await mailbox();
    await queue();
    // What a worker killed mid-send leaves behind.
    await t.db
      .updateTable('email_outbox')
      .set({ status: 'sending', claimed_at: new Date(Date.now() - 3600_000) })
      .execute();
    const w = worker(box.port);
    await waitFor(allIn('uncertain'), 'the abandoned e-mail to be flagged');
    await w.tick();
    expect(box.messages).toHaveLength(0);
    expect((await outbox())[0]!.last_error).toContain('stopped between claiming');
  });

  it('leaves a fresh claim of another live worker alone', async () => {
    const box = await mailbox();
    await queue();
    await t.db
      .updateTable('email_outbox')
      .set({ status: 'sending', claimed_at: new Date() })
      .execute();
    await worker(box.port).tick();
    expect((await outbox())[0]!.status).toBe('sending');
    expect(box.messages).toHaveLength(0);
  });

  it('retries while the SMTP server is down, then delivers once it is up', async () => {
    const port = await freePort();
    await queue();
    worker(port, { backoffMs: () => 100 });
    await waitFor(async () => (await outbox())[0]!.attempts >= 1, 'a failed attempt');
    const failed = (await outbox())[0]!;
    expect(failed.status).toBe('pending');
    expect(failed.last_error).toMatch(/ECONNREFUSED|connect/i);
    const box = await mailbox(port);
    await waitFor(allIn('sent'), 'the e-mail to be sent once SMTP is up');
    expect(box.messages).toHaveLength(1);
  });

  it('gives up after 5 attempts', async () => {
    const port = await freePort();
    await queue();
    worker(port, { backoffMs: () => 10 });
    await waitFor(allIn('failed'), 'the e-mail to fail');
    expect((await outbox())[0]!.attempts).toBe(5);
  });

  it('marks a message the server rejects for good as failed, without retrying', async () => {
    const box = await startMailbox(0, { rejectWith: 550 });
    boxes.push(box);
    await queue();
    worker(box.port);
    await waitFor(allIn('failed'), 'the rejected e-mail to fail');
    expect((await outbox())[0]).toMatchObject({ attempts: 1 });
    expect((await outbox())[0]!.last_error).toContain('550');
  });

  it('marks an e-mail uncertain, not resent, when the connection drops after the message went out', async () => {
    const hole = await startBlackHole();
    boxes.push({ port: hole.port, messages: [], close: hole.close });
    await queue();
    const w = worker(hole.port, { backoffMs: () => 10 });
    await waitFor(allIn('uncertain'), 'the e-mail to be flagged uncertain');
    await w.tick();
    await w.tick();
    expect(hole.received()).toBe(1);
    expect((await outbox())[0]).toMatchObject({ attempts: 1, sent_at: null });
  });

  it('two workers on the same outbox deliver each e-mail exactly once', async () => {
    const box = await mailbox();
    await queue(30);
    worker(box.port, { batchSize: 3 });
    worker(box.port, { batchSize: 3 });
    await waitFor(allIn('sent'), 'all 30 e-mails to be sent');
    const ids = box.messages.map(messageIdOf);
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
    expect(new Set((await outbox()).map((r) => r.message_id))).toEqual(new Set(ids));
  });
});
