import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../../src/db/embedded';
import { adminUrl, CONTROL_ENV, TEMPLATE_ENV } from './mode';

/**
 * Migrates a template database once; every test file then gets its own copy (Immich's pattern).
 * PostgreSQL: CREATE DATABASE … TEMPLATE. PGlite: a copied data directory, served by a small
 * control server in this process (PGlite must run outside jest's module sandbox).
 */
const ROOT = path.resolve(__dirname, '../..');

// Asynchronous: the embedded server answering the child lives in this very process.
async function prepare(url: string): Promise<void> {
  await promisify(execFile)(
    path.join(ROOT, 'node_modules/.bin/tsx'),
    [path.join(__dirname, 'prepare-template.ts'), url],
    {
      env: { ...process.env, LOG_LEVEL: 'silent' },
    },
  );
}

interface State {
  server?: http.Server;
  instances: Map<string, { db: EmbeddedDatabase; dir: string }>;
  dirs: string[];
  template?: string;
  admin?: string;
}

export const state: State = ((globalThis as Record<string, unknown>).__pattoTest ??= {
  instances: new Map(),
  dirs: [],
}) as State;

export default async function globalSetup(): Promise<void> {
  const admin = adminUrl();
  if (admin) {
    const template = `patto_tpl_${process.pid}`;
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${template}`);
    await client.query(`CREATE DATABASE ${template}`);
    await client.end();
    const url = new URL(admin);
    url.pathname = `/${template}`;
    await prepare(url.toString());
    process.env[TEMPLATE_ENV] = template;
    state.template = template;
    state.admin = admin;
    console.log(`\nTests run on PostgreSQL (${url.host}), template database ${template}`);
    return;
  }

  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'patto-test-'));
  state.dirs.push(base);
  const emptyDir = path.join(base, 'empty');
  const templateDir = path.join(base, 'template');
  const bare = await startEmbeddedDatabase(emptyDir);
  await bare.stop();
  fs.cpSync(emptyDir, templateDir, { recursive: true });
  const tpl = await startEmbeddedDatabase(templateDir, { maxConnections: 4 });
  await prepare(tpl.url);
  await tpl.stop();

  let next = 0;
  state.server = http.createServer(async (req, res) => {
    // No keep-alive: a worker's next request could reuse a socket the server is just closing
    // (ECONNRESET under load). A handful of requests per test file: a new socket costs nothing.
    res.setHeader('Connection', 'close');
    try {
      const u = new URL(req.url ?? '/', 'http://x');
      if (u.pathname === '/new') {
        const id = String(++next);
        const dir = path.join(base, `db-${id}`);
        fs.cpSync(u.searchParams.get('empty') ? emptyDir : templateDir, dir, { recursive: true });
        const db = await startEmbeddedDatabase(dir, { maxConnections: 10 });
        state.instances.set(id, { db, dir });
        res.end(JSON.stringify({ id, url: db.url, maxConnections: db.maxConnections }));
      } else if (u.pathname === '/release') {
        const id = u.searchParams.get('id') ?? '';
        const inst = state.instances.get(id);
        state.instances.delete(id);
        if (inst) {
          await inst.db.stop();
          fs.rmSync(inst.dir, { recursive: true, force: true });
        }
        res.end('{}');
      } else {
        res.statusCode = 404;
        res.end();
      }
    } catch (err) {
      res.statusCode = 500;
      res.end(String(err));
    }
  });
  await new Promise<void>((resolve) => state.server!.listen(0, '127.0.0.1', resolve));
  const addr = state.server.address() as { port: number };
  process.env[CONTROL_ENV] = `http://127.0.0.1:${addr.port}`;
  console.log(
    '\nTests run on the embedded database (PGlite); set TEST_DATABASE_URL for PostgreSQL',
  );
}
