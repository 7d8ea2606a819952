import request from 'supertest';
import { loginAs, testApp } from '../helpers/app';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { newUser, PASSWORD } from '../helpers/factories';
import { PAGE_LIMIT, SKILLS_PAGE } from '../../src/modules/reference/reference.repository';
import { importEsco } from '../../src/modules/reference/importers/esco';
import { importIstatComuni } from '../../src/modules/reference/importers/istat';
import { ESCO_DIGITAL, OFFICIAL_ISTAT, available } from './fixtures';
import { pageText } from '../helpers/html';

let t: TestDb;
let token: string;
beforeAll(async () => {
  t = await newTestDb();
  const user = await newUser(t.db, { role: 'local_authority' });
  const res = await request(testApp(t))
    .post('/api/v1/tokens')
    .send({ email: user.email, password: PASSWORD });
  token = res.body.token;
});
afterAll(() => t.close());

const api = (path: string) =>
  request(testApp(t)).get(`/api/v1${path}`).set('Authorization', `Bearer ${token}`);

describe('reference API', () => {
  it('listTerritories: parent=ITI1&level=NUTS3 gives the ten Tuscan provinces', async () => {
    const res = await api('/territories?parent=ITI1&level=NUTS3');
    expect(res.status).toBe(200);
    const codes = res.body.items.map((i: { code: string }) => i.code).sort();
    expect(codes).toEqual([
      'ITI11',
      'ITI12',
      'ITI13',
      'ITI14',
      'ITI15',
      'ITI16',
      'ITI17',
      'ITI18',
      'ITI19',
      'ITI1A',
    ]);
  });

  it('listTerritories searches names in both languages', async () => {
    const it = await api('/territories?q=Firenze');
    const en = await api('/territories?q=Florence&lang=en');
    expect(it.body.items.map((i: { code: string }) => i.code)).toContain('ITI14');
    expect(en.body.items.find((i: { code: string }) => i.code === 'ITI14')?.localName).toBe(
      'Florence',
    );
  });

  it('listTerritories finds a name typed without its accents (Forli for Forlì)', async () => {
    for (const q of ['Forli', 'FORLI-cesena', 'forlì']) {
      const res = await api(`/territories?q=${encodeURIComponent(q)}`);
      expect({ q, codes: res.body.items.map((i: { code: string }) => i.code) }).toEqual({
        q,
        codes: ['ITH58'],
      });
    }
  });

  it('/territories names the territory each result is part of, not only its code', async () => {
    const user = await newUser(t.db, { role: 'firm' });
    const agent = await loginAs(testApp(t), user.email, PASSWORD);
    const res = await agent.get('/territories?q=Forli&lang=en');
    expect(res.text).toMatch(/<a href="\/territories\?code=ITH5">Emilia-Romagna<\/a>/);
  });

  it('getTerritory gives the path to the root and the children', async () => {
    const res = await api('/territories/048014');
    expect(res.status).toBe(200);
    expect(res.body.path.map((p: { code: string }) => p.code)).toEqual([
      'IT',
      'ITI',
      'ITI1',
      'ITI14',
      '048014',
    ]);
    expect(res.body.territory.name).toBe('Empoli');
    expect((await api('/territories/ZZ999')).status).toBe(404);
    expect((await api('/territories/not a code')).status).toBe(404);
  });

  it('listSkills by area, listSectors, listOccupations', async () => {
    const f40 = await api('/skills?area=F40');
    expect(f40.body.items).toHaveLength(11);
    // A code typed in lower case is the same area (it was refused as unknown).
    expect((await api('/skills?area=f40')).body.items).toEqual(f40.body.items);
    const sectors = await api('/sectors');
    expect(sectors.body.items.filter((s: { level: string }) => s.level === 'section')).toHaveLength(
      21,
    );
    const occupations = await api('/occupations');
    expect(
      occupations.body.items.filter((o: { level: string }) => o.level === 'major'),
    ).toHaveLength(10);
  });

  it('refuses a bad query with the failing field', async () => {
    const res = await api('/territories?level=NUTS9');
    expect(res.status).toBe(422);
    expect(res.body.errors[0].pointer).toBe('query/level');
  });
});

