import type { Request, RequestHandler, Response, Router } from 'express';
import { z } from 'zod';
import type { Db } from '../../db';
import type { Access } from '../../http/authorize';
import { allow } from '../../http/authorize';
import { HttpError, problem } from '../../http/errors';
import { queryProblems } from '../../http/query';
import { fieldErrors, safeParseQuery } from '../../http/validate';
import {
  answerRepeatedKey,
  claimIdempotencyKey,
  IDEMPOTENCY_KEY,
  idempotencyKeyOf,
  takesIdempotencyKey,
} from './idempotency';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * One API operation: the route, its access, its zod schemas and its handler. The same object
 * mounts the Express route and writes the OpenAPI document, so the two cannot drift apart.
 */
export interface ApiOperation<
  B extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  P extends z.ZodType = z.ZodType,
> {
  operationId: string;
  method: Method;
  path: string; // Express style: /pacts/:id
  summary: string;
  tags: string[];
  access: Access;
  body?: B;
  query?: Q;
  params?: P;
  response: {
    status: number;
    description: string;
    schema?: z.ZodType;
    /** Other media types the handler may answer with a RawBody (e.g. text/csv). */
    alternatives?: Record<string, z.ZodType>;
    /** Another status the handler may answer with an Answer, same schema (e.g. 200 for a repeat). */
    also?: { status: number; description: string };
    /**
     * A 201's `Location`: the created record's path in the API (e.g. `/pacts/{id}`), from the
     * answer and the request (its path's ids, a firm's `firmId`). Without it a client would take
     * the request's own URL for the new record (RFC 9110). Every 201 whose record the API reads
     * has one.
     */
    location?: {
      /** The record's path as the OpenAPI document writes it: `/pacts/{id}`. */
      path: string;
      href: (body: { id: string }, req: Request) => string;
    };
  };
  errors?: number[];
  middleware?: RequestHandler[];
  handler: (input: {
    req: Request;
    body: z.output<B>;
    query: z.output<Q>;
    params: z.output<P>;
    /**
     * With an `Idempotency-Key` (creating POSTs, see idempotency.ts): a form key for the
     * service's createOnce, so that the creation itself happens once per key too.
     */
    formKey?: string;
  }) => Promise<unknown>;
}

/** A handler's JSON answer with another status than the operation's (its `response.also`). */
export class Answer {
  constructor(
    readonly status: number,
    readonly body: object,
  ) {}
}

/** A handler's answer sent as is, in its own media type, instead of as JSON. */
export class RawBody {
  constructor(
    readonly type: string,
    readonly body: string,
  ) {}
}

export function defineOperation<
  B extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  P extends z.ZodType = z.ZodType,
>(op: ApiOperation<B, Q, P>): ApiOperation {
  return op as unknown as ApiOperation;
}

