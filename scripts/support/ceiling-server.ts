import crypto from 'node:crypto';
import express from 'express';
import pg from 'pg';
import { z } from 'zod';
import { createDb } from '../../src/db';
import { hashPassword, verifyPassword } from '../../src/lib/password';
import { openDataCeiling, surveyCeilings } from './ceiling-survey';

// The ceiling for npm run bench:load: bare Express + zod + pg doing the same database work as
// each app scenario, with no session middleware, CSRF, authorization, templates or logging.
// Run as its own process (DATABASE_URL, PORT) so it never shares a CPU with the load generator.
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
pool.on('error', () => undefined);
const app = express();
app.use(express.json());
app.get('/healthz', (_req, res) => {
  res.json({ status: 'ok' });
});

const TERRITORY_PATH = `
  WITH RECURSIVE up(code, level, name, parent_code, depth) AS (
    SELECT code, level, name, parent_code, 0 FROM territories WHERE code = $1
    UNION ALL
    SELECT t.code, t.level, t.name, t.parent_code, up.depth + 1
    FROM territories t JOIN up ON t.code = up.parent_code
  ) SELECT code, level, name FROM up ORDER BY depth DESC`;
const USER_BY_ID = `
  SELECT u.id, u.email, u.full_name, o.kind, o.name, o.territory_code
  FROM users u JOIN organisations o ON o.id = u.organisation_id
  WHERE u.id = $1 AND u.disabled_at IS NULL`;

const login = z.strictObject({ email: z.string().min(1).max(254), password: z.string().max(200) });
// The app's login: look the user up, verify the argon2 hash, store a new session row.
app.post('/login', async (req, res) => {
  const body = login.parse(req.body);
  const { rows } = await pool.query('SELECT id, password_hash FROM users WHERE email = $1', [
    body.email,
  ]);
  if (!rows[0] || !(await verifyPassword(rows[0].password_hash, body.password))) {
    return res.status(401).end();
  }
  const sid = crypto.randomBytes(24).toString('base64url');
  await pool.query(
    `INSERT INTO session (sid, sess, expire) VALUES ($1, $2, now() + interval '12 hours')`,
    [sid, JSON.stringify({ passport: { user: rows[0].id } })],
  );
  res.status(302).location('/').end();
});

const sidQuery = z.strictObject({ sid: z.string().min(1).max(100) });
// GET / for a signed-in user: the session row, the user, the territory path.
app.get('/home', async (req, res) => {
  const { sid } = sidQuery.parse(req.query);
  const s = await pool.query('SELECT sess FROM session WHERE sid = $1 AND expire > now()', [sid]);
  const user = await pool.query(USER_BY_ID, [s.rows[0].sess.passport.user]);
  const path = await pool.query(TERRITORY_PATH, [user.rows[0].territory_code]);
  res.json({ user: user.rows[0], path: path.rows });
});

const codeQuery = z.strictObject({ sid: z.string().max(100), code: z.string().max(12) });
// /territories?code=: the session user, the territory, its path, its children and theirs.
app.get('/territories', async (req, res) => {
  const { sid, code } = codeQuery.parse(req.query);
  const s = await pool.query('SELECT sess FROM session WHERE sid = $1 AND expire > now()', [sid]);
  await pool.query(USER_BY_ID, [s.rows[0].sess.passport.user]);
  const [territory, path, children] = await Promise.all([
    pool.query('SELECT * FROM territories WHERE code = $1', [code]),
    pool.query(TERRITORY_PATH, [code]),
    pool.query('SELECT * FROM territories WHERE parent_code = $1 ORDER BY code', [code]),
  ]);
  const counts = await pool.query(
    'SELECT parent_code, count(*) FROM territories WHERE parent_code = ANY($1) GROUP BY 1',
    [children.rows.map((c) => c.code)],
  );
  res.json({ territory: territory.rows[0], path: path.rows, children: children.rows, counts });
});

// /api/v1/me: the token by its hash, the user, the territory path.
app.get('/me', async (req, res) => {
  const token = z.string().startsWith('Bearer ').parse(req.headers.authorization).slice(7);
  const hash = crypto.createHash('sha256').update(token).digest('hex');
  const t = await pool.query(
    'SELECT user_id FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > now()',
    [hash],
  );
  const user = await pool.query(USER_BY_ID, [t.rows[0].user_id]);
  const path = await pool.query(TERRITORY_PATH, [user.rows[0].territory_code]);
  res.json({ user: user.rows[0], path: path.rows });
});

const registration = z.strictObject({
  organisationName: z.string().min(1).max(200),
  territoryCode: z.string().max(12),
  fullName: z.string().min(1).max(120),
  email: z.email(),
  password: z.string().min(10).max(200),
});
// A firm's registration: hash the password, organisation + user in one transaction.
app.post('/register', async (req, res) => {
  const body = registration.parse(req.body);
  const hash = await hashPassword(body.password);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const org = await client.query(
      `INSERT INTO organisations (kind, name, territory_code) VALUES ('firm', $1, $2) RETURNING id`,
      [body.organisationName, body.territoryCode],
    );
    await client.query(
      'INSERT INTO users (organisation_id, email, full_name, password_hash) VALUES ($1, $2, $3, $4)',
      [org.rows[0].id, body.email, body.fullName, hash],
    );
    await client.query('COMMIT');
    res.status(302).location('/').end();
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    client.release();
  }
});

/** The session row and its user: what a signed-in page starts with. */
async function sessionUser(sid: string) {
  const s = await pool.query('SELECT sess FROM session WHERE sid = $1 AND expire > now()', [sid]);
  return (await pool.query(USER_BY_ID, [s.rows[0].sess.passport.user])).rows[0];
}
surveyCeilings(app, pool, sessionUser);
openDataCeiling(app, createDb(process.env.DATABASE_URL!, 2).db);

app.listen(Number(process.env.PORT), '127.0.0.1');
