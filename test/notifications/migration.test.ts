import { sql } from 'kysely';
import * as migration from '../../migrations/2026_11_23_1150_notifications';
import { newUser } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';

let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
});
afterAll(() => t.close());

const tables = async () =>
  (
    await sql<{ name: string }>`SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = current_schema()
        AND table_name IN ('notifications', 'notification_preferences', 'email_outbox')
      ORDER BY 1`.execute(t.db)
  ).rows.map((r) => r.name);

describe('migration 2026_11_23_1150_notifications', () => {
  it('goes down and up again', async () => {
    expect(await tables()).toHaveLength(3);
    await migration.down(t.db);
    expect(await tables()).toEqual([]);
    await migration.up(t.db);
    expect(await tables()).toEqual(['email_outbox', 'notification_preferences', 'notifications']);
  });

  it('refuses a link to another site and an unknown outbox status', async () => {
    const user = await newUser(t.db);
    for (const link of ['//evil.example', '/\\evil.example', 'https://evil.example'])
      await expect(
        sql`INSERT INTO notifications (user_id, kind, link)
            VALUES (${user.id}, 'pact_signed', ${link})`.execute(t.db),
      ).rejects.toThrow('check constraint');
    await sql`INSERT INTO notifications (user_id, kind, link)
              VALUES (${user.id}, 'pact_signed', '/')`.execute(t.db);
    await expect(
      sql`INSERT INTO email_outbox (to_address, subject, body, kind, status)
          VALUES ('a@b.c', 's', 'b', 'digest', 'lost')`.execute(t.db),
    ).rejects.toThrow('check constraint');
  });
});
