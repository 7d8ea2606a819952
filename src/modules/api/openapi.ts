import {
  createDocument,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
} from 'zod-openapi';
import { idempotencyKeyParam, replayedHeaders, takesIdempotencyKey } from './idempotency';
import { z } from 'zod';
import type { ApiOperation } from './operation';
import { problemSchema } from './operation';

const DEFAULT_ERRORS: Record<number, string> = {
  400: 'Malformed request: the body is not valid JSON',
  401: 'Missing or invalid bearer token',
  403: 'Not allowed for this role',
  404: 'Not found',
  409: 'Conflicts with the current state',
  413: 'Body too large',
  415: 'The body is not JSON (Content-Type: application/json)',
  422: 'Invalid input; `errors` names each failing field',
  429: 'Too many attempts',
};

/** What the same statuses also mean on an operation that takes an Idempotency-Key. */
const KEYED_ERRORS: Record<number, string> = {
  400: 'Malformed request: the body is not valid JSON, or the Idempotency-Key is not 1–255 visible ASCII characters',
  409: 'Conflicts with the current state, or a request with the same Idempotency-Key is still running (retry it shortly; `Retry-After`)',
  422: 'Invalid input (`errors` names each failing field), or the Idempotency-Key was already used for another request (another body, path or operation)',
};

/** A 201's Location: the created record's URL, which its GET reads. */
const locationHeader = (path: string) =>
  z.string().meta({
    description: `The new record’s URL, to read it again: \`/api/v1${path}\` (GET)`,
    examples: [`/api/v1${path.replace(/\{\w+\}/g, '5b0f7c1e-8d5a-4e0b-9a55-3f1c2e7d9a10')}`],
  });

/**
 * A public operation needs no token, but one sent is still checked (bearerAuth): a revoked or
 * expired token is a 401 there too, rather than an answer as if nobody had asked.
 */
const PUBLIC_401 =
  'A bearer token was sent that is not valid, revoked or expired (this operation needs none: send no `Authorization` header)';

function publicUnauthorized(op: ApiOperation): string {
  // Its own 401 (createToken: wrong e-mail or password) besides the token's.
  return op.errors?.includes(401) ? `Wrong credentials; or: ${PUBLIC_401}` : PUBLIC_401;
}

/** The OpenAPI 3.1 document, written from the same operations the router mounts. */
export function buildOpenApiDocument(operations: ApiOperation[], version: string) {
  const paths: ZodOpenApiPathsObject = {};
  for (const op of operations) {
    const path = op.path.replace(/:(\w+)/g, '{$1}');
    const keyed = takesIdempotencyKey(op);
    const replayed = keyed ? { headers: replayedHeaders } : {};
    const { location } = op.response;
    const created = location
      ? {
          headers: (keyed ? replayedHeaders : z.object({})).extend({
            Location: locationHeader(location.path),
          }),
        }
      : replayed;
    const errorCodes = new Set([
      ...(op.errors ?? []),
      ...(keyed ? [400, 409, 422] : []),
      // A body that is not JSON (415), JSON that does not parse (400), or too large (413).
      ...(op.body ? [400, 413, 415] : []),
      ...(op.body || op.query ? [422] : []),
      // A public operation too: a token sent is checked (a revoked one is a 401 there as well).
      401,
      ...(op.access === 'public' ? [] : [403]),
      ...(op.params ? [404] : []),
    ]);
    const operation: ZodOpenApiOperationObject = {
      operationId: op.operationId,
      summary: op.summary,
      tags: op.tags,
      ...(op.access === 'public' ? { security: [] } : {}),
      ...(keyed ? { parameters: [idempotencyKeyParam] } : {}),
      ...(op.params || op.query
        ? {
            requestParams: {
              ...(op.params ? { path: op.params as never } : {}),
              ...(op.query ? { query: op.query as never } : {}),
            },
          }
        : {}),
      ...(op.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: op.body } } } }
        : {}),
      responses: {
        ...(op.response.also && op.response.schema
          ? {
              [String(op.response.also.status)]: {
                description: op.response.also.description,
                ...replayed,
                content: { 'application/json': { schema: op.response.schema } },
              },
            }
          : {}),
        [String(op.response.status)]: {
          description: op.response.description,
          ...created,
          ...(op.response.schema
            ? {
                content: {
                  'application/json': { schema: op.response.schema },
                  ...Object.fromEntries(
                    Object.entries(op.response.alternatives ?? {}).map(([type, schema]) => [
                      type,
                      { schema },
                    ]),
                  ),
                },
              }
            : {}),
        },
        ...Object.fromEntries(
          [...errorCodes].sort().map((s) => [
            String(s),
            {
              description:
                (keyed ? KEYED_ERRORS[s] : undefined) ??
                (s === 401 && op.access === 'public' ? publicUnauthorized(op) : undefined) ??
                DEFAULT_ERRORS[s] ??
                'Error',
              content: { 'application/problem+json': { schema: problemSchema } },
            },
          ]),
        ),
      },
    };
    paths[path] = { ...(paths[path] ?? {}), [op.method]: operation };
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Patto API',
      version,
      description:
        'Training-needs surveys and Local Training Pacts. Authenticate with a personal access token: `Authorization: Bearer …` (createToken). Repeating an act exactly (a retry: the same signature, the same decision) answers 200 with `repeated: true` and records nothing again. An operation that creates (a pact, an action, a comment, a campaign…) takes an optional `Idempotency-Key` header: a retry with the same key and the same request gets the first answer again, with `Idempotent-Replayed: true`, and creates nothing twice.',
      license: { name: 'EUPL-1.2', identifier: 'EUPL-1.2' },
    },
    servers: [{ url: '/api/v1' }],
    security: [{ bearerAuth: [] }],
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description:
            'A personal access token (`patto_…`) from createToken or the account page. It expires 30, 90 (default) or 365 days after creation, as chosen then; an expired token is a 401 whose detail says it expired and when, with `WWW-Authenticate: Bearer error="invalid_token", error_description="The access token expired"`; an unknown or revoked one is a 401 saying it is not valid, with `WWW-Authenticate: Bearer error="invalid_token", error_description="The access token is not valid"`; without a token, `WWW-Authenticate: Bearer realm="patto"` alone.',
        },
      },
    },
    paths,
  });
}
