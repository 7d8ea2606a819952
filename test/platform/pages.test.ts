import request from 'supertest';
import { loginAs, submitForm, testApp } from '../helpers/app';
import { newUser, PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { decodeEntities, pageText } from '../helpers/html';

let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
});
afterAll(() => t.close());

describe('pages', () => {
  it('speaks Italian by default and English on request, remembering the choice', async () => {
    const agent = request.agent(testApp(t));
    const it = await agent.get('/');
    expect(it.text).toContain('<html lang="it">');
    const en = await agent.get('/?lang=en');
    expect(en.text).toContain('<html lang="en">');
    expect(en.text).toContain('From training need to Local Training Pact');
    const again = await agent.get('/login');
    expect(again.text).toContain('Log in to Patto');
  });

  it('leaves the language cookie only when a language is chosen', async () => {
    const langCookie = (res: request.Response) =>
      ([] as string[]).concat(res.headers['set-cookie'] ?? []).filter((c) => c.startsWith('lang='));
    const agent = request.agent(testApp(t));
    expect(langCookie(await agent.get('/'))).toEqual([]);
    expect(langCookie(await agent.get('/?lang=en'))).toEqual([
      expect.stringMatching(/^lang=en; Path=\/; Expires=.*; SameSite=Lax$/),
    ]);
    const later = await agent.get('/login');
    expect(later.text).toContain('Log in to Patto');
    expect(langCookie(later)).toEqual([]);
    expect(langCookie(await agent.get('/login?lang=it'))).toEqual([
      expect.stringMatching(/^lang=it;/),
    ]);
    expect((await agent.get('/login')).text).toContain('<html lang="it">');
  });

  it('after login, follows the language of the profile unless this browser chose one', async () => {
    const user = await newUser(t.db, { role: 'region' });
    await t.db.updateTable('users').set({ locale: 'en' }).where('id', '=', user.id).execute();
    const fresh = await loginAs(testApp(t), user.email, PASSWORD);
    expect((await fresh.get('/')).text).toContain('<html lang="en">');
    // A browser that chose Italian keeps it.
    const chosen = request.agent(testApp(t));
    await chosen.get('/login?lang=it');
    await submitForm(chosen, '/login', { email: user.email, password: PASSWORD });
    expect((await chosen.get('/')).text).toContain('<html lang="it">');
  });

  it('switches language on the same page, its parameters kept', async () => {
    // The header's link, as a browser reads the attribute.
    const link = (html: string) => decodeEntities(/<a href="([^"]*)" lang="en"/.exec(html)![1]!);
    const res = await request(testApp(t)).get('/login?next=%2Fsurvey&lang=it&x=a%26b');
    expect(link(res.text)).toBe('?next=%2Fsurvey&lang=en&x=a%26b');
    expect(link((await request(testApp(t)).get('/login')).text)).toBe('?lang=en');
  });

  it('names the error in the page title when a form comes back with errors, in either language', async () => {
    const agent = request.agent(testApp(t));
    const title = (html: string) => /<title>([^<]*)<\/title>/.exec(html)![1];
    const form = await agent.get('/register');
    expect(title(form.text)).not.toMatch(/^Errore/);
    const it = await submitForm(agent, '/register', { email: 'not-an-address' });
    expect(it.status).toBe(422);
    expect(title(it.text)).toBe(`Errore: ${title(form.text)}`);
    await agent.get('/register?lang=en');
    const en = await submitForm(agent, '/register', { email: 'not-an-address' });
    expect(title(en.text)).toMatch(/^Error: .+ · Patto$/);
  });

  // A missing record is explained, never a bare "Not found.", and in one sentence everywhere.
  it('says "not found" in one sentence, whatever the address or record missing', async () => {
    const user = await newUser(t.db, { role: 'local_authority' });
    const agent = await loginAs(testApp(t), user.email, PASSWORD);
    const main = (html: string) => pageText(/<main[\s\S]*<\/main>/.exec(html)![0]);
    const sentence = {
      it: 'Ciò che cerchi non esiste, o non è visibile con il tuo profilo.',
      en: 'What you are looking for does not exist, or is not visible to you.',
    };
    for (const lang of ['it', 'en'] as const)
      for (const path of [
        '/pacts/00000000-0000-0000-0000-000000000000',
        '/pacts/not-an-id',
        '/calls/not-an-id',
        '/no/such/page',
      ]) {
        const res = await agent.get(`${path}?lang=${lang}`);
        expect([path, res.status]).toEqual([path, 404]);
        expect(main(res.text)).toContain(sentence[lang]);
      }
    await agent.get('/?lang=it');
    const token = (
      await request(testApp(t))
        .post('/api/v1/tokens')
        .send({ email: user.email, password: PASSWORD })
    ).body.token as string;
    for (const path of ['/api/v1/pacts/00000000-0000-0000-0000-000000000000', '/api/v1/pacts/x']) {
      const res = await request(testApp(t)).get(path).set('Authorization', `Bearer ${token}`);
      expect([path, res.status, res.body.detail]).toEqual([path, 404, sentence.it]);
    }
    // An unknown secret link: an invitation's says what a password reset's says.
    const invite = await request(testApp(t)).get(`/invite/inv_${'a'.repeat(43)}`);
    const reset = await request(testApp(t)).get(`/password/reset/pwr_${'a'.repeat(43)}`);
    expect([invite.status, reset.status]).toEqual([404, 404]);
    expect(main(invite.text)).toContain(
      'Questo link di invito non è valido: controlla di averlo copiato per intero.',
    );
    expect(main(reset.text)).toContain(
      'Questo link non è valido: controlla di averlo copiato per intero.',
    );
  });

  it('sends security headers with a CSP that allows no inline script', async () => {
    const res = await request(testApp(t)).get('/login');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(String(res.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Lax/);
    expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it('answers an unknown page with a 404 page that leaks nothing', async () => {
    const res = await request(testApp(t)).get('/no/such/page');
    expect(res.status).toBe(404);
    expect(res.text).toContain('Pagina non trovata');
    expect(res.text).not.toMatch(/at .*\.ts:\d+/);
  });

  it('titles a 400 page in the page’s language', async () => {
    const it = await request(testApp(t)).get('/dashboard?period=2027-Q9');
    expect(it.status).toBe(400);
    expect(it.text).toMatch(/<h1[^>]*>Richiesta non valida<\/h1>/);
    expect(it.text).not.toContain('Bad Request');
    const en = await request(testApp(t)).get('/dashboard?period=2027-Q9&lang=en');
    expect(en.text).toMatch(/<h1[^>]*>Invalid request<\/h1>/);
  });

  it('serves Bootstrap Italia from node_modules', async () => {
    const res = await request(testApp(t)).get(
      '/assets/bootstrap-italia/css/bootstrap-italia.min.css',
    );
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/css');
  });

  it('reports liveness and readiness', async () => {
    const app = testApp(t);
    expect((await request(app).get('/healthz')).body).toEqual({ status: 'ok' });
    expect((await request(app).get('/readyz')).body).toEqual({ status: 'ready', database: 'ok' });
  });
});

describe('error summary', () => {
  it('is absent from a form that has no errors yet', async () => {
    const res = await request(testApp(t)).get('/register');
    expect(res.text).not.toContain('error-summary-title');
  });
});
