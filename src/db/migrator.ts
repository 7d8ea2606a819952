import fs from 'node:fs';
import path from 'node:path';
import {
  Migrator,
  type Kysely,
  type Migration,
  type MigrationProvider,
  type MigrationResultSet,
} from 'kysely';

export const MIGRATIONS_DIR = path.resolve(__dirname, '../../migrations');

/** Reads migrations/*.ts with require(), which works under tsx, jest and plain node alike. */
class DirectoryMigrationProvider implements MigrationProvider {
  constructor(private readonly dir: string) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    const migrations: Record<string, Migration> = {};
    for (const file of fs.readdirSync(this.dir).sort()) {
      if (!/^\d{4}_\d{2}_\d{2}_\d{4}_[a-z0-9_]+\.(ts|js)$/.test(file)) continue;
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      migrations[file.replace(/\.(ts|js)$/, '')] = require(path.join(this.dir, file)) as Migration;
    }
    return migrations;
  }
}

export function createMigrator(db: Kysely<any>, dir = MIGRATIONS_DIR): Migrator {
  return new Migrator({ db, provider: new DirectoryMigrationProvider(dir) });
}

export class MigrationError extends Error {}

/** Applies every pending migration; returns the names applied (empty when up to date). */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const { error, results }: MigrationResultSet = await createMigrator(db).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new MigrationError(
      `migration ${failed} failed: ${String((error as Error).message ?? error)}`,
    );
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
