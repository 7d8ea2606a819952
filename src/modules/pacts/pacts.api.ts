import { z } from 'zod';
import type { AppServices } from '../../app';
import { DomainError } from '../../lib/domain-error';
import { defineOperation, type ApiOperation } from '../api/operation';
import { addAction, removeAction, updateAction } from './actions.service';
import { loadPactFor } from './access';
import { spentByAction } from './execution.repository';
import { EXECUTED_STATUSES } from './execution.service';
import { listAuditWithNames, verifyAuditChain } from './audit';
import { PACT_STATUSES, type PactStatus } from './pact-workflow';
import {
  actionSchema,
  declineSchema,
  inviteSchema,
  pactListQuery,
  pactSchema,
  revisionOnlySchema,
} from './pacts.schemas';
import { createPact, listPactsFor, pactView } from './pacts.service';
import { declineToSign, inviteSignatory } from './signatories.service';
import { promoterTransition, submitPact } from './workflow.service';

const approvedCents = z
  .number()
  .int()
  .nullable()
  .describe(
    'The grant the region approved, after any reduction (cents); null until the pact is approved',
  );

const spentCents = z
  .number()
  .int()
  .nullable()
  .describe(
    "Public money spent, over every quarter reported (cents, without the firms' co-financing); null until the pact is approved",
  );

const idParams = z.object({ id: z.uuid() });
const actionParams = z.object({ id: z.uuid(), actionId: z.uuid() });

const backingJson = z.object({
  skill: z.string(),
  territory: z.string(),
  declared: z.number().int().nullable().describe('null = protected for this reader'),
  planned: z.number().int(),
  remaining: z.number().int().nullable(),
  ok: z.boolean(),
});

const actionJson = z.object({
  id: z.uuid(),
  position: z.number().int(),
  title: z.string(),
  description: z.string(),
  skills: z.array(z.string()),
  participants: z.number().int(),
  hours: z.number().int(),
  modality: z.string(),
  eqfLevel: z.number().int(),
  period: z.string(),
  provider: z.string().nullable(),
  costCents: z.number().int().nullable(),
  approvedCents: z
    .number()
    .int()
    .nullable()
    .describe('The grant approved for the action (cents); null until the pact is approved'),
  fundedParticipants: z
    .number()
    .int()
    .nullable()
    .describe(
      'Participants the approved grant funds: all those planned when approved in full, the number the region stated when approved in part (by default pro rata), 0 when cut to zero; null until the pact is approved',
    ),
  spentCents,
  backing: z.array(backingJson),
});

const pactJson = z
  .object({
    id: z.uuid(),
    title: z.string(),
    summary: z.string(),
    status: z.enum(PACT_STATUSES),
    campaignId: z.uuid(),
    territoryCode: z.string(),
    callId: z.uuid().nullable(),
    revision: z.number().int(),
    revisionHash: z.string(),
    requestedCents: z.number().int(),
    approvedCents,
    spentCents,
    party: z.string(),
    actions: z.array(actionJson),
    signatories: z.array(z.object({ id: z.uuid(), name: z.string() })),
  })
  .meta({ id: 'Pact' });

const transitionJson = z
  .object({
    from: z.enum(PACT_STATUSES),
    to: z.enum(PACT_STATUSES),
    repeated: z
      .boolean()
      .describe(
        'true when the step was already taken (a retry): from = to, nothing recorded again',
      ),
  })
  .meta({ id: 'PactTransition' });

