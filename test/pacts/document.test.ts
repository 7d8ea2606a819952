import zlib from 'node:zlib';
import type { Express } from 'express';
import { loginAs, submitForm, type Agent } from '../helpers/app';
import { PASSWORD } from '../helpers/factories';
import type { TestDb } from '../helpers/test-db';
import { pdfText } from '../../src/modules/pacts/document.pdf';
import { newPact } from './factories';
import { signedInScenario, type PactScenario } from './scenario';

let t: TestDb;
let app: Express;
let s: PactScenario;
let authority: Agent;
let employers: Agent;

beforeAll(async () => {
  ({ t, app, s, authority, employers } = await signedInScenario());
});
afterAll(() => t.close());

/** The text drawn on the PDF's pages: streams inflated, pdfkit's hex strings decoded (WinAnsi). */
function pdfPageText(pdf: Buffer): string {
  const raw = pdf.toString('latin1');
  let out = '';
  const re = /stream\r?\n([\s\S]*?)endstream/g;
  for (let m = re.exec(raw); m; m = re.exec(raw)) {
    let body: string;
    try {
      body = zlib.inflateSync(Buffer.from(m[1]!, 'latin1')).toString('latin1');
    } catch {
      body = m[1]!;
    }
    for (const tj of body.matchAll(/\[([^\]]*)\]\s*TJ/g))
      out += [...tj[1]!.matchAll(/<([0-9a-fA-F]*)>/g)]
        .map((h) => Buffer.from(h[1]!, 'hex').toString('latin1'))
        .join('');
    out += '\n';
  }
  return out;
}

async function signedPact() {
  const pact = await newPact(t.db, {
    promoter: s.authority,
    campaign: s.campaign.id,
    callId: s.callId,
    status: 'negotiation',
    title: 'Patto per l’attività di formazione — Città di Firenze',
    actions: [
      { title: 'Qualità e sicurezza', participants: 4, hours: 40, costCents: 416_000 },
      { title: 'Manutenzione predittiva', participants: 3, hours: 20, costCents: 206_000 },
    ],
    signatories: [s.employers.organisationId, s.union.organisationId],
  });
  const res = await submitForm(
    employers,
    `/pacts/${pact.id}/sign`,
    { revision: '1', hash: pact.revision_hash },
    `/pacts/${pact.id}/sign`,
  );
  expect(res.status).toBe(302);
  return pact;
}

describe('GET /pacts/:id/document', () => {
  it('is a printable page with actions, costs, totals, signatures and the revision hash', async () => {
    const pact = await signedPact();
    const res = await authority.get(`/pacts/${pact.id}/document`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('href="/assets/css/print.css" media="print"');
    expect(res.text).toContain(pact.revision_hash);
    expect(res.text).toContain('Qualità e sicurezza');
    expect(res.text).toContain('Big data e analisi dei dati (F40.a)');
    expect(res.text).toMatch(/6\.?220,00\s€/); // 4160 + 2060 (Italian groups from 5 digits)
    expect(res.text).toMatch(/Ha firmato la revisione 1 (?:il |l&#x27;)\d/);
    expect(res.text).toContain('Non ha ancora firmato');
    const css = await authority.get('/assets/css/print.css');
    expect(css.status).toBe(200);
    expect(css.text).toContain('page-break-inside: avoid');
  });
});

describe('GET /pacts/:id/document.pdf', () => {
  it('streams a PDF with the hash, the signatures and Italian accented letters intact', async () => {
    const pact = await signedPact();
    const res = await authority
      .get(`/pacts/${pact.id}/document.pdf`)
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toMatch(/attachment; filename="patto-.*-rev1\.pdf"/);
    const pdf = res.body as Buffer;
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = pdfPageText(pdf);
    expect(text).toContain(pact.revision_hash);
    expect(text).toContain('Qualità e sicurezza');
    expect(text).toContain('Città di Firenze');
    expect(text).toContain('Big data e analisi dei dati (F40.a)');
    expect(text).toContain('Ha firmato la revisione 1');
    // And in the metadata, readable without inflating anything.
    expect(pdf.toString('latin1')).toContain(pact.revision_hash);
  });

  it('is 404 for a user of another territory', async () => {
    const pact = await signedPact();
    const stranger = await loginAs(app, s.stranger.email, PASSWORD);
    expect((await stranger.get(`/pacts/${pact.id}/document.pdf`)).status).toBe(404);
  });
});

describe('pdfText', () => {
  it('keeps WinAnsi letters and strips accents Helvetica cannot draw', () => {
    expect(pdfText('Attività è perché € «sì»')).toBe('Attività è perché € «sì»');
    expect(pdfText('Łódź, Ilfov–București')).toBe('Lódz, Ilfov–Bucuresti');
    expect(pdfText('1\u202f234,00\u00a0€')).toBe('1 234,00\u00a0€');
  });
});
