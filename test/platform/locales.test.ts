import fs from 'node:fs';
import path from 'node:path';
import { getI18n, LANGUAGES } from '../../src/http/i18n';

// Every text in both languages, with the same placeholders: a key missing in English would show
// the Italian text, a placeholder missing in one language would show nothing there.
const DIR = path.resolve(__dirname, '../../locales');
const PLURAL = /_(zero|one|two|few|many|other)$/;

function flatten(value: unknown, prefix: string, out: Map<string, string>) {
  if (typeof value === 'string') out.set(prefix, value);
  else
    for (const [k, v] of Object.entries(value as Record<string, unknown>))
      flatten(v, prefix ? `${prefix}.${k}` : k, out);
}

function texts(lng: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of fs.readdirSync(path.join(DIR, lng)).filter((f) => f.endsWith('.json')))
    flatten(JSON.parse(fs.readFileSync(path.join(DIR, lng, file), 'utf8')), '', out);
  return out;
}

/** Keys without their plural suffix, each with the placeholders its forms use. */
function placeholders(all: Map<string, string>): Map<string, string> {
  const out = new Map<string, Set<string>>();
  for (const [key, text] of all) {
    const base = key.replace(PLURAL, '');
    const set = out.get(base) ?? new Set<string>();
    // {{count}} may be left out of a singular ("un'azione"): compared apart, below.
    for (const m of text.matchAll(/{{\s*([\w.]+)\s*}}/g)) if (m[1] !== 'count') set.add(m[1]!);
    out.set(base, set);
  }
  return new Map([...out].map(([k, s]) => [k, [...s].sort().join(',')]));
}

/**
 * Keys written twice in one object of a file: JSON.parse keeps the last one silently, so a
 * section added under a key that already holds a text hides that text (`imports.rows`, the
 * label "Righe lette", once hid behind the import's row reasons).
 */
function duplicateKeys(file: string): string[] {
  const found: string[] = [];
  const objects: Set<string>[] = [];
  // Every string is read whole (a brace inside a text is not a brace); one followed by a colon
  // is a key of the innermost open object.
  const tokens = /"((?:[^"\\]|\\.)*)"(\s*:)?|[{}]/g;
  for (const m of fs.readFileSync(file, 'utf8').matchAll(tokens)) {
    if (m[0] === '{') objects.push(new Set());
    else if (m[0] === '}') objects.pop();
    else if (m[2]) {
      const keys = objects.at(-1)!;
      if (keys.has(m[1]!)) found.push(`${path.relative(DIR, file)}: "${m[1]}"`);
      keys.add(m[1]!);
    }
  }
  return found;
}

