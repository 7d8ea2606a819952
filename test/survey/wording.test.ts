import fs from 'node:fs';
import path from 'node:path';
import { pageText } from '../helpers/html';

// A survey has one name for every reader: "indagine" in Italian (the region's pages, the firm's
// home, the menu), "survey" in English. Pacts, calls, the needs, the dashboard and the open data
// once said "campagna (di rilevazione)" or "rilevazione", "(survey) campaign", for the same thing.
const DIR = path.resolve(__dirname, '../../locales');
const OTHER_NAME = { it: /\bcampagn[ae]\b|\brilevazion[ei]\b/i, en: /\bcampaigns?\b/i };

function texts(lng: 'it' | 'en'): [string, string][] {
  const out: [string, string][] = [];
  const walk = (value: unknown, key: string) => {
    if (typeof value === 'string') out.push([key, value]);
    else for (const [k, v] of Object.entries(value as object)) walk(v, key ? `${key}.${k}` : k);
  };
  for (const file of fs.readdirSync(path.join(DIR, lng)).filter((f) => f.endsWith('.json')))
    walk(JSON.parse(fs.readFileSync(path.join(DIR, lng, file), 'utf8')), file.slice(0, -5));
  return out;
}

describe('the name of a survey', () => {
  test.each(['it', 'en'] as const)('is the same in every %s text', (lng) => {
    const others = texts(lng).filter(([, text]) =>
      // A placeholder ({{campaign}}) names the code's value, not a word the reader sees.
      OTHER_NAME[lng].test(text.replace(/{{[^}]*}}/g, '')),
    );
    expect(others).toEqual([]);
  });

  test('views write no text of their own that names it otherwise', () => {
    const views = path.resolve(__dirname, '../../views');
    const found: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(file);
        else if (file.endsWith('.hbs')) {
          // Only what a reader sees: the text between tags, outside {{…}}.
          const text = pageText(fs.readFileSync(file, 'utf8').replace(/{{[\s\S]*?}}/g, ''));
          if (OTHER_NAME.it.test(text) || OTHER_NAME.en.test(text)) found.push(file);
        }
      }
    };
    walk(views);
    expect(found).toEqual([]);
  });
});
