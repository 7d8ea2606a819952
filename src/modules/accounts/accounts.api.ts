import { z } from 'zod';
import type { AppServices } from '../../app';
import { ROLES, PARTNER_TYPES } from '../../db/database';
import { HttpError } from '../../http/errors';
import { loginRateLimit } from '../../http/rate-limit';
import { defineOperation, type ApiOperation } from '../api/operation';
import { localName, territoryPath } from '../reference/territories.repository';
import { authenticate } from './accounts.service';
import {
  createApiToken,
  DEFAULT_TOKEN_LIFETIME,
  revokeApiToken,
  TOKEN_LIFETIMES,
} from './tokens.service';

const createTokenBody = z
  .strictObject({
    email: z.string().trim().min(1).max(254),
    password: z.string().min(1).max(200),
    name: z.string().trim().min(1).max(80).optional(),
    expiresInDays: z
      .literal(TOKEN_LIFETIMES)
      .default(DEFAULT_TOKEN_LIFETIME)
      .describe(
        `How long the token lasts, in days (default ${DEFAULT_TOKEN_LIFETIME}); there is no token that never expires`,
      ),
  })
  .meta({ id: 'CreateTokenRequest' });

const tokenResponse = z
  .object({
    token: z.string(),
    tokenId: z.uuid(),
    expiresAt: z.string().describe('When the token stops working (ISO 8601); afterwards a 401'),
  })
  .meta({ id: 'Token' });

const meResponse = z
  .object({
    id: z.uuid(),
    email: z.email(),
    fullName: z.string(),
    role: z.enum(ROLES),
    organisation: z.object({
      id: z.uuid(),
      name: z.string(),
      partnerType: z.enum(PARTNER_TYPES).nullable(),
    }),
    territory: z.object({
      code: z.string(),
      name: z.string(),
      path: z.array(z.object({ code: z.string(), level: z.string(), name: z.string() })),
    }),
  })
  .meta({ id: 'Me' });

export function accountOperations({ db, config }: AppServices): ApiOperation[] {
  return [
    defineOperation({
      operationId: 'createToken',
      method: 'post',
      path: '/tokens',
      summary:
        'Exchange e-mail and password for a personal access token (shown once), valid for 30, 90 (default) or 365 days',
      tags: ['accounts'],
      access: 'public',
      body: createTokenBody,
      response: { status: 201, description: 'The new token', schema: tokenResponse },
      errors: [401, 429],
      middleware: [loginRateLimit(db, config.LOGIN_RATE_LIMIT)],
      handler: async ({ req, body }) => {
        const userId = await authenticate(db, body.email, body.password);
        if (!userId) throw new HttpError(401, req.t('login.failed'));
        const { id, token, expiresAt } = await createApiToken(
          db,
          userId,
          body.name ?? 'API',
          body.expiresInDays,
        );
        return { token, tokenId: id, expiresAt: expiresAt.toISOString() };
      },
    }),
    defineOperation({
      operationId: 'revokeToken',
      method: 'delete',
      path: '/tokens/current',
      summary: 'Revoke the token this request authenticated with',
      tags: ['accounts'],
      access: 'token:manage',
      response: { status: 204, description: 'Revoked' },
      handler: async ({ req }) => {
        await revokeApiToken(db, req.user!.id, req.user!.tokenId!);
        return undefined;
      },
    }),
    defineOperation({
      operationId: 'getMe',
      method: 'get',
      path: '/me',
      summary: 'The authenticated user, its role, organisation and territory',
      tags: ['accounts'],
      access: 'account:use',
      response: { status: 200, description: 'The user', schema: meResponse },
      handler: async ({ req }) => {
        const u = req.user!;
        const lang = req.language?.startsWith('en') ? 'en' : 'it';
        const path = (await territoryPath(db, u.territoryCode)).map((t) => ({
          code: t.code,
          level: t.level,
          name: localName(t, lang),
        }));
        return {
          id: u.id,
          email: u.email,
          fullName: u.fullName,
          role: u.role,
          organisation: {
            id: u.organisationId,
            name: u.organisationName,
            partnerType: u.partnerType,
          },
          territory: { code: u.territoryCode, name: path.at(-1)?.name ?? u.territoryCode, path },
        };
      },
    }),
  ];
}
