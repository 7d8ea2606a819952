import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { Db, Tx } from '../../src/db';
import { applyResponseChange } from '../../src/modules/needs/aggregate';
import { newUser } from '../helpers/factories';
import { farDay } from '../helpers/dates';

export const SECTORS = [
  ['C', '25'],
  ['F', '41'],
  ['G', '46'],
  ['J', '62'],
] as const;
export const SKILLS = [
  ['F40.a', 'F40'],
  ['F40.b', 'F40'],
  ['DC1.1', 'DC1'],
  ['DC2.1', 'DC2'],
  ['DC3.1', 'DC3'],
] as const;
export const OCCUPATIONS = ['11', '12', '21', '31'] as const;
export const PRIORITIES = ['high', 'medium', 'low'] as const;
export const PERIODS = ['2027-Q1', '2027-Q2'] as const;

export interface NeedLine {
  skill: number; // index into SKILLS
  occupation: number; // index into OCCUPATIONS
  eqf: number;
  workers: number;
  priority: (typeof PRIORITIES)[number];
  period: string;
}

export interface FirmAnswer {
  territory: string;
  sector: number; // index into SECTORS
  employees: number;
  lines: NeedLine[];
}

const sizeClass = (n: number) =>
  n < 10 ? 'micro' : n < 50 ? 'small' : n < 250 ? 'medium' : 'large';

/** An open campaign of a region (with its user), disclosure threshold k. */
export async function newCampaign(db: Db, options: { territory?: string; k?: number } = {}) {
  const region = await newUser(db, { role: 'region', territory: options.territory ?? 'ITI1' });
  const campaign = await db
    .insertInto('campaigns')
    .values({
      organisation_id: region.organisationId,
      title: `Campaign ${crypto.randomBytes(3).toString('hex')}`,
      territory_code: options.territory ?? 'ITI1',
      opens_at: '2026-01-01',
      closes_at: farDay(),
      status: 'open',
      opened_at: new Date(),
      created_by: region.id,
    })
    .returning(['id'])
    .executeTakeFirstOrThrow();
  if (options.k !== undefined)
    await sql`UPDATE campaigns SET disclosure_k = ${options.k} WHERE id = ${campaign.id}`.execute(
      db,
    );
  return { id: campaign.id, region };
}

/** A firm organisation with a profile, without a user (the aggregate needs none). */
export async function newFirm(db: Db | Tx, territory: string): Promise<string> {
  const org = await db
    .insertInto('organisations')
    .values({
      kind: 'firm',
      name: `Firm ${crypto.randomBytes(4).toString('hex')}`,
      territory_code: territory,
    })
    .returning(['id'])
    .executeTakeFirstOrThrow();
  await db
    .insertInto('firms')
    .values({ organisation_id: org.id, legal_name: 'Firm', territory_code: territory })
    .execute();
  return org.id;
}

/** Inserts one current version with its lines (no aggregate call): the survey's submit rows. */
async function insertVersion(
  tx: Tx,
  campaignId: string,
  firmId: string,
  userId: string,
  answer: FirmAnswer,
): Promise<string> {
  const latest = await tx
    .selectFrom('responses')
    .select(({ fn }) => fn.max('version').as('v'))
    .where('campaign_id', '=', campaignId)
    .where('firm_id', '=', firmId)
    .executeTakeFirst();
  const [section, division] = SECTORS[answer.sector]!;
  const { id } = await tx
    .insertInto('responses')
    .values({
      campaign_id: campaignId,
      firm_id: firmId,
      version: (latest?.v ?? 0) + 1,
      status: 'current',
      submitted_by: userId,
      legal_name: 'Firm',
      territory_code: answer.territory,
      nace_version: 'NACE2',
      nace_section: section,
      nace_division: division,
      employees: answer.employees,
      size_class: sizeClass(answer.employees),
      need_count: answer.lines.length,
      workers_total: answer.lines.reduce((a, l) => a + l.workers, 0),
    })
    .returning(['id'])
    .executeTakeFirstOrThrow();
  const seen = new Set<string>();
  const lines = answer.lines.filter((l) => {
    const key = `${l.skill}/${l.occupation}/${l.eqf}`;
    return !seen.has(key) && seen.add(key);
  });
  if (lines.length)
    await tx
      .insertInto('response_needs')
      .values(
        lines.map((l, i) => ({
          response_id: id,
          line_no: i + 1,
          area_code: SKILLS[l.skill]![1],
          skill_code: SKILLS[l.skill]![0],
          occupation_code: OCCUPATIONS[l.occupation]!,
          workers: l.workers,
          eqf_level: l.eqf,
          priority: l.priority,
          modality: 'classroom' as const,
          period: l.period,
        })),
      )
      .execute();
  return id;
}

