import { loadConfig } from '../src/config';
import { migrateToLatest } from '../src/db/migrator';
import { openDatabase } from '../src/db/open';
import { demoBanner, seedDemo } from '../src/db/seed-demo';
import { loadBuiltinReference } from '../src/modules/reference/builtin';

/** npm run seed:demo: the demo organisations and users (never in production). */
async function main() {
  const config = loadConfig();
  if (config.production) throw new Error('seed:demo refuses to run with NODE_ENV=production');
  const database = await openDatabase(config);
  try {
    await migrateToLatest(database.db);
    await loadBuiltinReference(database.db);
    const created = await seedDemo(database.db);
    console.log(
      created.length
        ? `Created ${created.length} demo accounts.`
        : 'Demo accounts already present.',
    );
    console.log(demoBanner());
  } finally {
    await database.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