export function pactOperations({ db }: AppServices): ApiOperation[] {
  const getPact = async (req: import('express').Request, id: string) => {
    const v = await pactView(db, req.user!, id);
    const funded = EXECUTED_STATUSES.includes(v.pact.status);
    const spent = funded ? await spentByAction(db, v.pact.id) : null;
    return {
      id: v.pact.id,
      title: v.pact.title,
      summary: v.pact.summary,
      status: v.pact.status,
      campaignId: v.pact.campaign_id,
      territoryCode: v.pact.territory_code,
      callId: v.pact.call_id,
      revision: v.pact.revision,
      revisionHash: v.pact.revision_hash,
      requestedCents: v.pact.requested_cents,
      approvedCents: funded ? v.pact.approved_cents : null,
      spentCents: spent && [...spent.values()].reduce((sum, c) => sum + c, 0),
      party: v.party,
      actions: v.actions.map((a) => ({
        id: a.id,
        position: a.position,
        title: a.title,
        description: a.description,
        skills: a.skill_codes,
        participants: a.participants,
        hours: a.hours,
        modality: a.modality,
        eqfLevel: a.eqf_level,
        period: a.period,
        provider: a.provider,
        costCents: a.cost_cents,
        approvedCents: funded ? a.approved_cents : null,
        fundedParticipants: funded ? (a.funded_participants ?? a.participants) : null,
        spentCents: spent && (spent.get(a.id) ?? 0),
        backing: a.backing.map((b) => ({
          skill: b.skill,
          territory: b.territory,
          declared: b.declared,
          planned: b.planned,
          remaining: b.remaining,
          ok: b.ok,
        })),
      })),
      signatories: v.signatories
        .filter((s) => !s.removed_at)
        .map((s) => ({ id: s.id, name: s.name })),
    };
  };
  const tags = ['pacts'];
  return [
    defineOperation({
      operationId: 'listPacts',
      method: 'get',
      path: '/pacts',
      summary:
        "Pacts the caller deals with: its organisation's, those it is invited to, a region's submitted ones",
      tags,
      access: 'pact:read',
      query: pactListQuery,
      response: {
        status: 200,
        description: 'Pacts, most recently changed first',
        schema: z.array(
          z.object({
            id: z.uuid(),
            title: z.string(),
            status: z.enum(PACT_STATUSES),
            territoryCode: z.string(),
            revision: z.number().int(),
            requestedCents: z.number().int(),
            approvedCents,
          }),
        ),
      },
      handler: async ({ req, query }) =>
        (
          await listPactsFor(db, req.user!, {
            status: (query.status || undefined) as PactStatus | undefined,
            territory: query.territory || undefined,
            campaign: query.campaign || undefined,
          })
        ).map((p) => ({
          id: p.id,
          title: p.title,
          status: p.status,
          territoryCode: p.territory_code,
          revision: p.revision,
          requestedCents: p.requested_cents,
          approvedCents: EXECUTED_STATUSES.includes(p.status) ? p.approved_cents : null,
        })),
    }),
    defineOperation({
      operationId: 'createPact',
      method: 'post',
      path: '/pacts',
      summary: 'Draft a pact for a territory under a campaign covering it (local authorities)',
      tags,
      access: 'pact:draft',
      body: pactSchema,
      response: {
        status: 201,
        description: 'The new draft',
        schema: pactJson,
        location: { path: '/pacts/{id}', href: (p) => `/pacts/${p.id}` },
      },
      errors: [422],
      handler: async ({ req, body, formKey }) =>
        getPact(req, await createPact(db, req.user!, { ...body, formId: body.formId ?? formKey })),
    }),
    defineOperation({
      operationId: 'getPact',
      method: 'get',
      path: '/pacts/:id',
      summary:
        'A pact with its actions, the needs each draws on (protected figures as null) and its signatories',
      tags,
      access: 'pact:read',
      params: idParams,
      response: { status: 200, description: 'The pact', schema: pactJson },
      errors: [404],
      handler: ({ req, params }) => getPact(req, params.id),
    }),
    defineOperation({
      operationId: 'addAction',
      method: 'post',
      path: '/pacts/:id/actions',
      summary:
        'Add an action (promoter); `revision` is the revision read. 409 when stale or over the declared need',
      tags,
      access: 'pact:draft',
      params: idParams,
      body: actionSchema,
      response: { status: 201, description: 'The pact after the change', schema: pactJson },
      errors: [403, 404, 409, 422],
      handler: async ({ req, params, body, formKey }) => {
        await addAction(db, req.user!, params.id, body, formKey);
        return getPact(req, params.id);
      },
    }),
    defineOperation({
      operationId: 'updateAction',
      method: 'put',
      path: '/pacts/:id/actions/:actionId',
      summary: 'Replace an action (promoter); `revision` is the revision read',
      tags,
      access: 'pact:draft',
      params: actionParams,
      body: actionSchema,
      response: { status: 200, description: 'The pact after the change', schema: pactJson },
      errors: [403, 404, 409, 422],
      handler: async ({ req, params, body }) => {
        await updateAction(db, req.user!, params.id, params.actionId, body);
        return getPact(req, params.id);
      },
    }),
    defineOperation({
      operationId: 'removeAction',
      method: 'delete',
      path: '/pacts/:id/actions/:actionId',
      summary: 'Remove an action (promoter); `revision` in the body is the revision read',
      tags,
      access: 'pact:draft',
      params: actionParams,
      body: revisionOnlySchema,
      response: { status: 200, description: 'The pact after the change', schema: pactJson },
      errors: [403, 404, 409],
      handler: async ({ req, params, body }) => {
        await removeAction(db, req.user!, params.id, params.actionId, body.revision);
        return getPact(req, params.id);
      },
    }),
    defineOperation({
      operationId: 'inviteSignatory',
      method: 'post',
      path: '/pacts/:id/signatories',
      summary:
        'Invite a social partner or authority whose territory overlaps the pact (opens the negotiation of a draft)',
      tags,
      access: 'pact:draft',
      params: idParams,
      body: inviteSchema,
      response: { status: 201, description: 'The pact after the change', schema: pactJson },
      errors: [403, 404, 409, 422],
      handler: async ({ req, params, body }) => {
        await inviteSignatory(db, req.user!, params.id, body);
        return getPact(req, params.id);
      },
    }),
    defineOperation({
      operationId: 'declineToSign',
      method: 'post',
      path: '/pacts/:id/decline',
      summary:
        "Decline to sign (an invited signatory's organisation, with its reason): it leaves the signatories, a new revision voids every signature, and its own amendments still open are withdrawn; 409 once the pact is submitted. Afterwards the pact answers 404 to it",
      tags,
      access: 'pact:negotiate',
      params: idParams,
      body: declineSchema,
      response: {
        status: 200,
        description: "The pact's revision and status after the organisation left",
        schema: z.object({
          revision: z.number().int(),
          status: z.enum(PACT_STATUSES),
          withdrawnAmendments: z
            .array(z.uuid())
            .describe(
              "The organisation's own amendments that were still open on the pact: withdrawn with the decline",
            ),
        }),
      },
      errors: [403, 404, 409, 422],
      handler: ({ req, params, body }) => declineToSign(db, req.user!, params.id, body.reason),
    }),
    defineOperation({
      operationId: 'submitPact',
      method: 'post',
      path: '/pacts/:id/submit',
      summary:
        'Submit an agreed pact to the region (promoter); 409 before it is agreed, or while it has no action or no funding call; repeated for the revision already submitted (a retry): 200, submitted → submitted, `repeated: true`',
      tags,
      access: 'pact:draft',
      params: idParams,
      body: revisionOnlySchema,
      response: { status: 200, description: 'The transition', schema: transitionJson },
      errors: [403, 404, 409],
      handler: async ({ req, params, body }) => {
        const step = await submitPact(db, req.user!, params.id, body.revision);
        // alreadySubmitted: its name before `repeated`, kept for the programs that read it.
        return { ...step, repeated: step.alreadySubmitted };
      },
    }),
    defineOperation({
      operationId: 'withdrawPact',
      method: 'post',
      path: '/pacts/:id/withdraw',
      summary:
        'Withdraw a pact before approval (promoter); its needs are released. Withdrawing again a withdrawn pact (a retry) answers 200, withdrawn → withdrawn, `repeated: true`',
      tags,
      access: 'pact:draft',
      params: idParams,
      response: { status: 200, description: 'The transition', schema: transitionJson },
      errors: [403, 404, 409],
      handler: async ({ req, params }) => {
        try {
          return {
            ...(await promoterTransition(db, req.user!, params.id, 'withdraw')),
            repeated: false,
          };
        } catch (err) {
          if (!(err instanceof DomainError) || err.status !== 409) throw err;
          // A retry after a timeout: withdrawn already, by this organisation (only the promoter
          // withdraws). The pages say it cannot be withdrawn again; a program needs to hear done.
          const { pact, party } = await loadPactFor(db, params.id, req.user!);
          if (party !== 'promoter' || pact.status !== 'withdrawn') throw err;
          return { from: pact.status, to: pact.status, repeated: true };
        }
      },
    }),
    defineOperation({
      operationId: 'getPactAudit',
      method: 'get',
      path: '/pacts/:id/audit',
      summary: "The pact's append-only audit log and whether its hash chain is intact",
      tags,
      access: 'pact:read',
      params: idParams,
      response: {
        status: 200,
        description: 'Entries in order and the chain check',
        schema: z.object({
          intact: z.boolean(),
          alteredSeq: z.number().int().nullable(),
          entries: z.array(
            z.object({
              seq: z.number().int(),
              at: z.string(),
              actor: z.string().nullable(),
              organisation: z.string().nullable(),
              event: z.string(),
              fromStatus: z.string().nullable(),
              toStatus: z.string().nullable(),
              revision: z.number().int(),
              detail: z.record(z.string(), z.unknown()),
              prevHash: z.string().nullable(),
              hash: z.string(),
            }),
          ),
        }),
      },
      errors: [404],
      handler: async ({ req, params }) => {
        const { pact } = await loadPactFor(db, params.id, req.user!);
        const [entries, chain] = await Promise.all([
          listAuditWithNames(db, pact.id),
          verifyAuditChain(db, pact.id),
        ]);
        return {
          intact: chain.ok,
          alteredSeq: chain.ok ? null : chain.seq,
          entries: entries.map((e) => ({
            seq: e.seq,
            at: e.at.toISOString(),
            actor: e.actor_name,
            organisation: e.actor_org_name,
            event: e.event,
            fromStatus: e.from_status,
            toStatus: e.to_status,
            revision: e.revision,
            detail: e.detail,
            prevHash: e.prev_hash,
            hash: e.hash,
          })),
        };
      },
    }),
  ];
}
