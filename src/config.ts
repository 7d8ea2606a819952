import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const postgresUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL');

/**
 * Twice the cores plus two: on a 2-core machine 6 connections served 10-25 % more survey
 * submissions than 10 or 20 (fewer backends contending for the same cores; PERFORMANCE.md).
 */
export function defaultPoolMax(): number {
  return 2 * os.availableParallelism() + 2;
}

const unsetIfEmpty = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema);

/** An e-mail address or a web page (https://…) where a person can write. */
const contact = z
  .string()
  .trim()
  .max(300)
  .refine(
    (v) => /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(v) || /^https?:\/\/[^\s<>]+$/.test(v),
    'must be an e-mail address or an http(s):// address',
  );

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).max(255).default('0.0.0.0'),
  DATABASE_URL: postgresUrl.optional(),
  DATABASE_REPLICA_URL: postgresUrl.optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(defaultPoolMax()),
  // Each connection prepares its statements (src/db/prepared.ts): off behind a pooler in
  // transaction mode. The embedded database never does.
  DATABASE_PREPARE: bool.default(true),
  DATA_DIR: z.string().min(1).max(1000).default('./data'),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').max(1000).optional(),
  SESSION_MAX_AGE_HOURS: z.coerce.number().min(0.1).max(720).default(12),
  TRUST_PROXY: z.string().max(200).default('false'),
  MIGRATE_ON_START: bool.default(true),
  SEED_DEMO: z.enum(['auto', 'never']).default('auto'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOGIN_RATE_LIMIT: z.coerce.number().int().min(1).max(100000).default(10),
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/, 'must look like 100kb or 1mb')
    .default('100kb'),
  PUBLIC_URL: z.url().optional(),
  IMPORT_MAX_MB: z.coerce.number().int().min(1).max(2048).default(200),
  // Without it notifications stay in the in-app inbox only (no e-mail is queued).
  SMTP_URL: z
    .string()
    .max(2000)
    .regex(/^smtps?:\/\/[^\s]+$/, 'must be an smtp:// or smtps:// URL')
    .optional(),
  MAIL_FROM: z
    .string()
    .trim()
    .min(3)
    .max(300)
    .regex(
      /^[^\r\n]*<?[^\s@<>]+@[^\s@<>]+>?$/,
      'must be an address, e.g. Patto <no-reply@example.org>',
    )
    .default('Patto <no-reply@localhost>'),
  // Who runs this installation and how to reach them: named by the privacy notice (/privacy)
  // and the accessibility statement (/accessibility), which say so while they are unset.
  // An empty value (`OPERATOR_NAME=` in a compose file) is unset.
  OPERATOR_NAME: unsetIfEmpty(z.string().trim().min(2).max(200).optional()),
  OPERATOR_CONTACT: unsetIfEmpty(contact.optional()),
  DPO_CONTACT: unsetIfEmpty(contact.optional()),
});

export type Env = z.infer<typeof envSchema>;

export interface Config extends Omit<Env, 'SESSION_SECRET' | 'TRUST_PROXY'> {
  production: boolean;
  sessionSecret: string;
  trustProxy: boolean | number | string;
  embedded: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Parses the environment once; names every bad variable in a single error. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map(
        (i) => `${i.path.join('.')}: ${i.message} (got ${show(env, i.path)})`,
      ),
    );
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  const problems: string[] = [];
  if (production && !e.SESSION_SECRET) problems.push('SESSION_SECRET: required in production');
  if (production && !e.DATABASE_URL) problems.push('DATABASE_URL: required in production');
  if (problems.length) throw new ConfigError(problems);
  const { SESSION_SECRET, TRUST_PROXY, ...rest } = e;
  return {
    ...rest,
    production,
    embedded: !e.DATABASE_URL,
    sessionSecret: SESSION_SECRET ?? devSecret(e.DATA_DIR),
    trustProxy: parseTrustProxy(TRUST_PROXY),
  };
}

function show(env: NodeJS.ProcessEnv, p: PropertyKey[]): string {
  const v = env[String(p[0])];
  if (v === undefined) return 'nothing';
  return /SECRET|PASSWORD|URL/.test(String(p[0])) ? 'a value that is not shown' : JSON.stringify(v);
}

function parseTrustProxy(v: string): boolean | number | string {
  if (v === 'true') return true;
  if (v === 'false' || v === '') return false;
  if (/^\d+$/.test(v)) return Number(v);
  return v; // e.g. "loopback, 10.0.0.0/8"
}

/** In development a secret is generated once and kept under the data folder. */
function devSecret(dataDir: string): string {
  const file = path.join(dataDir, 'session-secret');
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    fs.mkdirSync(dataDir, { recursive: true });
    const secret = crypto.randomBytes(48).toString('base64url');
    fs.writeFileSync(file, secret, { mode: 0o600 });
    return secret;
  }
}
