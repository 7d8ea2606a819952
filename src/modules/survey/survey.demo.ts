import type { Db } from '../../db';
import { findSessionUser } from '../accounts/accounts.repository';
import { firmProfileSchema } from '../firms/firms.schemas';
import { getMyFirm, updateMyFirm } from '../firms/firms.service';
import { addDaysTo, romeToday } from './calendar';
import { createCampaign, transitionCampaign } from './campaigns.service';
import { seedDemoResponses } from './demo-responses';

export const DEMO_CAMPAIGN = 'Fabbisogni formativi 4.0 — Toscana';

/**
 * The demo firm's profile completed, and an open campaign over Tuscany answered by made-up firms
 * of Florence and Prato (the demo firm's own answer is left to the visitor). Idempotent.
 */
export async function seedSurveyDemo(
  db: Db,
  firmEmail: string,
  regionEmail: string,
): Promise<string | undefined> {
  const ids = await db
    .selectFrom('users')
    .select(['id', 'email'])
    .where('email', 'in', [firmEmail, regionEmail])
    .execute();
  const firm = await findSessionUser(db, ids.find((u) => u.email === firmEmail)?.id ?? '');
  const region = await findSessionUser(db, ids.find((u) => u.email === regionEmail)?.id ?? '');
  if (firm && !(await getMyFirm(db, firm)).complete) {
    await updateMyFirm(
      db,
      firm,
      firmProfileSchema.parse({
        legalName: firm.organisationName,
        vatNumber: '01234567897',
        naceDivision: '28',
        employees: '42',
        territoryCode: '048014',
        contactName: firm.fullName,
        contactEmail: firm.email,
        contactPhone: '+39 0571 000000',
      }),
    );
  }
  if (!region) return;
  const existing = await db
    .selectFrom('campaigns')
    .select('id')
    .where('organisation_id', '=', region.organisationId)
    .where('title', '=', DEMO_CAMPAIGN)
    .executeTakeFirst();
  if (existing) {
    await seedDemoResponses(db, region, existing.id);
    return existing.id;
  }
  const today = romeToday();
  const id = await createCampaign(db, region, {
    title: DEMO_CAMPAIGN,
    territoryCode: 'ITI1',
    opensAt: today,
    closesAt: addDaysTo(today, 90),
    skillAreas: ['F40', 'DC1', 'DC2', 'DC3', 'DC4', 'DC5'],
    readiness: true,
  });
  await transitionCampaign(db, region, id, 'open');
  await seedDemoResponses(db, region, id);
  return id;
}
