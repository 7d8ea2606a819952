import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Config } from '../config';

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
  app.use(express.urlencoded({ extended: true, limit: config.BODY_LIMIT, parameterLimit: 2000 }));
  app.use(express.json({ limit: config.BODY_LIMIT }));
}
