import { loadConfig } from '../src/config';
import { migrateToLatest } from '../src/db/migrator';
import { openDatabase } from '../src/db/open';

/** npm run migrate: applies pending migrations to DATABASE_URL or the embedded database. */
async function main() {
  const database = await openDatabase(loadConfig());
  try {
    const applied = await migrateToLatest(database.db);
    console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Already up to date.');
  } finally {
    await database.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
