import type { Config } from './config';
import type { Db } from './db';
import { migrateToLatest } from './db/migrator';
import { demoBanner, hasNoUsers, seedDemo } from './db/seed-demo';
import type { Logger } from './logger';
import { loadBuiltinReference } from './modules/reference/builtin';

/** What runs before the app serves: migrations, the built-in reference set, the demo data. */
export async function prepareDatabase(db: Db, config: Config, logger: Logger): Promise<void> {
  if (config.MIGRATE_ON_START) {
    const applied = await migrateToLatest(db);
    if (applied.length) logger.info({ applied }, 'migrations applied');
  }
  await loadBuiltinReference(db);
  // Only a newcomer's empty embedded database gets demo data, never production.
  if (
    config.SEED_DEMO === 'auto' &&
    config.embedded &&
    !config.production &&
    (await hasNoUsers(db))
  ) {
    await seedDemo(db);
    logger.info('demo data created');
    console.log(`\n${demoBanner()}\n`);
  }
}
