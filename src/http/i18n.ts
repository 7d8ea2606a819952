import fs from 'node:fs';
import path from 'node:path';
import type { Express, Request, Response } from 'express';
import i18next, { type i18n, type TFunction } from 'i18next';
import { LanguageDetector } from 'i18next-http-middleware';
import { formatDate, formatEuros, formatNumber } from '../lib/format';
import { italianDays } from '../lib/italian-days';

export const LANGUAGES = ['it', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
const LOCALES_DIR = path.resolve(__dirname, '../../locales');

/** Every locales/<lang>/*.json merged into one namespace; a key defined twice is a start-up error. */
function loadResources(): Record<string, { translation: Record<string, unknown> }> {
  const resources: Record<string, { translation: Record<string, unknown> }> = {};
  for (const lng of LANGUAGES) {
    const translation: Record<string, unknown> = {};
    for (const file of fs.readdirSync(path.join(LOCALES_DIR, lng)).sort()) {
      if (!file.endsWith('.json')) continue;
      const content = JSON.parse(
        fs.readFileSync(path.join(LOCALES_DIR, lng, file), 'utf8'),
      ) as Record<string, unknown>;
      for (const [key, value] of Object.entries(content)) {
        if (key in translation)
          throw new Error(`locales/${lng}/${file}: key "${key}" is defined twice`);
        translation[key] = value;
      }
    }
    withManyForms(translation);
    resources[lng] = { translation };
  }
  return resources;
}

/**
 * CLDR gives Italian (as French and Spanish) a "many" plural for round millions ("1 milione di
 * lavoratori"): i18next then looks for `key_many` and, not finding it, shows the key itself. Our
 * texts write those numbers as digits, so they read as "other": `_many` is `_other` wherever a
 * file does not say otherwise.
 */
function withManyForms(node: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(node)) {
    if (value !== null && typeof value === 'object')
      withManyForms(value as Record<string, unknown>);
    else if (key.endsWith('_other')) {
      const many = `${key.slice(0, -'_other'.length)}_many`;
      if (!(many in node)) node[many] = value;
    }
  }
}

const DETECTION_ORDER = ['querystring', 'cookie', 'header'];
const CACHES = ['cookie'];

let instance: i18n | undefined;

export function getI18n(): i18n {
  if (!instance) {
    instance = i18next.createInstance();
    instance.use(LanguageDetector).use({
      type: 'postProcessor',
      name: 'italianDays',
      process: (
        value: string,
        _key: unknown,
        options: { lng?: string },
        translator: { language?: string },
      ) => ((options?.lng ?? translator?.language) === 'it' ? italianDays(value) : value),
    });
    instance.init({
      resources: loadResources(),
      fallbackLng: 'it',
      supportedLngs: [...LANGUAGES],
      nonExplicitSupportedLngs: true,
      load: 'languageOnly',
      initAsync: false,
      interpolation: { escapeValue: false }, // Handlebars escapes
      // "chiude il {{date, day}}" with the 8th written "chiude l'8 gennaio" (lib/italian-days).
      postProcess: ['italianDays'],
      detection: {
        order: DETECTION_ORDER,
        lookupQuerystring: 'lang',
        lookupCookie: 'lang',
        caches: CACHES,
        cookieSameSite: 'lax',
        cookieExpirationDate: new Date(Date.now() + 365 * 86400_000),
      },
    });
    // `{{amount, currency(EUR)}}`: money in texts is written as on the pages (lib/format).
    instance.services.formatter?.add('currency', (value: unknown, lng: string | undefined) =>
      typeof value === 'number' ? formatEuros(value, lng ?? 'it') : String(value ?? ''),
    );
    // `{{count, number}}`: numbers in texts are grouped as in the tables (lib/format), "1.500",
    // where i18next's own formatter follows Italian CLDR and writes "1500" beside "15.000". A
    // count may come as digits (PostgreSQL's bigint, a flash message kept in the session).
    instance.services.formatter?.add('number', (value: unknown, lng: string | undefined) => {
      const n = typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
      return typeof n === 'number' ? formatNumber(n, lng ?? 'it', 2) : String(value ?? '');
    });
    // `{{deadline, day}}`: a day ("2027-06-05" or a Date) inside a sentence, "5 giugno 2027".
    instance.services.formatter?.add('day', (value: unknown, lng: string | undefined) =>
      value instanceof Date || typeof value === 'string'
        ? formatDate(value, lng ?? 'it', { style: 'long' })
        : String(value ?? ''),
    );
    // `{{skill, localized}}`: a parameter given as its names by language (`_`: the default),
    // for services that name things without knowing the reader's language.
    instance.services.formatter?.add('localized', (value: unknown, lng: string | undefined) => {
      if (!value || typeof value !== 'object') return String(value ?? '');
      const names = value as Record<string, string>;
      return (lng && names[lng]) || names._ || '';
    });
  }
  return instance;
}

