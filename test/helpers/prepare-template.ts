// Run by global-setup with tsx: migrates the template database and loads the built-in reference
// set, exactly as the app does at start.
import { createDb } from '../../src/db';
import { migrateToLatest } from '../../src/db/migrator';
import { loadBuiltinReference } from '../../src/modules/reference/builtin';

async function main() {
  const { db } = createDb(process.argv[2]!, 2);
  try {
    await migrateToLatest(db);
    await loadBuiltinReference(db);
  } finally {
    await db.destroy();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