(available(OFFICIAL_ISTAT) && available(ESCO_DIGITAL) ? describe : describe.skip)(
  'reference API after the official files are imported',
  () => {
    beforeAll(async () => {
      await importIstatComuni(t.db, OFFICIAL_ISTAT, { validFrom: '2025-06-30' });
      await importEsco(t.db, ESCO_DIGITAL, { area: { code: 'ESCO-DIGITAL', name: 'Digital' } });
    }, 60_000);

    it('getTerritory lists every comune of a province, past a page of search results', async () => {
      const torino = await api('/territories/ITC11');
      expect(torino.body.children).toHaveLength(312);
    });

    it('listTerritories and listSkills say the total and give the rest a page at a time', async () => {
      const first = await api('/territories?parent=ITC11');
      expect(first.body).toMatchObject({ total: 312, page: 1, pageSize: 200 });
      expect(first.body.items).toHaveLength(200);
      const second = await api('/territories?parent=ITC11&page=2');
      expect(second.body).toMatchObject({ total: 312, page: 2 });
      expect(second.body.items).toHaveLength(112);
      const codes = [...first.body.items, ...second.body.items].map(
        (i: { code: string }) => i.code,
      );
      expect(new Set(codes).size).toBe(312);

      const skills = await api('/skills?area=ESCO-DIGITAL');
      expect(skills.body).toMatchObject({ total: 1264, page: 1, pageSize: 1000 });
      expect(skills.body.items).toHaveLength(1000);
      const rest = await api('/skills?area=ESCO-DIGITAL&page=2');
      expect(rest.body.items).toHaveLength(264);
      expect((await api('/skills?page=0')).status).toBe(422);
    });
  },
);

