import crypto from 'node:crypto';
import type { Db } from '../../src/db';
import type { SessionUser } from '../../src/http/types';
import { newUser } from '../helpers/factories';
import { newCampaign, newFirm, submitVersion, type NeedLine } from '../needs/factories';

export const need = (skill: number, workers = 3): NeedLine => ({
  skill,
  occupation: 0,
  eqf: 4,
  workers,
  priority: 'high',
  period: '2027-Q1',
});

/** A firm user (signs in) with its profile in `territory`. */
export async function newFirmUser(db: Db, territory = '048014'): Promise<SessionUser> {
  const user = await newUser(db, { role: 'firm', territory });
  await db
    .insertInto('firms')
    .values({
      organisation_id: user.organisationId,
      legal_name: `Firm ${crypto.randomBytes(3).toString('hex')}`,
      territory_code: territory,
    })
    .execute();
  return user;
}

/** Submits an answer of `firmId` with these need lines and, if given, an overall readiness score. */
export async function answer(
  db: Db,
  campaignId: string,
  firmId: string,
  by: string,
  territory: string,
  lines: NeedLine[],
  score?: number,
) {
  const id = await submitVersion(db, campaignId, firmId, by, {
    territory,
    sector: 0,
    employees: 20,
    lines,
  });
  if (score !== undefined) {
    const d = Math.round(score / 20);
    await db
      .updateTable('responses')
      .set({
        dma_strategy: d,
        dma_readiness: d,
        dma_human: d,
        dma_data: d,
        dma_automation: d,
        dma_green: d,
        readiness_score: score,
      })
      .where('id', '=', id)
      .execute();
  }
  return id;
}

/** Two campaigns of Tuscany with readiness: `earlier` opened a year before `later`. */
export async function twoCampaigns(db: Db) {
  const earlier = await newCampaign(db, { territory: 'ITI1' });
  await db
    .updateTable('campaigns')
    .set({ opens_at: '2025-01-01', title: 'Rilevazione 2025' })
    .where('id', '=', earlier.id)
    .execute();
  const later = await newCampaign(db, { territory: 'ITI1' });
  await db
    .updateTable('campaigns')
    .set({ opens_at: '2026-06-01', title: 'Rilevazione 2026' })
    .where('id', '=', later.id)
    .execute();
  return { earlier, later, region: earlier.region };
}

export { newFirm };
