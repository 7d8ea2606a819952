import type { Db } from '../../src/db';
import { approvePact } from '../../src/modules/funding/review.service';
import type { ActionSeed } from '../pacts/factories';
import { scenario, submittedPact, type CallSeed } from '../funding/helpers';
import { quarterFromNow } from '../helpers/dates';
import { newUser } from '../helpers/factories';

/**
 * A pact approved by the region the real way (review service): the call has 20 % co-financing;
 * by default one action of 10 participants and 40 hours costing 6000 € (40 × 100 € + 400 × 5 €),
 * so 4800 € approved and 1200 € expected from firms, on 1 April 2026. A social partner signed it.
 */
export async function approvedPact(
  db: Db,
  actions: ActionSeed[] = [{ participants: 10, hours: 40 }],
  options: { call?: CallSeed; territory?: string; s?: Awaited<ReturnType<typeof scenario>> } = {},
) {
  const s = options.s ?? (await scenario(db, { cofinancingPercent: 20, ...options.call }));
  const partner = await newUser(db, { role: 'social_partner' });
  const pact = await submittedPact(db, s, actions, {
    signatories: [partner.organisationId],
    territory: options.territory,
  });
  await approvePact(db, s.region, pact.id, { revision: 1, remarks: '' });
  // Approved in spring 2026, so the tests can report the quarters since (none before it).
  await db
    .updateTable('pacts')
    .set({ decided_at: new Date('2026-04-01T10:00:00Z') })
    .where('id', '=', pact.id)
    .execute();
  return { ...s, partner, pact };
}

/** Reports are for a quarter begun and not before the approval (spring 2026): these two are. */
export const THIS_QUARTER = quarterFromNow(0);
export const LAST_QUARTER = quarterFromNow(-1);

/** A consistent report of 6 participants this quarter (form fields, as a browser sends them). */
export function reportForm(actionId: string, over: Record<string, string> = {}) {
  return {
    actionId,
    period: THIS_QUARTER,
    enrolled: '6',
    completed: '2',
    hoursDelivered: '20',
    spent: '1.500,50',
    cofinanced: '300',
    women: '3',
    men: '3',
    nonBinary: '',
    ageUnder30: '2',
    age30to54: '3',
    age55plus: '1',
    employed: '4',
    unemployed: '2',
    longTermUnemployed: '1',
    inactive: '0',
    isced02: '1',
    isced34: '3',
    isced58: '2',
    ...over,
  };
}

export const outcomes = (db: Db, pactId: string) =>
  db
    .selectFrom('action_outcomes')
    .selectAll()
    .where('pact_id', '=', pactId)
    .orderBy('period')
    .execute();

export const pactStatus = async (db: Db, pactId: string) =>
  (await db.selectFrom('pacts').select('status').where('id', '=', pactId).executeTakeFirstOrThrow())
    .status;
