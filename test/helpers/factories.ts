import crypto from 'node:crypto';
import type { Db } from '../../src/db';
import type { PartnerType, Role } from '../../src/db/database';
import { hashPassword } from '../../src/lib/password';
import { createOrganisationWithUser } from '../../src/modules/accounts/accounts.service';
import { findSessionUser } from '../../src/modules/accounts/accounts.repository';

export const PASSWORD = 'correct horse battery';
let passwordHash: Promise<string> | undefined;

const DEFAULT_TERRITORY: Record<Role, string> = {
  firm: '048014',
  local_authority: 'ITI14',
  social_partner: 'ITI14',
  region: 'ITI1',
  admin: 'IT',
};

/** An organisation of the given role with one user (password PASSWORD); returns the user. */
export async function newUser(
  db: Db,
  options: {
    role?: Role;
    territory?: string;
    partnerType?: PartnerType;
    email?: string;
    organisation?: string;
  } = {},
) {
  const role = options.role ?? 'firm';
  const email = options.email ?? `${role}-${crypto.randomBytes(4).toString('hex')}@test.patto`;
  passwordHash ??= hashPassword(PASSWORD);
  const id = await createOrganisationWithUser(db, {
    org: {
      kind: role,
      partner_type:
        role === 'social_partner' ? (options.partnerType ?? 'employer_association') : null,
      name: options.organisation ?? `Org ${email}`,
      territory_code: options.territory ?? DEFAULT_TERRITORY[role],
    },
    user: { email, full_name: `User ${role}`, password_hash: await passwordHash },
  });
  return (await findSessionUser(db, id))!;
}