describe('reference pages', () => {
  it('/territories drills down with breadcrumbs, in Italian and English', async () => {
    const user = await newUser(t.db, { role: 'firm' });
    const agent = await loginAs(testApp(t), user.email, PASSWORD);
    const it = await agent.get('/territories?code=ITI1');
    expect(it.status).toBe(200);
    expect(it.text).toContain('Toscana');
    expect(it.text).toContain('href="/territories?code=ITI14"');
    const en = await agent.get('/territories?code=ITI1&lang=en');
    expect(en.text).toContain('Tuscany');
    const search = await agent.get('/territories?q=Prato');
    expect(search.text).toContain('ITI15');
    // A province's comuni in the reader's alphabet: Firenze (048017) is Florence in English.
    const order = (html: string) =>
      [...html.matchAll(/href="\/territories\?code=(0480(?:15|17|18))"/g)].map((m) => m[1]);
    expect(order((await agent.get('/territories?code=ITI14&lang=it')).text)).toEqual([
      '048015',
      '048017',
      '048018',
    ]);
    expect(order((await agent.get('/territories?code=ITI14&lang=en')).text)).toEqual([
      '048015',
      '048018',
      '048017',
    ]);
  });

  it('/territories at the root and on a search shows no empty detail block nor raw keys', async () => {
    const user = await newUser(t.db, { role: 'admin' });
    const agent = await loginAs(testApp(t), user.email, PASSWORD);
    for (const [url, countries] of [
      ['/territories', 'Stati'],
      ['/territories?lang=en', 'Countries'],
    ] as const) {
      const res = await agent.get(url);
      expect(res.status).toBe(200);
      expect(res.text).not.toMatch(/reference\.levels\.(?![A-Z])/);
      expect(res.text).not.toContain('class="breadcrumb"');
      expect(res.text).toContain(`<h2 class="h4">${countries}</h2>`);
    }
    for (const url of ['/territories?q=firen', '/territories?q=firen&lang=en']) {
      const res = await agent.get(url);
      expect(res.text).toContain('ITI14');
      expect(res.text).not.toMatch(/reference\.levels\.(?![A-Z])/);
      expect(res.text).not.toContain('class="breadcrumb"');
    }
  });

  it('/skills lists the taxonomy and searches it', async () => {
    const user = await newUser(t.db, { role: 'firm' });
    const agent = await loginAs(testApp(t), user.email, PASSWORD);
    const res = await agent.get('/skills?q=cloud');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Cloud e fog computing');
    expect((await agent.get('/skills?area=' + 'x'.repeat(100))).status).toBe(400);
  });

  it('/skills searched for the name of an area lists the skills of that area', async () => {
    const user = await newUser(t.db, { role: 'firm' });
    const agent = await loginAs(testApp(t), user.email, PASSWORD);
    for (const url of ['/skills?q=sicurezza', '/skills?q=Safety&lang=en']) {
      const res = await agent.get(url);
      expect({ url, area: res.text.includes('id="area-DC4"') }).toEqual({ url, area: true });
      expect(res.text).toContain('<code>DC4.1</code>');
    }
  });

  it('refuses a territory or skill-area code that names nothing, instead of listing no results', async () => {
    const user = await newUser(t.db, { role: 'admin' });
    const agent = await loginAs(testApp(t), user.email, PASSWORD);
    const parent = await agent.get('/territories?q=fi&parent=XX99');
    expect(parent.status).toBe(400);
    expect(pageText(parent.text)).toContain(
      'Il parametro «parent» non è valido: nessun territorio ha il codice XX99.',
    );
    expect(parent.text).toContain('href="/territories?q&#x3D;fi"');
    const area = await agent.get('/skills?area=ZZZ&lang=en');
    expect(area.status).toBe(400);
    expect(pageText(area.text)).toContain('no skill area has the code ZZZ');
    const code = await agent.get('/territories?code=XX99&lang=en');
    expect(code.status).toBe(400);
    expect(pageText(code.text)).toContain(
      'The parameter “code” is not valid: no territory has the code XX99.',
    );
    expect(code.text).toContain('href="/territories?lang&#x3D;en"');
    // Known codes still filter.
    expect((await agent.get('/territories?q=fi&parent=ITI14')).text).toContain('048017');
    expect((await agent.get('/skills?area=F40')).status).toBe(200);
  });

  it('a search of only spaces is no search: the page as without it, not an invalid request', async () => {
    const user = await newUser(t.db, { role: 'firm' });
    const agent = await loginAs(testApp(t), user.email, PASSWORD);
    const territories = await agent.get('/territories?q=%20%20&level=');
    expect(territories.status).toBe(200);
    expect(territories.text).toContain('href="/territories?code=IT"');
    const skills = await agent.get('/skills?q=%20&area=F40');
    expect(skills.status).toBe(200);
    expect(skills.text).toContain('id="area-F40"');
  });

  it('/skills says when it shows only the first skills of many (an imported ESCO)', async () => {
    await t.db
      .insertInto('skill_areas')
      .values({
        code: 'ZZESCO',
        framework: 'esco',
        name: 'Many',
        names: '{}',
        esco_uri: null,
        version: 't',
      })
      .execute();
    await t.db
      .insertInto('skills')
      .values(
        Array.from({ length: SKILLS_PAGE }, (_, i) => ({
          code: `ZZESCO.${i}`,
          area_code: 'ZZESCO',
          name: `Skill ${i}`,
          names: '{}',
          description: null,
          esco_uri: null,
          version: 't',
        })),
      )
      .execute();
    const user = await newUser(t.db, { role: 'firm' });
    const agent = await loginAs(testApp(t), user.email, PASSWORD);
    const many = await agent.get('/skills?area=ZZESCO&lang=en');
    expect(many.text).toContain(`The first ${SKILLS_PAGE} results are shown: narrow the search.`);
    const few = await agent.get('/skills?area=F40&lang=en');
    expect(few.text).not.toContain('narrow the search');
  });

  it('a territory lists all its children, even the 300 comuni of a province', async () => {
    const many = PAGE_LIMIT + 50;
    await t.db
      .insertInto('territories')
      .values({ code: 'ZZ', level: 'NUTS0', parent_code: null, name: 'Zeta', version: 't' })
      .execute();
    await t.db
      .insertInto('territories')
      .values(
        Array.from({ length: many }, (_, i) => ({
          code: `ZZ${String(i).padStart(4, '0')}`,
          level: 'LAU' as const,
          parent_code: 'ZZ',
          name: `Comune ${i}`,
          version: 't',
        })),
      )
      .execute();
    const user = await newUser(t.db, { role: 'firm' });
    const agent = await loginAs(testApp(t), user.email, PASSWORD);
    const page = await agent.get('/territories?code=ZZ');
    expect(page.text.match(/href="\/territories\?code=ZZ\d{4}"/g)).toHaveLength(many);
    expect((await api('/territories/ZZ')).body.children).toHaveLength(many);
  });

  it('is for signed-in users only', async () => {
    expect((await request(testApp(t)).get('/territories')).status).toBe(302);
  });
});
