import type { Language } from '../../http/i18n';
import { z } from 'zod';
import type { AppServices } from '../../app';
import { loginRateLimit } from '../../http/rate-limit';
import { email, newPassword, shortText, territoryCode } from '../../http/validate';
import { findSessionUser } from '../accounts/accounts.repository';
import { registerFirm } from '../accounts/accounts.service';
import { defineOperation, type ApiOperation } from '../api/operation';
import { SIZE_CLASSES } from '../survey/survey.tables';
import { firmProfileSchema } from './firms.schemas';
import { getMyFirm, updateMyFirm, type FirmProfile } from './firms.service';

const registerFirmBody = z
  .strictObject({
    organisationName: shortText(200),
    territoryCode,
    fullName: shortText(120),
    email,
    password: newPassword,
  })
  .meta({ id: 'RegisterFirmRequest' });

export const firmResponse = z
  .object({
    organisationId: z.uuid(),
    legalName: z.string(),
    vatNumber: z.string().nullable(),
    naceSection: z.string().nullable(),
    naceDivision: z.string().nullable(),
    employees: z.number().int().nullable(),
    sizeClass: z.enum(SIZE_CLASSES).nullable(),
    territoryCode: z.string().nullable(),
    contactName: z.string().nullable(),
    contactEmail: z.string().nullable(),
    contactPhone: z.string().nullable(),
    complete: z.boolean(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Firm' });

export const firmJson = (f: FirmProfile) => ({ ...f, updatedAt: f.updatedAt.toISOString() });

export function firmOperations({ db, config }: AppServices): ApiOperation[] {
  return [
    defineOperation({
      operationId: 'registerFirm',
      method: 'post',
      path: '/firms',
      summary: 'Self-registration: a firm, its first user and its (incomplete) profile',
      tags: ['firms'],
      access: 'public',
      body: registerFirmBody,
      response: {
        status: 201,
        description: 'The firm profile; then createToken with the same e-mail and password',
        schema: firmResponse,
        // Read with the new user's token (createToken), as getMyFirm.
        location: { path: '/firms/me', href: () => '/firms/me' },
      },
      errors: [409, 429],
      middleware: [loginRateLimit(db, config.LOGIN_RATE_LIMIT)],
      handler: async ({ req, body }) => {
        const userId = await registerFirm(db, { ...body, locale: req.language as Language });
        return firmJson(await getMyFirm(db, (await findSessionUser(db, userId))!));
      },
    }),
    defineOperation({
      operationId: 'getMyFirm',
      method: 'get',
      path: '/firms/me',
      summary: "The signed-in firm's profile",
      tags: ['firms'],
      access: 'firm:profile',
      response: { status: 200, description: 'The profile', schema: firmResponse },
      handler: async ({ req }) => firmJson(await getMyFirm(db, req.user!)),
    }),
    defineOperation({
      operationId: 'updateMyFirm',
      method: 'put',
      path: '/firms/me',
      summary: "Replaces the signed-in firm's profile",
      tags: ['firms'],
      access: 'firm:profile',
      body: firmProfileSchema.meta({ id: 'FirmProfileRequest' }),
      response: { status: 200, description: 'The saved profile', schema: firmResponse },
      errors: [409],
      handler: async ({ req, body }) => firmJson(await updateMyFirm(db, req.user!, body)),
    }),
  ];
}
