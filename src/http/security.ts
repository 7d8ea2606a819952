import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import type { Config } from '../config';
import { HttpError } from './errors';

/** Security headers, a CSP that allows no inline script, and bounded request bodies. */
export function setUpWebSecurity(app: Express, config: Config): void {
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          // data: for the one icon font Bootstrap Italia's CSS embeds inline.
          fontSrc: ["'self'", 'data:'],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
        },
      },
      // Only a deployment behind TLS wants browsers to upgrade or pin HTTPS.
      strictTransportSecurity: config.production && config.trustProxy !== false,
    }),
  );
}

/**
 * The body parsers, after the language is known: a body they refuse (malformed JSON, too large)
 * is answered in the caller's language.
 */
export function setUpBodyParsing(app: Express, config: Config): void {
  app.use(express.urlencoded({ extended: true, limit: config.BODY_LIMIT, parameterLimit: 2000 }));
  app.use(withoutPrototypeKeys);
  app.use(express.json({ limit: config.BODY_LIMIT }));
  app.use(refuseNul);
}

/**
 * body-parser parses forms with qs's `allowPrototypes`, so `name[toString]=x` arrives as an own
 * `toString` that breaks anything turning the value into text (a refused form echoing the
 * user's input back, for one). Such keys are dropped, as qs does by default; no form has them.
 */
const withoutPrototypeKeys: RequestHandler = (req, _res, next) => {
  if (req.is('application/x-www-form-urlencoded')) req.body = plainForm(req.body);
  next();
};

function plainForm(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plainForm);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !(key in Object.prototype))
      .map(([key, child]) => [key, plainForm(child)]),
  );
}

/**
 * PostgreSQL cannot hold U+0000 in text, nor a lone UTF-16 surrogate ("\ud800" in JSON, which no
 * browser's form sends) in json or jsonb: such input is a 400 here, not a failed query (500) later.
 */
const refuseNul: RequestHandler = (req, _res, next) => {
  next(
    /%00/.test(req.originalUrl) || unstorable(req.body)
      ? new HttpError(400, req.t('errors.unstorableText'))
      : undefined,
  );
};

/** A surrogate without its other half. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

// Iterative: a JSON body may nest thousands of levels deep.
function unstorable(body: unknown): boolean {
  const stack = [body];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string' && (v.includes('\u0000') || LONE_SURROGATE.test(v))) return true;
    if (v && typeof v === 'object')
      for (const [key, child] of Object.entries(v)) stack.push(key, child);
  }
  return false;
}
