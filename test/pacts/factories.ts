import crypto from 'node:crypto';
import type { Db } from '../../src/db';
import type { SessionUser } from '../../src/http/types';
import { appendAudit } from '../../src/modules/pacts/audit';
import type { PactStatus } from '../../src/modules/pacts/pact-workflow';
import type { Modality } from '../../src/modules/pacts/pacts.tables';
import { initialRevision } from '../../src/modules/pacts/revisions';
import { quarterFromNow } from '../helpers/dates';
import { newCampaign } from '../needs/factories';

export interface ActionSeed {
  title?: string;
  skills?: string[];
  participants?: number;
  hours?: number;
  modality?: Modality;
  eqf?: number;
  period?: string;
  provider?: string | null;
  costCents?: number | null;
}

/**
 * A pact inserted straight through Kysely (no needs-backing check, no notifications), at
 * revision 1 with its audit entry, then put in `status` as is (audit 'seeded' entry). The
 * promoter is a local-authority SessionUser (newUser); the pact's territory defaults to its own.
 * `campaign`: an id, or a new open campaign of ITI1 is created. `signatories`: organisation ids.
 */
export async function newPact(
  db: Db,
  options: {
    promoter: SessionUser;
    status?: PactStatus;
    campaign?: string;
    territory?: string;
    callId?: string | null;
    title?: string;
    actions?: ActionSeed[];
    signatories?: string[];
  },
) {
  const campaignId = options.campaign ?? (await newCampaign(db, { territory: 'ITI1' })).id;
  const promoter = options.promoter;
  return db.transaction().execute(async (tx) => {
    const pact = await tx
      .insertInto('pacts')
      .values({
        campaign_id: campaignId,
        territory_code: options.territory ?? promoter.territoryCode,
        promoter_org_id: promoter.organisationId,
        call_id: options.callId ?? null,
        title: options.title ?? `Pact ${crypto.randomBytes(3).toString('hex')}`,
        summary: 'A test pact',
        revision_hash: '0'.repeat(64),
        created_by: promoter.id,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const actions = options.actions ?? [{}];
    if (actions.length) {
      await tx
        .insertInto('pact_actions')
        .values(
          actions.map((a, i) => ({
            pact_id: pact.id,
            position: i + 1,
            title: a.title ?? `Action ${i + 1}`,
            skill_codes: a.skills ?? ['F40.a'],
            participants: a.participants ?? 5,
            hours: a.hours ?? 40,
            modality: a.modality ?? 'classroom',
            eqf_level: a.eqf ?? 4,
            period: a.period ?? quarterFromNow(1),
            provider: a.provider ?? null,
            cost_cents: a.costCents ?? null,
          })),
        )
        .execute();
    }
    for (const org of options.signatories ?? []) {
      await tx
        .insertInto('pact_signatories')
        .values({ pact_id: pact.id, organisation_id: org, invited_by: promoter.id })
        .execute();
    }
    await initialRevision(tx, pact.id, promoter);
    await appendAudit(tx, {
      pactId: pact.id,
      actor: promoter,
      event: 'created',
      toStatus: 'draft',
      revision: 1,
    });
    const requested = actions.reduce((s, a) => s + (a.costCents ?? 0), 0);
    await tx
      .updateTable('pacts')
      .set({ requested_cents: requested })
      .where('id', '=', pact.id)
      .execute();
    if (options.status && options.status !== 'draft') {
      await tx
        .updateTable('pacts')
        .set({
          status: options.status,
          submitted_at: [
            'submitted',
            'approved',
            'returned',
            'rejected',
            'in_progress',
            'closed',
          ].includes(options.status)
            ? new Date()
            : null,
        })
        .where('id', '=', pact.id)
        .execute();
      await appendAudit(tx, {
        pactId: pact.id,
        actor: null,
        event: 'seeded',
        fromStatus: 'draft',
        toStatus: options.status,
        revision: 1,
      });
    }
    const row = await tx
      .selectFrom('pacts')
      .selectAll()
      .where('id', '=', pact.id)
      .executeTakeFirstOrThrow();
    const actionRows = await tx
      .selectFrom('pact_actions')
      .selectAll()
      .where('pact_id', '=', pact.id)
      .orderBy('position')
      .execute();
    return { ...row, campaignId, actions: actionRows };
  });
}
