import fs from 'node:fs';
import pg from 'pg';
import { state } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  if (state.admin && state.template) {
    const client = new pg.Client({ connectionString: state.admin });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${state.template}`);
    await client.end();
  }
  for (const inst of state.instances.values()) await inst.db.stop().catch(() => undefined);
  state.instances.clear();
  await new Promise((resolve) => (state.server ? state.server.close(resolve) : resolve(undefined)));
  for (const dir of state.dirs) fs.rmSync(dir, { recursive: true, force: true });
}
