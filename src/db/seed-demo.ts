import type { Db } from './index';
import type { PartnerType, Role } from './database';
import { hashPassword } from '../lib/password';
import { createOrganisationWithUser } from '../modules/accounts/accounts.service';
import { seedSurveyDemo } from '../modules/survey/survey.demo';
import { seedPactsDemo } from '../modules/pacts/pacts.demo';

export const DEMO_PASSWORD = 'patto-demo';

interface DemoAccount {
  email: string;
  fullName: string;
  role: Role;
  partnerType: PartnerType | null;
  organisation: string;
  territory: string;
}

/** One organisation and one user per role (two social partners, for parity), in Tuscany. */
export const DEMO_ACCOUNTS: DemoAccount[] = [
  {
    email: 'firm@demo.patto.test',
    fullName: 'Giulia Conti',
    role: 'firm',
    partnerType: null,
    organisation: 'Meccanica Empolese S.r.l.',
    territory: '048014',
  },
  {
    email: 'authority@demo.patto.test',
    fullName: 'Marco Bini',
    role: 'local_authority',
    partnerType: null,
    organisation: 'Città Metropolitana di Firenze',
    territory: 'ITI14',
  },
  {
    email: 'partner@demo.patto.test',
    fullName: 'Sara Lenzi',
    role: 'social_partner',
    partnerType: 'employer_association',
    organisation: 'Confindustria Firenze',
    territory: 'ITI14',
  },
  {
    email: 'union@demo.patto.test',
    fullName: 'Luca Mori',
    role: 'social_partner',
    partnerType: 'trade_union',
    organisation: 'CGIL Firenze',
    territory: 'ITI14',
  },
  {
    email: 'region@demo.patto.test',
    fullName: 'Paolo Ricci',
    role: 'region',
    partnerType: null,
    organisation: 'Regione Toscana — Settore Formazione',
    territory: 'ITI1',
  },
  {
    email: 'admin@demo.patto.test',
    fullName: 'Anna Ferri',
    role: 'admin',
    partnerType: null,
    organisation: 'Patto — gestione piattaforma',
    territory: 'IT',
  },
];

/** Creates the demo accounts that are missing; returns the e-mails created. Idempotent. */
export async function seedDemo(db: Db): Promise<string[]> {
  const existing = new Set(
    (
      await db
        .selectFrom('users')
        .select('email')
        .where(
          'email',
          'in',
          DEMO_ACCOUNTS.map((a) => a.email),
        )
        .execute()
    ).map((r) => r.email),
  );
  const hash = await hashPassword(DEMO_PASSWORD);
  const created: string[] = [];
  for (const a of DEMO_ACCOUNTS) {
    if (existing.has(a.email)) continue;
    await createOrganisationWithUser(db, {
      org: {
        kind: a.role,
        partner_type: a.partnerType,
        name: a.organisation,
        territory_code: a.territory,
      },
      user: { email: a.email, full_name: a.fullName, password_hash: hash },
    });
    created.push(a.email);
  }
  const campaignId = await seedSurveyDemo(db, 'firm@demo.patto.test', 'region@demo.patto.test');
  if (campaignId)
    await seedPactsDemo(db, campaignId, {
      region: 'region@demo.patto.test',
      authority: 'authority@demo.patto.test',
      employers: 'partner@demo.patto.test',
      union: 'union@demo.patto.test',
    });
  return created;
}

export async function hasNoUsers(db: Db): Promise<boolean> {
  return !(await db.selectFrom('users').select('id').limit(1).executeTakeFirst());
}

export function demoBanner(): string {
  const rows = DEMO_ACCOUNTS.map((a) => `  ${a.role.padEnd(16)} ${a.email}`).join('\n');
  return `Demo accounts (password: ${DEMO_PASSWORD}):\n${rows}`;
}
