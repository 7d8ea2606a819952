import path from 'node:path';
import express, { type Express } from 'express';
import { engine } from 'express-handlebars';
import type { HelperOptions } from 'handlebars';
import { formatDate, formatEuros, formatNumber, formatPercent } from '../lib/format';
import { allow } from './authorize';

const ROOT = path.resolve(__dirname, '../..');

type Root = {
  t: (key: string, params?: Record<string, unknown>) => string;
  lang: string;
  /** A page's own labels for the error summary, by field name. */
  fieldLabels?: Record<string, string>;
};
const root = (options: HelperOptions) => (options.data as { root: Root }).root;

/** Helpers see the request's translator and language through the template's root context. */
const helpers = {
  t(key: string, options: HelperOptions) {
    return root(options).t(key, options.hash as Record<string, unknown>);
  },
  eq: (a: unknown, b: unknown) => a === b,
  or: (...args: unknown[]) => args.slice(0, -1).some(Boolean),
  and: (...args: unknown[]) => args.slice(0, -1).every(Boolean),
  not: (a: unknown) => !a,
  /** True for a non-empty object: an empty errors map shows no summary. */
  any: (o: unknown) => !!o && typeof o === 'object' && Object.keys(o).length > 0,
  /** A form shown back with errors (a map by field; an import's list of bad rows is not one). */
  formFailed: (...maps: unknown[]) =>
    maps
      .slice(0, -1)
      .some((m) => !!m && typeof m === 'object' && !Array.isArray(m) && Object.keys(m).length > 0),
  concat: (...args: unknown[]) => args.slice(0, -1).join(''),
  array: (...args: unknown[]) => args.slice(0, -1),
  formatNumber(value: unknown, options: HelperOptions) {
    if (typeof value !== 'number') return '';
    return formatNumber(value, root(options).lang, 2);
  },
  /** A percentage (already × 100): "10,8 %" in Italian, "10.8%" in English. */
  formatPercent(value: unknown, options: HelperOptions) {
    if (typeof value !== 'number') return '';
    return formatPercent(value, root(options).lang);
  },
  /** Euros (a number, cents / 100) as money in the reader's locale: "6.400,00 €", "€6,400.00". */
  formatEuro(value: unknown, options: HelperOptions) {
    if (typeof value !== 'number') return '';
    return formatEuros(value, root(options).lang);
  },
  /** A day for the reader: `7 dic 2026` in tables; `long=true` in sentences, `7 dicembre 2026`. */
  formatDate(value: unknown, options: HelperOptions) {
    if (!(value instanceof Date) && typeof value !== 'string') return '';
    const { time, long } = options.hash as { time?: boolean; long?: boolean };
    return formatDate(value, root(options).lang, { style: long ? 'long' : 'medium', time });
  },
  /** "Label: message" for the error summary: the page's own label for the field, else fields.*. */
  summaryText(name: string, message: string, options: HelperOptions) {
    const r = root(options);
    const label = r.fieldLabels?.[name] ?? r.t(`fields.${name}`, { defaultValue: '' });
    return label ? `${label}: ${message}` : message;
  },
  /** The value a form field shows: what the user typed, else the stored value. */
  fieldValue: (values: Record<string, unknown> | undefined, name: string) => values?.[name] ?? '',
  lookupError: (errors: Record<string, string> | undefined, name: string) => errors?.[name],
};

export function setUpViews(app: Express): void {
  app.engine(
    'hbs',
    engine({
      extname: '.hbs',
      defaultLayout: 'main',
      layoutsDir: path.join(ROOT, 'views/layouts'),
      partialsDir: path.join(ROOT, 'views/partials'),
      helpers,
    }),
  );
  app.set('view engine', 'hbs');
  app.set('views', path.join(ROOT, 'views'));
}

/** Bootstrap Italia and our own assets from disk: no CDN, cached for a day. */
export function setUpStaticAssets(app: Express): void {
  const opts = { maxAge: '1d', index: false as const };
  app.use(
    '/assets/bootstrap-italia',
    express.static(path.join(ROOT, 'node_modules/bootstrap-italia/dist'), opts),
  );
  app.use('/assets', express.static(path.join(ROOT, 'public'), opts));
  app.get('/favicon.svg', allow('public'), (_req, res) =>
    res.sendFile(path.join(ROOT, 'public/favicon.svg'), { maxAge: '1d' }),
  );
  app.get('/favicon.ico', allow('public'), (_req, res) => res.redirect(301, '/favicon.svg'));
}
