import type { Db } from '../../db';
import { findSessionUser } from '../accounts/accounts.repository';
import { firmProfileSchema } from '../firms/firms.schemas';
import { getMyFirm, updateMyFirm } from '../firms/firms.service';
import { addDaysTo, romeToday } from './calendar';
import { createCampaign, transitionCampaign } from './campaigns.service';
import { seedDemoResponses } from './demo-responses';

/** The demo's survey still open: the one the demo firm answers (no other answer in it). */
export const DEMO_CAMPAIGN = 'Fabbisogni formativi 4.0 — Toscana';
/** The demo's first survey, answered by made-up firms and closed: the pacts are drawn from it. */
export const DEMO_CLOSED_CAMPAIGN = 'Fabbisogni formativi 4.0 — Toscana, prima rilevazione';

/**
 * The demo firm's profile completed, and two campaigns over Tuscany: a first one answered by
 * made-up firms of Florence and Prato and closed, so that its needs are public and pacts are
 * drawn from it; and a second one open, left to the visitor's firm. Returns the closed one.
 * Idempotent.
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
  const find = async (title: string) =>
    (await db
      .selectFrom('campaigns')
      .select(['id', 'status'])
      .where('organisation_id', '=', region.organisationId)
      .where('title', '=', title)
      .executeTakeFirst()) ?? null;
  const today = romeToday();
  const open = async (title: string) => {
    const id = await createCampaign(db, region, {
      title,
      territoryCode: 'ITI1',
      opensAt: today,
      closesAt: addDaysTo(today, 90),
      skillAreas: ['F40', 'DC1', 'DC2', 'DC3', 'DC4', 'DC5'],
      readiness: true,
    });
    await transitionCampaign(db, region, id, 'open');
    return id;
  };
  let first = await find(DEMO_CLOSED_CAMPAIGN);
  first ??= { id: await open(DEMO_CLOSED_CAMPAIGN), status: 'open' };
  if (first.status === 'open') {
    await seedDemoResponses(db, region, first.id);
    await transitionCampaign(db, region, first.id, 'close');
  }
  if (!(await find(DEMO_CAMPAIGN))) await open(DEMO_CAMPAIGN);
  return first.id;
}