/**
 * `t` remembering what it returned for a key without parameters: the resources do not change
 * after start, and a page asks for dozens of labels (i18next's lookup was ~4 % of the app's CPU
 * on the home page under load). Bounded, in case keys are ever built from data.
 */
function remembered(t: TFunction): TFunction {
  const known = new Map<string, string>();
  const fixed = (key: unknown, options?: unknown) => {
    if (typeof key !== 'string' || (options && Object.keys(options).length > 0))
      return (t as (k: unknown, o?: unknown) => unknown)(key, options);
    let text = known.get(key);
    if (text === undefined) {
      text = t(key);
      if (known.size < 10_000) known.set(key, text);
    }
    return text;
  };
  return fixed as unknown as TFunction;
}

/**
 * req.t and req.language on every request; Italian by default, English by choice (?lang=, then
 * the `lang` cookie it leaves, then Accept-Language). Detection and the cookie are
 * i18next-http-middleware's; its handle() also cloned the i18next instance and changed the
 * clone's language on every request (~8 % of the app's CPU under load), so each request gets one
 * of two fixed translation functions made at start instead.
 */
export function setUpI18n(app: Express): void {
  const i18n = getI18n();
  const detector = i18n.services.languageDetector as LanguageDetector;
  const translate = { it: remembered(i18n.getFixedT('it')), en: remembered(i18n.getFixedT('en')) };
  app.use((req, res, next) => {
    const detected = detector.detect(req, res, DETECTION_ORDER) as unknown as
      string | string[] | undefined;
    const first = Array.isArray(detected) ? detected[0] : detected;
    const lang: Language = first?.startsWith('en') ? 'en' : 'it';
    // The cookie remembers a choice: set when the page was asked for with ?lang=, not on every
    // response (it was: a year-long Set-Cookie on each page and API answer, before any choice).
    if (req.query.lang !== undefined) detector.cacheUserLanguage(req, res, lang, CACHES);
    res.setHeader('Content-Language', lang);
    req.language = lang;
    req.t = translate[lang];
    res.locals.lang = lang;
    res.locals.t = req.t;
    res.locals.otherLang = lang === 'it' ? 'en' : 'it';
    res.locals.otherLangHref = switchLanguageHref(req.originalUrl, res.locals.otherLang as string);
    res.locals.path = req.path;
    next();
  });
}

/** Whether this browser chose a language (the `lang` cookie a `?lang=` left). */
export const languageChosen = (req: Request): boolean =>
  /(?:^|;\s*)lang=/.test(req.headers.cookie ?? '');

/** This browser's pages in `lang` from the next request on, as if it had asked with ?lang=. */
export function rememberLanguage(req: Request, res: Response, lang: Language): void {
  (getI18n().services.languageDetector as LanguageDetector).cacheUserLanguage(
    req,
    res,
    lang,
    CACHES,
  );
}

/**
 * The link to this page in the other language: the same query with `lang` set, so a page opened
 * with parameters (an association's `?firm=`, a search, a campaign) stays the same page.
 */
export function switchLanguageHref(url: string, lang: string): string {
  const q = url.indexOf('?');
  const params = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
  params.set('lang', lang);
  return `?${params.toString()}`;
}
