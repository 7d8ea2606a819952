import { z } from 'zod';
import { LANGUAGES } from '../../http/i18n';
import { PARTNER_TYPES, ROLES } from '../../db/database';
import { email, labelledChoice, newPassword, shortText, territoryCode } from '../../http/validate';
import { DEFAULT_TOKEN_LIFETIME, TOKEN_LIFETIMES, type TokenLifetime } from './tokens.service';

export const loginSchema = z.strictObject({
  email: z.string().trim().min(1).max(254),
  password: z.string().min(1).max(200),
  next: z.string().max(500).optional(),
});

const confirmed = <T extends { password: string; passwordConfirm: string }>(v: T) =>
  v.password === v.passwordConfirm;
const mismatch = { message: 'validation.passwordMismatch', path: ['passwordConfirm'] };

export const registerFirmSchema = z
  .strictObject({
    organisationName: shortText(200),
    territoryCode,
    fullName: shortText(120),
    email,
    password: newPassword,
    passwordConfirm: z.string().max(200),
  })
  .refine(confirmed, mismatch);

export const changePasswordSchema = z
  .strictObject({
    currentPassword: z.string().min(1).max(200),
    password: newPassword,
    passwordConfirm: z.string().max(200),
  })
  .refine(confirmed, mismatch);

export const invitationSchema = z
  .strictObject({
    email,
    role: z.enum(ROLES),
    partnerType: z.union([z.enum(PARTNER_TYPES), z.literal('')]).optional(),
    organisationName: shortText(200),
    territoryCode,
  })
  .refine((v) => v.role !== 'social_partner' || !!v.partnerType, {
    message: 'validation.partnerTypeRequired',
    path: ['partnerType'],
  });

export const acceptInvitationSchema = z
  .strictObject({
    fullName: shortText(120),
    password: newPassword,
    passwordConfirm: z.string().max(200),
  })
  .refine(confirmed, mismatch);

/** A token's lifetime in days, as the page's select sends it; left out, the default. */
const tokenLifetimeField = z
  .enum(TOKEN_LIFETIMES.map(String) as [string, ...string[]])
  .default(String(DEFAULT_TOKEN_LIFETIME))
  .transform((d) => Number(d) as TokenLifetime);

export const tokenSchema = z.strictObject({ name: shortText(80), lifetime: tokenLifetimeField });

/** `next` after login: only a path on this site, never another origin. */
export function safeNext(next: string | undefined): string {
  return next && /^\/(?![/\\])/.test(next) ? next : '/';
}

/** The admin's list of users: a search, a role, active or disabled, a page. */
export const adminUsersQuery = z.object({
  q: z.string().trim().max(100).optional(),
  role: z.union([labelledChoice(ROLES, 'roles'), z.literal('')]).optional(),
  status: z
    .union([labelledChoice(['active', 'disabled'], 'adminUsers.states'), z.literal('')])
    .optional(),
  page: z.coerce.number().int().min(1).max(1000).default(1),
});

export const disableUserSchema = z.strictObject({ reason: shortText(500) });

export const forgotPasswordSchema = z.strictObject({ email });

export const changeEmailSchema = z.strictObject({ email });

export const resetPasswordSchema = z
  .strictObject({ password: newPassword, passwordConfirm: z.string().max(200) })
  .refine(confirmed, mismatch);

export const profileSchema = z.strictObject({
  fullName: shortText(120),
  locale: z.enum(LANGUAGES),
});

export const colleagueSchema = z.strictObject({ email });

export const adminOrganisationsQuery = z.object({
  q: z.string().trim().max(100).optional(),
  kind: z.union([labelledChoice(ROLES, 'roles'), z.literal('')]).optional(),
  page: z.coerce.number().int().min(1).max(1000).default(1),
});

// Optional: kept in the organisation's history when given.
const correctionReason = z
  .string()
  .trim()
  .max(500)
  .optional()
  .transform((v) => v || undefined);

export const renameOrganisationSchema = z.strictObject({
  name: shortText(200),
  reason: correctionReason,
});

export const organisationTerritorySchema = z.strictObject({
  territoryCode,
  reason: correctionReason,
});
