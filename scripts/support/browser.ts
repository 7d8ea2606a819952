// A minimal browser for the scripts: one session cookie, CSRF tokens read from the page, a bound
// on every request so a hanging server shows up as a failure instead of a stuck script.
export interface Page {
  status: number;
  text: string;
  location: string | null;
}

export const REQUEST_BOUND_MS = 15_000;

export class Browser {
  cookie = '';

  constructor(readonly baseUrl: string) {}

  async get(path: string): Promise<Page> {
    return this.send('GET', path);
  }

  /** GETs the page for its CSRF token, then posts the form with it. */
  async submit(formPath: string, fields: Record<string, string>, action = formPath) {
    const _csrf = csrfToken((await this.get(formPath)).text);
    return this.post(action, { ...fields, _csrf });
  }

  async post(path: string, fields: Record<string, string>): Promise<Page> {
    return this.send('POST', path, new URLSearchParams(fields).toString());
  }

  private async send(method: string, path: string, body?: string): Promise<Page> {
    const res = await fetch(this.baseUrl + path, {
      method,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(REQUEST_BOUND_MS),
      headers: {
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
    });
    for (const c of res.headers.getSetCookie()) {
      if (c.startsWith('patto.sid=')) this.cookie = c.split(';')[0]!;
    }
    return { status: res.status, text: await res.text(), location: res.headers.get('location') };
  }
}

export function csrfToken(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no CSRF token on the page');
  return match[1]!;
}
