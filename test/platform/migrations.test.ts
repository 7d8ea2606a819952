import { sql } from 'kysely';
import { migrateToLatest } from '../../src/db/migrator';
import { newTestDb, type TestDb } from '../helpers/test-db';
import fs from 'node:fs';
import path from 'node:path';

let t: TestDb;
beforeAll(async () => {
  t = await newTestDb({ empty: true });
});
afterAll(() => t.close());

describe('migrations', () => {
  it('apply on an empty database, and a second run does nothing', async () => {
    const files = fs
      .readdirSync(path.resolve(__dirname, '../../migrations'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => f.replace(/\.ts$/, ''));
    const first = await migrateToLatest(t.db);
    expect(first).toEqual(files.sort());
    const second = await migrateToLatest(t.db);
    expect(second).toEqual([]);
    const { rows } = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM kysely_migration`.execute(t.db);
    expect(rows[0]!.n).toBe(files.length);
    const tables = await sql<{ table_name: string }>`
      SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`.execute(t.db);
    expect(tables.rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining(['users', 'organisations', 'territories', 'session']),
    );
  });
});
