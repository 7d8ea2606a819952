import type { Language } from '../../http/i18n';
import type { Db, Tx } from '../../db';
import { createOnce, holdFormKey, recordMadeBy, rememberForm } from '../../http/form-key';
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
 *
 * `formKey`, the registration form's one-time key: its second post (a double click whose first
 * answer the browser dropped, with the first's sign-in) finds the account the first made and
 * gets its id, to be signed in as the first was, instead of 'this e-mail is taken'. Only with
 * the e-mail and the right password of the account that very form made: as much as a login
 * asks, and the key, which only the browser that drew the form has. Anything else is taken.
 */
export async function registerFirm(
  db: Db,
  input: FirmRegistration,
  formKey?: string,
): Promise<string> {
  const territory = await findCurrentTerritory(db, input.territoryCode);
  if (territory?.level !== 'LAU')
    throw new DomainError('firmProfile.errors.notComune', { field: 'territoryCode', status: 422 });
  const passwordHash = await hashPassword(input.password);
  return createOrganisationWithUser(
    db,
    {
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
    },
    formKey ? { formKey, password: input.password } : undefined,
  );
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
  /** A self-registration's form key and password (see registerFirm). */
  once?: { formKey: string; password: string },
): Promise<string> {
  try {
    return await db.transaction().execute(async (tx) => {
      if (once) {
        await holdFormKey(tx, `register:${once.formKey}`);
        const made = await accountMadeBy(tx, input.user.email, once);
        if (made) return made;
      }
      if (await repo.emailTaken(tx, input.user.email)) throw new EmailTakenError();
      const org = await repo.insertOrganisation(tx, input.org);
      const user = await repo.insertUser(tx, { ...input.user, organisation_id: org.id });
      if (once) await rememberForm(tx, user.id, once.formKey, user.id);
      return user.id;
    });
  } catch (err) {
    // Two registrations racing for one e-mail: the unique index decides, the loser is told why.
    if (isUniqueViolation(err, 'users_email_key')) throw new EmailTakenError();
    throw err;
  }
}

/** The account with this e-mail, if the form with this key made it and the password is its own. */
async function accountMadeBy(
  tx: Tx,
  email: string,
  once: { formKey: string; password: string },
): Promise<string | null> {
  const login = await repo.findLoginByEmail(tx, email);
  if (!login || login.disabled_at) return null;
  if ((await recordMadeBy(tx, login.id, once.formKey)) !== login.id) return null;
  return (await verifyPassword(login.password_hash, once.password)) ? login.id : null;
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
