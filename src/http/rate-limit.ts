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

interface PageLimit {
  /** Counter key prefix, one per form. */
  prefix: string;
  windowMs: number;
  limit: number;
  /** Count only refused requests (failed logins). */
  skipSuccessfulRequests?: boolean;
  /** The message once over the limit, and the page it is shown on. */
  message: string;
  view: string;
  title: string;
}

/** Requests per client address to one form: past `limit` in the window, 429 until it ends. */
function pageRateLimit(db: Db, o: PageLimit) {
  return rateLimit({
    windowMs: o.windowMs,
    limit: o.limit,
    skipSuccessfulRequests: o.skipSuccessfulRequests ?? false,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    store: new PostgresStore(db, o.prefix),
    handler: (req, res) => {
      res.status(429);
      if (req.originalUrl.startsWith('/api/')) {
        res.type('application/problem+json').json({
          type: 'about:blank',
          title: 'Too Many Requests',
          status: 429,
          detail: req.t(o.message),
        });
      } else {
        res.render(o.view, {
          title: req.t(o.title),
          errors: { _form: req.t(o.message) },
          values: {},
        });
      }
    },
  });
}

const FIFTEEN_MINUTES = 15 * 60_000;

/** Failed logins per client address: after `limit` in 15 minutes, 429 until the window ends. */
export function loginRateLimit(db: Db, limit: number) {
  return pageRateLimit(db, {
    prefix: 'login:',
    windowMs: FIFTEEN_MINUTES,
    limit,
    skipSuccessfulRequests: true,
    message: 'errors.tooManyLogins',
    view: 'accounts/login',
    title: 'login.title',
  });
}

/**
 * Forgotten-password requests per client address: 10 in 15 minutes. Each account also gets at
 * most a few links an hour (admin-users.service), so the form cannot be used to flood a mailbox.
 */
export function forgotPasswordRateLimit(db: Db) {
  return pageRateLimit(db, {
    prefix: 'forgot:',
    windowMs: FIFTEEN_MINUTES,
    limit: 10,
    message: 'errors.tooManyRequests',
    view: 'accounts/password-forgot',
    title: 'passwordReset.forgotTitle',
  });
}