export function mountOperation(router: Router, op: ApiOperation, db: Db): void {
  const checks = [allow(op.access), ...(op.body ? [jsonBody] : []), ...(op.middleware ?? [])];
  const keyed = takesIdempotencyKey(op);
  router[op.method](op.path, ...checks, async (req, res) => {
    const key = keyed ? idempotencyKeyOf(req) : undefined;
    if (key === false) {
      const detail = req.t('errors.apiIdempotencyKeyBad');
      const errors = [{ pointer: `header/${IDEMPOTENCY_KEY}`, detail }];
      return void sendProblem(res, 400, detail, errors);
    }
    const parts = { body: op.body, query: op.query, params: op.params };
    const input: Record<string, unknown> = {};
    const errors: { pointer: string; detail: string }[] = [];
    for (const [where, schema] of Object.entries(parts)) {
      if (!schema) continue;
      const source =
        where === 'body' ? (req.body ?? {}) : where === 'query' ? req.query : req.params;
      // A read (GET) ignores unknown query parameters; writes stay strict everywhere.
      const parsed =
        where === 'query' && op.method === 'get'
          ? safeParseQuery(schema, source)
          : schema.safeParse(source);
      if (parsed.success) input[where] = parsed.data;
      else if (where === 'query')
        // Each parameter named with what it accepts, in the API's words (not a page address's).
        for (const p of queryProblems(parsed.error.issues, req.query, req.t, true))
          errors.push({ pointer: `query/${p.param}`, detail: p.text });
      else
        for (const [field, detail] of Object.entries(
          fieldErrors(parsed.error, req.t, { api: true }),
        ))
          errors.push({ pointer: `${where}/${field}`, detail });
    }
    // A path whose id is not of the form ids have names nothing: 404, as a made-up id is, with
    // the parameter named, rather than "some fields are not valid" about a field nobody filled.
    const params = errors.filter((e) => e.pointer.startsWith('params/'));
    if (params.length) {
      const named = params.map((e) => {
        const param = e.pointer.slice('params/'.length);
        const value = String(req.params[param] ?? '').slice(0, 40);
        return { pointer: e.pointer, detail: req.t('errors.apiBadParam', { param, value }) };
      });
      return void sendProblem(res, 404, req.t('errors.notFound'), named);
    }
    if (errors.length) return void sendProblem(res, 422, req.t('errors.validation'), errors);
    // Claimed once the request is known valid: a refused one leaves its key free for the fix.
    const once = key ? await claimIdempotencyKey(db, req.user!.id, key, op, req) : undefined;
    if (once && !once.run) {
      if ('replay' in once) setLocation(req, res, op, once.replay.status, once.replay.body);
      return void answerRepeatedKey(req, res, once);
    }
    let result: unknown;
    try {
      result = await op.handler({
        req,
        ...(input as { body: never; query: never; params: never }),
        formKey: once?.formKey,
      });
    } catch (err) {
      // Freed for a retry: a failure mostly made nothing (the service's transaction rolled back);
      // one after the creation's commit leaves it to the service's createOnce (same form key).
      await once?.release().catch(() => undefined);
      throw err;
    }
    if (once)
      await (result instanceof RawBody
        ? once.release()
        : once.keep(
            result instanceof Answer ? result.status : op.response.status,
            result instanceof Answer ? result.body : result,
          ));
    if (!(result instanceof Answer || result instanceof RawBody))
      setLocation(req, res, op, op.response.status, result);
    if (result === undefined) res.status(op.response.status).end();
    else if (result instanceof Answer) res.status(result.status).json(result.body);
    else if (result instanceof RawBody)
      res.status(op.response.status).type(result.type).send(result.body);
    else res.status(op.response.status).json(result);
  });
}

function setLocation(req: Request, res: Response, op: ApiOperation, status: number, body: unknown) {
  const { location } = op.response;
  if (location && status === 201 && body)
    res.location(req.baseUrl + location.href(body as { id: string }, req));
}

function sendProblem(
  res: Response,
  status: number,
  detail: string,
  errors?: { pointer: string; detail: string }[],
) {
  res
    .status(status)
    .type('application/problem+json')
    .json(problem(status, detail, errors ? { errors } : {}));
}

const notJson = (req: Request) => new HttpError(415, req.t('errors.apiHttp415'));

/**
 * A body sent as a form or as text would be read field by field as strings, or not at all
 * ("required" for fields it does carry): refused as 415, saying what the API reads. An empty
 * body is let through, to be told which fields it needs.
 */
const jsonBody: RequestHandler = (req, _res, next) =>
  next(
    req.is('application/json') === false && req.get('content-length') !== '0'
      ? notJson(req)
      : undefined,
  );

/**
 * A patch sent as anything but JSON (a form, text), or with no body, would reach its handler as
 * `{}`, "change nothing", and answer 200: refused as 415 instead, so the client learns its change
 * was not read.
 */
export const jsonBodyOnly: RequestHandler = (req, _res, next) =>
  next(req.is('application/json') ? undefined : notJson(req));

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    errors: z.array(z.object({ pointer: z.string(), detail: z.string() })).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });
