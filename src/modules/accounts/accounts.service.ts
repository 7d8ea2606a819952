import type { Language } from '../../http/i18n';
import type { Db } from '../../db';
import { createOnce } from '../../http/form-key';
import type { PartnerType } from '../../db/database';
import { DomainError } from '../../lib/domain-error';
import { burnPasswordCheck, hashPassword, verifyPassword } from '../../lib/password';
import { findCurrentTerritory } from '../reference/territories.repository';
import * as repo from './accounts.repository';

export class EmailTakenError extends DomainError {
  constructor() {
    super('accounts.errors.emailTaken', { field: 'email' });
  }
}

/** The right password of an account an admin disabled: said only to whoever knows it. */
export class AccountDisabledError extends DomainError {
  constructor() {
    super('login.disabled', { status: 403 });
  }
}

/**
 * Returns the user id, or null for a wrong e-mail or password alike (same time either way);
 * AccountDisabledError when the password is right but the account is disabled.
 */
export async function authenticate(
  db: Db,
  email: string,
  password: string,
): Promise<string | null> {
  const login = await repo.findLoginByEmail(db, email.trim().toLowerCase());
  if (!login) return burnPasswordCheck(password).then(() => null);
  if (!(await verifyPassword(login.password_hash, password))) return null;
  if (login.disabled_at) throw new AccountDisabledError();
  await repo.touchLogin(db, login.id);
  return login.id;
}

export interface FirmRegistration {
  organisationName: string;
  territoryCode: string;
  fullName: string;
  email: string;
  password: string;
  locale?: Language;
}

/**
 * Self-registration of a firm: its organisation and first user, together or not at all. Its
 * territory is a current comune, the only kind the firm's profile accepts.
 */
export async function registerFirm(db: Db, input: FirmRegistration): Promise<string> {
  const territory = await findCurrentTerritory(db, input.territoryCode);
  if (territory?.level !== 'LAU')
    throw new DomainError('firmProfile.errors.notComune', { field: 'territoryCode', status: 422 });
  const passwordHash = await hashPassword(input.password);
  return createOrganisationWithUser(db, {
    org: {
      kind: 'firm',
      partner_type: null,
      name: input.organisationName,
      territory_code: input.territoryCode,
    },
    user: {
      email: input.email,
      full_name: input.fullName,
      password_hash: passwordHash,
      ...(input.locale ? { locale: input.locale } : {}),
    },
  });
}

export async function createOrganisationWithUser(
  db: Db,
  input: {
    org: {
      kind: 'firm' | 'local_authority' | 'social_partner' | 'region' | 'admin';
      partner_type: PartnerType | null;
      name: string;
      territory_code: string;
    };
    user: { email: string; full_name: string; password_hash: string; locale?: Language };
  },
): Promise<string> {
  try {
    return await db.transaction().execute(async (tx) => {
      if (await repo.emailTaken(tx, input.user.email)) throw new EmailTakenError();
      const org = await repo.insertOrganisation(tx, input.org);
      const user = await repo.insertUser(tx, { ...input.user, organisation_id: org.id });
      return user.id;
    });
  } catch (err) {
    // Two registrations racing for one e-mail: the unique index decides, the loser is told why.
    if (isUniqueViolation(err, 'users_email_key')) throw new EmailTakenError();
    throw err;
  }
}

export function isUniqueViolation(err: unknown, constraint: string): boolean {
  const e = err as { code?: string; constraint?: string };
  return e?.code === '23505' && e.constraint === constraint;
}

export async function changePassword(
  db: Db,
  userId: string,
  current: string,
  next: string,
  /**
   * The form's one-time key: its second post (a double click) finds the password changed,
   * instead of meeting a current password no longer current. It checks nothing, so it tells
   * nothing about the password either.
   */
  formKey?: string,
): Promise<{ repeated: boolean }> {
  let repeated = true;
  await db.transaction().execute((tx) =>
    createOnce(tx, userId, formKey, async () => {
      repeated = false;
      const row = await repo.findPasswordHash(tx, userId);
      if (!row || !(await verifyPassword(row.password_hash, current))) {
        throw new DomainError('accounts.errors.wrongCurrentPassword', {
          field: 'currentPassword',
          status: 422,
        });
      }
      await repo.setPasswordHash(tx, userId, await hashPassword(next));
      return userId;
    }),
  );
  return { repeated };
}
