import crypto from 'node:crypto';
import type { Express } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from '../logger';

/** One log line per request with a request id (taken from X-Request-Id when sane, else new). */
export function setUpRequestLogging(app: Express, logger: Logger): void {
  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id =
          typeof incoming === 'string' && /^[\w.-]{1,64}$/.test(incoming)
            ? incoming
            : crypto.randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      autoLogging: {
        ignore: (req) => req.url === '/healthz' || req.url?.startsWith('/assets/') === true,
      },
      serializers: {
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
        req: (req: { id: string; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url.replace(/([?&]_csrf=)[^&]*/, '$1…'),
        }),
      },
    }),
  );
}
