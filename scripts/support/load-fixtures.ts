import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../src/db';
import type { SessionUser } from '../../src/http/types';
import { hashSecret, newSecret } from '../../src/lib/tokens';
import { italianCheckDigit } from '../../src/lib/vat';
import { findSessionUser } from '../../src/modules/accounts/accounts.repository';
import { createOrganisationWithUser } from '../../src/modules/accounts/accounts.service';
import { addDaysTo, plannableQuarters, romeToday } from '../../src/modules/survey/calendar';
import { createCampaign, transitionCampaign } from '../../src/modules/survey/campaigns.service';
import { benchComuni, generateNeeds, generatePacts } from '../bench-kit';

// The data of npm run bench:load's survey, needs and dashboard scenarios, written in bulk: the
// services that normally write it are covered by the tests, here only the volume matters.

/** The ESF managing authority of Tuscany (ITI1): it runs the campaigns and reads them. */
export async function createRegionUser(
  db: Db,
  email: string,
  passwordHash: string,
): Promise<SessionUser> {
  const id = await createOrganisationWithUser(db, {
    org: { kind: 'region', partner_type: null, name: 'Regione (bench)', territory_code: 'ITI1' },
    user: { email, full_name: 'Bench Region', password_hash: passwordHash },
  });
  return (await findSessionUser(db, id))!;
}

const SKILL_AREAS = ['F40', 'DC1', 'DC2', 'DC3', 'DC4', 'DC5'];
const SKILLS = [
  'F40.a',
  'F40.b',
  'F40.c',
  'F40.d',
  'F40.e',
  'F40.f',
  'F40.g',
  'F40.h',
  'F40.i',
  'F40.l',
];

/** A firm's answer as the API takes it: the readiness self-assessment and ten need lines. */
export function surveyAnswer() {
  const quarters = plannableQuarters(romeToday());
  return {
    readiness: {
      ...{ strategy: 3, readiness: 2, human: 4, data: 3, automation: 1, green: 2 },
      technologies: ['cloud', 'iot'],
    },
    needs: SKILLS.map((skill, i) => ({
      skill,
      occupation: '72',
      workers: i + 1,
      eqf: 4,
      priority: 'high',
      modality: 'blended',
      period: quarters[i % quarters.length]!,
    })),
  };
}

export interface SurveyFirm {
  id: string;
  userId: string;
  token: string;
}

export interface SurveyFixture {
  /** The open campaign the app's firms answer. */
  campaignId: string;
  /** Campaigns the ceiling writes into (drafts, listed nowhere): one answer per firm in each. */
  ceilingCampaigns: string[];
  firms: SurveyFirm[];
}

/**
 * An open campaign on ITI1 and `count` firms with complete profiles over the comuni of
 * Florence and Prato, each with a user, an API token and an empty draft (version 1).
 */
export async function prepareSurvey(
  db: Db,
  region: SessionUser,
  count: number,
  ceilingCampaigns: number,
): Promise<SurveyFixture> {
  const today = romeToday();
  const campaign = (title: string) =>
    createCampaign(db, region, {
      title,
      territoryCode: 'ITI1',
      opensAt: today,
      closesAt: addDaysTo(today, 30),
      skillAreas: SKILL_AREAS,
      readiness: true,
    });
  const campaignId = await campaign('Bench load: survey');
  await transitionCampaign(db, region, campaignId, 'open');
  const ceilingIds: string[] = [];
  for (let i = 0; i < ceilingCampaigns; i++)
    ceilingIds.push(await campaign(`Bench load: ceiling ${i + 1}`));

  const comuni = await benchComuni(db);
  const firms = Array.from({ length: count }, (_, i) => {
    const first10 = `09${String(i).padStart(8, '0')}`;
    return {
      id: crypto.randomUUID(),
      user_id: crypto.randomUUID(),
      i,
      territory: comuni[i % comuni.length]!,
      vat: `IT${first10}${italianCheckDigit(first10)}`,
      token: newSecret('patto'),
    };
  });
  const rows = firms.map(({ token, ...f }) => ({ ...f, token_hash: hashSecret(token) }));
  await db.transaction().execute(async (tx) => {
    await sql`
      CREATE TEMP TABLE load_firms ON COMMIT DROP AS
      SELECT * FROM json_to_recordset(${JSON.stringify(rows)}::json)
        AS f(id uuid, user_id uuid, i int, territory text, vat text, token_hash text)`.execute(tx);
    await sql`
      INSERT INTO organisations (id, kind, name, territory_code)
      SELECT id, 'firm', 'Bench firm ' || i, territory FROM load_firms`.execute(tx);
    await sql`
      INSERT INTO users (id, organisation_id, email, full_name, password_hash)
      SELECT user_id, id, 'firm-' || i || '@load.patto.test', 'Bench', 'x' FROM load_firms`.execute(
      tx,
    );
    await sql`
      INSERT INTO firms (organisation_id, legal_name, vat_number, nace_section, nace_division,
        employees, territory_code, contact_name, contact_email)
      SELECT id, 'Bench firm ' || i || ' S.r.l.', vat, 'C', '28', 40, territory, 'Bench',
             'firm-' || i || '@load.patto.test'
      FROM load_firms`.execute(tx);
    await sql`
      INSERT INTO api_tokens (user_id, name, token_hash)
      SELECT user_id, 'bench', token_hash FROM load_firms`.execute(tx);
    await sql`
      INSERT INTO response_drafts (campaign_id, firm_id, updated_by)
      SELECT ${campaignId}, id, user_id FROM load_firms`.execute(tx);
  });
  return {
    campaignId,
    ceilingCampaigns: ceilingIds,
    firms: firms.map((f) => ({ id: f.id, userId: f.user_id, token: f.token })),
  };
}

/**
 * A campaign on ITI1 that `firms` firms answered (five need lines each, over the comuni of
 * Florence and Prato), its aggregate built, and `pacts` pacts on it, most of them funded with
 * ledger commitments and outcome reports. Returns the campaign id.
 */
export async function prepareAnswers(
  db: Db,
  region: SessionUser,
  firms: number,
  pacts: number,
): Promise<string> {
  const perFirm = 5;
  const campaignId = await db
    .transaction()
    .execute((tx) => generateNeeds(tx as unknown as Db, region, firms * perFirm, perFirm));
  await sql`SELECT need_cells_rebuild(${campaignId}::uuid)`.execute(db);
  await generatePacts(db, region, campaignId, pacts);
  // Index-only scans need the visibility map: what autovacuum gives a live database.
  await sql`VACUUM ANALYZE`.execute(db);
  return campaignId;
}
