import { sql } from 'kysely';
import type { Db } from '../../db';
import type { SessionUser } from '../../http/types';
import { findSessionUser } from '../accounts/accounts.repository';
import { createCall, transitionCall } from '../funding/calls.service';
import { callApiSchema, callFromApi } from '../funding/funding.schemas';
import { approvePact } from '../funding/review.service';
import { addDaysTo, quarterOf, romeToday } from '../survey/calendar';
import { addAction } from './actions.service';
import { reportOutcome } from './execution.service';
import { actionSchema, pactSchema } from './pacts.schemas';
import { createPact } from './pacts.service';
import { inviteSignatory } from './signatories.service';
import { signPact } from './signatures.service';
import { submitPact } from './workflow.service';

export interface DemoParties {
  region: string;
  authority: string;
  employers: string;
  union: string;
}

/** The workers firms of `territory` and below declared per skill, most first. */
async function needsBySkill(db: Db, campaignId: string, territory: string) {
  const { rows } = await sql<{ skill: string; workers: number }>`
    SELECT n.skill_code AS skill, sum(n.workers)::int AS workers
    FROM responses r
    JOIN territory_ancestors a ON a.code = r.territory_code AND a.ancestor_code = ${territory}
    JOIN response_needs n ON n.response_id = r.id
    WHERE r.campaign_id = ${campaignId} AND r.status = 'current'
    GROUP BY n.skill_code ORDER BY workers DESC, skill`.execute(db);
  return rows;
}

const pactRow = (db: Db, id: string) =>
  db
    .selectFrom('pacts')
    .select(['revision', 'revision_hash'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();

/**
 * The demo's funding and pacts, through the services a user's clicks run: the region's open call
 * over Tuscany; a Florence pact drawn from the two most needed skills, signed by an employer
 * association and a union, submitted, approved and under way (its first course reported); a
 * second one still in negotiation.
 * Only while the campaign has no pact: idempotent.
 */
export async function seedPactsDemo(db: Db, campaignId: string, emails: DemoParties) {
  const existing = await db
    .selectFrom('pacts')
    .select('id')
    .where('campaign_id', '=', campaignId)
    .executeTakeFirst();
  if (existing) return;
  const users = await db
    .selectFrom('users')
    .select(['id', 'email'])
    .where('email', 'in', Object.values(emails))
    .execute();
  const who = async (email: string) =>
    findSessionUser(db, users.find((u) => u.email === email)?.id ?? '');
  const [region, authority, employers, union] = await Promise.all(
    [emails.region, emails.authority, emails.employers, emails.union].map(who),
  );
  if (!region || !authority || !employers || !union) return;
  const skills = await needsBySkill(db, campaignId, authority.territoryCode);
  if (skills.length < 3) return;

  const today = romeToday();
  const callId = await createCall(
    db,
    region,
    callFromApi(
      callApiSchema.parse({
        title: 'Avviso Formazione 4.0 — Toscana 2027',
        description: 'Formazione per le competenze 4.0 e digitali dei lavoratori delle imprese.',
        territoryCode: 'ITI1',
        campaignId,
        budgetCents: 1_500_000_00,
        courseHourCents: 120_00,
        participantHourCents: 3_00,
        maxHours: 200,
        minParticipants: 4,
        maxParticipants: 30,
        cofinancingPercent: 20,
        deadline: addDaysTo(today, 180),
        skillAreas: ['F40', 'DC3', 'DC4'],
        allocations: [
          { territoryCode: 'ITI14', amountCents: 900_000_00 },
          { territoryCode: 'ITI15', amountCents: 400_000_00 },
        ],
      }),
    ),
  );
  await transitionCall(db, region, callId, 'open');

  const quarter = (n: number) => addDaysTo(today, 90 * n);
  const period = (day: string) =>
    `${day.slice(0, 4)}-Q${Math.floor((+day.slice(5, 7) - 1) / 3) + 1}`;
  const draft = async (title: string, summary: string, actions: [string, number, number][]) => {
    const pactId = await createPact(
      db,
      authority,
      pactSchema.parse({
        campaignId,
        territoryCode: authority.territoryCode,
        title,
        summary,
        callId,
      }),
    );
    for (const [i, [skill, participants, hours]] of actions.entries()) {
      const { revision } = await pactRow(db, pactId);
      await addAction(
        db,
        authority,
        pactId,
        actionSchema.parse({
          revision: String(revision),
          title: `Percorso ${i + 1}: ${skill}`,
          skills: [skill],
          participants: String(participants),
          hours: String(hours),
          modality: ['blended', 'classroom', 'on_the_job'][i % 3],
          eqfLevel: '4',
          period: period(quarter(i + 1)),
        }),
      );
    }
    // The first invitation opens the negotiation.
    for (const org of [employers, union]) {
      const { revision } = await pactRow(db, pactId);
      await inviteSignatory(db, authority, pactId, {
        organisationId: org.organisationId,
        revision,
      });
    }
    return pactId;
  };
  // Half of what firms declared, within the call's 4–30 participants per action.
  const share = (s: { workers: number }) => Math.min(20, Math.max(4, Math.floor(s.workers / 2)));

  const funded = await draft(
    'Patto formativo Firenze 4.0',
    'Competenze per la manifattura digitale dell’area fiorentina: dati, sicurezza, automazione.',
    [
      [skills[0]!.skill, share(skills[0]!), 40],
      [skills[1]!.skill, share(skills[1]!), 24],
    ],
  );
  for (const signer of [employers, union] as SessionUser[]) {
    const { revision, revision_hash } = await pactRow(db, funded);
    await signPact(db, signer, funded, { revision, hash: revision_hash });
  }
  await submitPact(db, authority, funded, (await pactRow(db, funded)).revision);
  await approvePact(db, region, funded, {
    revision: (await pactRow(db, funded)).revision,
    remarks: 'Ammesso a finanziamento.',
  });
  // The first course has started: this quarter's report moves the pact to "in progress".
  const first = await db
    .selectFrom('pact_actions')
    .select(['id', 'participants', 'approved_cents'])
    .where('pact_id', '=', funded)
    .orderBy('position')
    .executeTakeFirstOrThrow();
  const n = first.participants;
  const young = Math.floor(n * 0.3);
  const senior = Math.floor(n * 0.15);
  const low = Math.floor(n * 0.2);
  const high = Math.floor(n * 0.2);
  await reportOutcome(db, authority, funded, {
    actionId: first.id,
    period: quarterOf(today),
    enrolled: n,
    completed: 0,
    hoursDelivered: 16,
    spentCents: Math.floor((first.approved_cents ?? 0) * 0.4),
    cofinancedCents: 0,
    women: Math.floor(n * 0.45),
    men: n - Math.floor(n * 0.45),
    nonBinary: 0,
    ageUnder30: young,
    age30to54: n - young - senior,
    age55plus: senior,
    employed: n,
    unemployed: 0,
    longTermUnemployed: 0,
    inactive: 0,
    isced02: low,
    isced34: n - low - high,
    isced58: high,
  });

  await draft(
    'Patto digitale Piana fiorentina',
    'Alfabetizzazione e sicurezza digitale per le piccole imprese della piana.',
    [[skills[2]!.skill, share(skills[2]!), 16]],
  );
}