function currentId(tx: Tx, campaignId: string, firmId: string) {
  return tx
    .selectFrom('responses')
    .select('id')
    .where('campaign_id', '=', campaignId)
    .where('firm_id', '=', firmId)
    .where('status', '=', 'current')
    .executeTakeFirst()
    .then((r) => r?.id);
}

/** Submit or amend, as the survey does it: supersede the current version, add the new one. */
export async function submitVersion(
  db: Db,
  campaignId: string,
  firmId: string,
  userId: string,
  answer: FirmAnswer,
): Promise<string> {
  return db.transaction().execute(async (tx) => {
    const previous = await currentId(tx, campaignId, firmId);
    if (previous)
      await tx
        .updateTable('responses')
        .set({ status: 'superseded', superseded_at: new Date() })
        .where('id', '=', previous)
        .execute();
    const id = await insertVersion(tx, campaignId, firmId, userId, answer);
    await applyResponseChange(tx, { remove: previous, add: id });
    return id;
  });
}

/**
 * Closes a campaign for answers, as the region's "Chiudi" does: its needs are then published
 * to every reader (modules/needs/publication.ts), the public included.
 */
export async function closeCampaign(db: Db, campaignId: string) {
  await db
    .updateTable('campaigns')
    .set({ status: 'closed', closed_at: new Date() })
    .where('id', '=', campaignId)
    .execute();
}

/**
 * Runs `fn` with every open campaign closed, then opens them again: what the public reads of
 * surveys whose answers are in, in a scenario whose surveys the other tests still answer.
 */
export async function withSurveysClosed<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  const open = await db.selectFrom('campaigns').select('id').where('status', '=', 'open').execute();
  for (const c of open) await closeCampaign(db, c.id);
  try {
    return await fn();
  } finally {
    if (open.length)
      await db
        .updateTable('campaigns')
        .set({ status: 'open', closed_at: null })
        .where(
          'id',
          'in',
          open.map((c) => c.id),
        )
        .execute();
  }
}

export async function withdraw(db: Db, campaignId: string, firmId: string, userId: string) {
  await db.transaction().execute(async (tx) => {
    const current = await currentId(tx, campaignId, firmId);
    if (!current) return;
    await tx
      .updateTable('responses')
      .set({ status: 'withdrawn', withdrawn_at: new Date(), withdrawn_by: userId })
      .where('id', '=', current)
      .execute();
    await applyResponseChange(tx, { remove: current });
  });
}

/** Bulk import: first versions of firms that have none yet, added in one call. */
export async function importAnswers(
  db: Db,
  campaignId: string,
  userId: string,
  answers: { firmId: string; answer: FirmAnswer }[],
) {
  await db.transaction().execute(async (tx) => {
    const ids: string[] = [];
    for (const a of answers) {
      if (await currentId(tx, campaignId, a.firmId)) continue;
      ids.push(await insertVersion(tx, campaignId, a.firmId, userId, a.answer));
    }
    await applyResponseChange(tx, { add: ids });
  });
}
