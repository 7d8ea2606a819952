import type { Db } from '../../src/db';
import { newUser } from '../helpers/factories';
import {
  closeCampaign,
  newCampaign,
  newFirm,
  submitVersion,
  type NeedLine,
} from '../needs/factories';
import { newPact } from '../pacts/factories';
import { newCall } from '../funding/helpers';

const line = (skill: number, workers: number): NeedLine => ({
  skill,
  occupation: 0,
  eqf: 4,
  workers,
  priority: 'high',
  period: '2027-Q1',
});

/**
 * A Tuscan campaign (k = 3) with all its needs in Firenze (048017): three firms declare F40.a
 * (4 workers each), two firms DC1.1 (7 and 6 workers: a cell of 2 firms, region-only) and three
 * firms DC2.1 (1 worker each, the complement that protects DC1). A local authority of the
 * province promotes pacts in every status, under a call of the region.
 */
export async function openDataScenario(db: Db) {
  const campaign = await newCampaign(db, { territory: 'ITI1', k: 3 });
  const region = campaign.region;
  const answers: [number, number][] = [
    [0, 4],
    [0, 4],
    [0, 4],
    [2, 7],
    [2, 6],
    [3, 1],
    [3, 1],
    [3, 1],
  ];
  const firmNames: string[] = [];
  for (const [skill, workers] of answers) {
    const firm = await newFirm(db, '048017');
    const org = await db
      .selectFrom('organisations')
      .select('name')
      .where('id', '=', firm)
      .executeTakeFirstOrThrow();
    firmNames.push(org.name);
    await submitVersion(db, campaign.id, firm, region.id, {
      territory: '048017',
      sector: 0,
      employees: 30,
      lines: [line(skill, workers)],
    });
  }
  const authority = await newUser(db, {
    role: 'local_authority',
    territory: 'ITI14',
    organisation: '@Città metropolitana, "Firenze"',
  });
  const call = await newCall(db, region, { territory: 'ITI1', campaignId: campaign.id });
  const pact = (status: Parameters<typeof newPact>[1]['status'], title: string, participants = 5) =>
    newPact(db, {
      promoter: authority,
      status,
      campaign: campaign.id,
      callId: call.id,
      title,
      actions: [
        { title: 'Corso IoT', skills: ['F40.a'], participants },
        { title: 'Corso dati', skills: ['F40.a'], participants: 2 },
      ],
    });
  const approved = await pact('approved', '=HYPERLINK("http://evil.example")');
  await db
    .updateTable('pacts')
    .set({ approved_cents: 1_234_550, decided_at: new Date('2026-11-30T23:30:00Z') })
    .where('id', '=', approved.id)
    .execute();
  const running = await pact('in_progress', 'Patto Firenze 4.0, seconda fase', 3);
  // What the running pact reported spent: two quarters of one action, one of the other; the
  // firms' co-financing of the second is theirs, not public money, and is not published.
  const spent = (actionId: string, period: string, cents: number, cofinanced = 0) =>
    db
      .insertInto('action_outcomes')
      .values({
        action_id: actionId,
        period,
        pact_id: running.id,
        enrolled: 0,
        completed: 0,
        hours_delivered: 10,
        spent_cents: cents,
        cofinanced_cents: cofinanced,
        reported_by: authority.id,
      })
      .execute();
  await spent(running.actions[0]!.id, '2027-Q1', 1_000_25);
  await spent(running.actions[0]!.id, '2027-Q2', 500_00);
  await spent(running.actions[1]!.id, '2027-Q1', 250_00, 99_99);
  const closed = await pact('closed', 'Patto chiuso', 1);
  const others = await Promise.all(
    (['draft', 'negotiation', 'submitted', 'returned', 'rejected', 'withdrawn'] as const).map((s) =>
      pact(s, `Patto ${s}`),
    ),
  );
  // The answers are in: the survey has closed, and its needs are public (needs/publication.ts).
  await closeCampaign(db, campaign.id);
  return { campaign, region, authority, call, firmNames, approved, running, closed, others };
}