describe('locales', () => {
  const [it, en] = LANGUAGES.map(texts) as [Map<string, string>, Map<string, string>];

  test('no file writes a key twice in one object', () => {
    const files = LANGUAGES.flatMap((lng) =>
      fs
        .readdirSync(path.join(DIR, lng))
        .filter((f) => f.endsWith('.json'))
        .map((f) => path.join(DIR, lng, f)),
    );
    expect(files.length).toBeGreaterThan(2);
    expect(files.flatMap(duplicateKeys)).toEqual([]);
  });

  test('every key is in both languages, with the same placeholders', () => {
    const a = placeholders(it);
    const b = placeholders(en);
    expect([...a.keys()].filter((k) => !b.has(k))).toEqual([]);
    expect([...b.keys()].filter((k) => !a.has(k))).toEqual([]);
    expect([...a].filter(([k, p]) => b.get(k) !== p)).toEqual([]);
  });

  test('an English text writes numbers the English way (1,250.50 or 1000, never 1.250,50)', () => {
    // An English reader takes "1.000" for one and "1.250,50" for nonsense; the forms read both
    // "1,250.50" and "1250.50" as amounts, and a whole number typed without separators.
    const italianNumber = /\d{1,3}(\.\d{3})+(,\d+)?\b|\b\d+,\d{1,2}\b/;
    expect([...en].filter(([, text]) => italianNumber.test(text))).toEqual([]);
  });

  test('an English text calls a comune a municipality, as the forms and the territory levels do', () => {
    // "(comune)" may follow, naming the Italian unit or the CSV column.
    expect([...en].filter(([, text]) => /(?<!\()\bcomun[ei]\b/i.test(text))).toEqual([]);
    expect(en.get('reference.levels.LAU')).toContain('Municipality');
  });

  test('a modality or priority reads the same on the survey, the needs and the pacts', () => {
    const same = (a: string, b: string) => {
      const keys = [...it.keys()].filter((k) => k.startsWith(`${a}.`));
      expect(keys.length).toBeGreaterThan(2);
      for (const texts of [it, en])
        for (const key of keys) {
          const other = `${b}.${key.slice(a.length + 1)}`;
          expect({ key, text: texts.get(key) }).toEqual({ key, text: texts.get(other) });
        }
    };
    same('survey.modalities', 'pacts.modality');
    same('survey.priorities', 'needs.priorities');
  });

  test('every key a view or the code names by its letters is there, in both languages', () => {
    const files = (dir: string): string[] =>
      fs
        .readdirSync(dir, { withFileTypes: true })
        .flatMap((e) =>
          e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)],
        );
    const root = path.resolve(__dirname, '../..');
    // `{{t "a.b"}}`, `(t "a.b" …)` in views; `t('a.b'`, `req.t("a.b"` in the code.
    const used = new Map<string, string>();
    for (const file of files(path.join(root, 'views')))
      for (const m of fs.readFileSync(file, 'utf8').matchAll(/[{(]\s*t\s+"([\w.]+)"/g))
        used.set(m[1]!, path.relative(root, file));
    for (const file of files(path.join(root, 'src')).filter((f) => f.endsWith('.ts')))
      for (const m of fs.readFileSync(file, 'utf8').matchAll(/\bt\(\s*['"]([\w.]+)['"]/g))
        used.set(m[1]!, path.relative(root, file));
    expect(used.size).toBeGreaterThan(500);
    const known = (texts: Map<string, string>) =>
      new Set([...texts.keys()].flatMap((k) => [k, k.replace(PLURAL, '')]));
    for (const [lng, texts] of [
      ['it', known(it)],
      ['en', known(en)],
    ] as const)
      expect({ lng, missing: [...used].filter(([key]) => !texts.has(key)) }).toEqual({
        lng,
        missing: [],
      });
  });

  test('every error status with a text has a page heading too (no English fallback)', () => {
    const statuses = [...it.keys()].flatMap((k) => /^errors\.http(\d{3})$/.exec(k)?.[1] ?? []);
    expect(statuses).toContain('400');
    expect(statuses.filter((s) => !it.has(`errors.title${s}`))).toEqual([]);
  });

  test('a minimum or maximum number of choices reads right for one and for many', () => {
    const i18n = getI18n();
    const it = i18n.getFixedT('it');
    const en = i18n.getFixedT('en');
    expect(it('validation.tooFew', { min: 1 })).toBe('Scegli almeno 1 tra le opzioni');
    expect(it('validation.tooMany', { max: 3 })).toBe('Scegli al massimo 3 tra le opzioni');
    expect(en('validation.tooFew', { min: 1 })).toBe('Choose at least 1 of the options');
  });

  test('a number inside a longer text takes its own plural (nested $t)', () => {
    const i18n = getI18n();
    const line = (lng: string, participants: number, hours: number) =>
      i18n.getFixedT(lng)('pacts.show.actionLine', {
        participants,
        hours,
        eqf: 4,
        period: '2027-Q1',
      });
    expect(line('it', 1, 1)).toBe('1 partecipante · 1 ora · EQF 4 · 2027-Q1');
    expect(line('it', 12, 40)).toBe('12 partecipanti · 40 ore · EQF 4 · 2027-Q1');
    expect(line('en', 1, 1_000_000)).toBe('1 participant · 1000000 hours · EQF 4 · 2027-Q1');
    // Every text that nests another resolves it: no "$t(" ever reaches a page.
    const nesting = [...it.keys()].filter((k) => it.get(k)!.includes('$t('));
    expect(nesting.length).toBeGreaterThan(0);
    for (const lng of LANGUAGES)
      for (const key of nesting) {
        const text = i18n.getFixedT(lng)(key.replace(PLURAL, ''), {
          participants: 2,
          hours: 3,
          count: 2,
        });
        expect({ lng, key, text }).toEqual({ lng, key, text: expect.not.stringContaining('$t(') });
      }
  });

  test('a plural reads right for one, a few and a million, in both languages', () => {
    const plurals = [...it.keys()].filter((k) => k.endsWith('_other')).map((k) => k.slice(0, -6));
    expect(plurals.length).toBeGreaterThan(0);
    const i18n = getI18n();
    for (const lng of LANGUAGES) {
      const t = i18n.getFixedT(lng);
      for (const key of plurals)
        for (const count of [1, 3, 1_000_000]) {
          // i18next shows the key itself when no form fits the count.
          const keyShown = t(key, { count }) === key;
          expect({ lng, key, count, keyShown }).toEqual({ lng, key, count, keyShown: false });
        }
    }
  });
});
