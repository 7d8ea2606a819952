import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../src/app';
import { loadConfig, type Config } from '../../src/config';
import { createLogger } from '../../src/logger';
import type { TestDb } from './test-db';
import { decodeEntities } from './html';

export function testConfig(url: string, extra: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: url,
    SESSION_SECRET: 'test-secret-test-secret-test-secret-1234',
    LOG_LEVEL: 'silent',
    LOGIN_RATE_LIMIT: '1000',
    ...extra,
  });
}

export function testApp(t: TestDb, extra: Record<string, string> = {}): Express {
  const config = testConfig(t.url, extra);
  return createApp({
    db: t.db,
    readDb: t.db,
    pool: t.pool,
    config,
    logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent', false),
  });
}

export type Agent = ReturnType<typeof request.agent>;

/** The CSRF token of the form on a page the agent GETs, as a browser would see it. */
export async function csrfFrom(agent: Agent, path: string): Promise<string> {
  const res = await agent.get(path);
  const match = /name="_csrf" value="([^"]+)"/.exec(res.text);
  if (!match) throw new Error(`no CSRF token on ${path} (status ${res.status})`);
  return match[1]!;
}

/**
 * The CSRF token inside the page's POST form for `action`, as a browser would send it; the
 * page's first token when no form there names that action (the form is drawn elsewhere).
 */
export async function csrfOfForm(agent: Agent, path: string, action: string): Promise<string> {
  const res = await agent.get(path);
  for (const form of res.text.matchAll(/<form\b[^>]*\baction="([^"]*)"[^>]*>([\s\S]*?)<\/form>/g)) {
    if (
      !/\bmethod="post"/i.test(form[0]!.slice(0, form[0]!.indexOf('>'))) ||
      decodeEntities(form[1]!) !== action
    )
      continue;
    const token = /name="_csrf" value="([^"]*)"/.exec(form[2]!)?.[1];
    if (!token) throw new Error(`the form posting to ${action} on ${path} has no CSRF token`);
    return token;
  }
  return csrfFrom(agent, path);
}

/** GETs the form for its token, then POSTs it: CSRF is never switched off in tests. */
export async function submitForm(
  agent: Agent,
  formPath: string,
  body: Record<string, string | string[]>,
  action = formPath,
) {
  const _csrf = await csrfOfForm(agent, formPath, action);
  return agent
    .post(action)
    .type('form')
    .send({ ...body, _csrf });
}

export async function loginAs(app: Express, email: string, password: string): Promise<Agent> {
  const agent = request.agent(app);
  const res = await submitForm(agent, '/login', { email, password });
  if (res.status !== 302) throw new Error(`login as ${email} failed with ${res.status}`);
  return agent;
}
