import type { Express } from 'express';
import request from 'supertest';
import { ROLES, type Role } from '../../src/db/database';
import { loginAs, type Agent } from '../helpers/app';
import { PASSWORD } from '../helpers/factories';

export type Caller = 'anonymous' | Role;
export const CALLERS: readonly Caller[] = ['anonymous', ...ROLES];

const CSRF = /name="_csrf" value="([^"]+)"/;

function csrfOf(text: string, where: string): string {
  const match = CSRF.exec(text);
  if (!match) throw new Error(`no CSRF token on ${where}`);
  return match[1]!;
}

/**
 * A browser session for one caller. A route under test may end the session (POST /logout) or
 * rotate it; `session()` checks first and signs in again, so every request measures
 * authorization with a live session and a valid CSRF token, never a stale one.
 */
export function webCaller(app: Express, email?: string) {
  let agent: Agent | undefined;
  return async function session(): Promise<{ agent: Agent; csrf: string }> {
    if (!email) {
      const anonymous = request.agent(app);
      const page = await anonymous.get('/login');
      return { agent: anonymous, csrf: csrfOf(page.text, 'GET /login') };
    }
    agent ??= await loginAs(app, email, PASSWORD);
    // Every role may use its account page, and it carries a form.
    let page = await agent.get('/account/password');
    if (page.status !== 200) {
      agent = await loginAs(app, email, PASSWORD);
      page = await agent.get('/account/password');
    }
    return { agent, csrf: csrfOf(page.text, `GET /account/password as ${email}`) };
  };
}

/** A bearer token for one user, minted through the API, minted again if a route revoked it. */
export function apiCaller(app: Express, email?: string) {
  let token: string | undefined;
  return async function authorization(): Promise<Record<string, string>> {
    if (!email) return {};
    if (token) {
      const me = await request(app).get('/api/v1/me').set('Authorization', `Bearer ${token}`);
      if (me.status !== 200) token = undefined;
    }
    if (!token) {
      const res = await request(app)
        .post('/api/v1/tokens')
        .send({ email, password: PASSWORD, name: 'security tests' });
      if (res.status !== 201) throw new Error(`could not mint a token for ${email}: ${res.status}`);
      token = (res.body as { token: string }).token;
    }
    return { Authorization: `Bearer ${token}` };
  };
}
