import { rateLimit, type Options, type Store, type ClientRateLimitInfo } from 'express-rate-limit';
import { sql } from 'kysely';
import type { Db } from '../db';

/** Counters in PostgreSQL, so the limit holds across every app instance. */
class PostgresStore implements Store {
  private windowMs = 60_000;
  prefix: string;
  constructor(
    private readonly db: Db,
    prefix: string,
  ) {
    this.prefix = prefix;
  }

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const k = this.prefix + key;
    const { rows } = await sql<{ hits: number; reset_at: Date }>`
      INSERT INTO rate_limits (key, hits, reset_at)
      VALUES (${k}, 1, now() + ${this.windowMs} * interval '1 millisecond')
      ON CONFLICT (key) DO UPDATE SET
        hits = CASE WHEN rate_limits.reset_at <= now() THEN 1 ELSE rate_limits.hits + 1 END,
        reset_at = CASE WHEN rate_limits.reset_at <= now() THEN EXCLUDED.reset_at ELSE rate_limits.reset_at END
      RETURNING hits, reset_at`.execute(this.db);
    return { totalHits: rows[0]!.hits, resetTime: rows[0]!.reset_at };
  }

  async decrement(key: string): Promise<void> {
    await sql`UPDATE rate_limits SET hits = greatest(hits - 1, 0) WHERE key = ${this.prefix + key}`.execute(
      this.db,
    );
  }

  async resetKey(key: string): Promise<void> {
    await sql`DELETE FROM rate_limits WHERE key = ${this.prefix + key}`.execute(this.db);
  }
}

/** Failed logins per client address: after `limit` in 15 minutes, 429 until the window ends. */
export function loginRateLimit(db: Db, limit: number) {
  return rateLimit({
    windowMs: 15 * 60_000,
    limit,
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    store: new PostgresStore(db, 'login:'),
    handler: (req, res) => {
      res.status(429);
      if (req.originalUrl.startsWith('/api/')) {
        res.type('application/problem+json').json({
          type: 'about:blank',
          title: 'Too Many Requests',
          status: 429,
          detail: req.t('errors.tooManyLogins'),
        });
      } else {
        res.render('accounts/login', {
          title: req.t('login.title'),
          errors: { _form: req.t('errors.tooManyLogins') },
          values: {},
        });
      }
    },
  });
}
