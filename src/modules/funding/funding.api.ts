import { z } from 'zod';
import type { AppServices } from '../../app';
import type { Db } from '../../db';
import { DomainError } from '../../lib/domain-error';
import { isoDay } from '../../http/validate';
import { defineOperation, jsonBodyOnly, type ApiOperation } from '../api/operation';
import { PACT_STATUSES } from '../pacts/pact-workflow';
import type { Request } from 'express';
import { patchedCall } from './call-patch';
import * as repo from './calls.repository';
import {
  extendCall,
  createCall,
  getCallFor,
  listCallsFor,
  transitionCall,
  updateDraftCall,
} from './calls.service';
import { CALL_STATUSES, type CallStatus } from './funding.tables';
import {
  approveApiSchema,
  callApiSchema,
  callFromApi,
  callListQuery,
  callPatchSchema,
  rejectSchema,
  returnSchema,
} from './funding.schemas';
import { decideOnce, reviewView } from './review.service';
import { ruleTexts } from './rules.view';

const idParams = z.object({ id: z.uuid() });

export const callJson = z
  .object({
    id: z.uuid(),
    title: z.string(),
    territoryCode: z.string(),
    campaignId: z.uuid().nullable(),
    status: z.enum(CALL_STATUSES),
    deadline: z.string(),
    firstDeadline: z
      .string()
      .nullable()
      .meta({ description: 'The deadline first published, once extended; null before' }),
    budgetCents: z.number().int(),
    firstBudgetCents: z
      .number()
      .int()
      .nullable()
      .meta({ description: 'The budget first published, once raised; null before' }),
    committedCents: z.number().int(),
    availableCents: z.number().int(),
    description: z.string().nullable(),
    courseHourCents: z.number().int(),
    participantHourCents: z.number().int(),
    maxHours: z.number().int().nullable(),
    minParticipants: z.number().int().nullable(),
    maxParticipants: z.number().int().nullable(),
    maxCostPerParticipantCents: z.number().int().nullable(),
    cofinancingPercent: z.number().int(),
  })
  .meta({ id: 'FundingCall' });

/** A call after open or close: `repeated` when it already was so (a retry). */
const callTransition = callJson.extend({ repeated: z.boolean() }).meta({ id: 'CallTransition' });

/** One call with its skill areas and reserves: what createCall took, what updateCall changes. */
export const callDetailJson = callJson
  .extend({
    skillAreas: z.array(z.string()),
    allocations: z.array(
      z.object({
        territoryCode: z.string(),
        amountCents: z.number().int(),
        committedCents: z.number().int(),
      }),
    ),
  })
  .meta({ id: 'FundingCallDetail' });

export const toCallJson = (c: {
  id: string;
  title: string;
  territory_code: string;
  campaign_id: string | null;
  status: CallStatus;
  deadline: string;
  first_deadline: string | null;
  budget_cents: number;
  first_budget_cents: number | null;
  committed_cents: number;
  description: string | null;
  course_hour_cents: number;
  participant_hour_cents: number;
  max_hours_per_action: number | null;
  min_participants: number | null;
  max_participants: number | null;
  max_cost_per_participant_cents: number | null;
  cofinancing_percent: number;
}) => ({
  id: c.id,
  title: c.title,
  territoryCode: c.territory_code,
  campaignId: c.campaign_id,
  status: c.status,
  deadline: c.deadline,
  firstDeadline: c.first_deadline,
  budgetCents: c.budget_cents,
  firstBudgetCents: c.first_budget_cents,
  committedCents: c.committed_cents,
  availableCents: c.budget_cents - c.committed_cents,
  description: c.description,
  courseHourCents: c.course_hour_cents,
  participantHourCents: c.participant_hour_cents,
  maxHours: c.max_hours_per_action,
  minParticipants: c.min_participants,
  maxParticipants: c.max_participants,
  maxCostPerParticipantCents: c.max_cost_per_participant_cents,
  cofinancingPercent: c.cofinancing_percent,
});

const reportJson = z
  .object({
    pactId: z.uuid(),
    status: z.enum(PACT_STATUSES),
    revision: z.number().int(),
    callId: z.uuid().nullable(),
    eligible: z.boolean(),
    costCents: z.number().int(),
    cofinancingCents: z.number().int(),
    grantCents: z
      .number()
      .int()
      .describe('The public grant asked: each action at cost less the firms’ share'),
    availableCents: z.number().int().nullable(),
    rules: z.array(
      z.object({
        rule: z.string(),
        ok: z.boolean(),
        actionId: z.uuid().optional(),
        params: z
          .record(z.string(), z.union([z.string(), z.number(), z.null()]))
          .describe(
            'The numbers behind the rule, as its text uses them. Amounts here are in euros, not cents (cost, expected, perParticipant, max of costPerParticipant, requested, available); days are YYYY-MM-DD, quarters YYYY-Qn; committed: 1 marks a funded pact checked against what it holds. For cents use the report’s …Cents fields.',
          ),
        text: z.string(),
      }),
    ),
    actions: z.array(
      z.object({
        id: z.uuid(),
        title: z.string(),
        costCents: z.number().int().nullable(),
        cofinancingCents: z.number().int().nullable(),
        maxGrantCents: z.number().int(),
        approvedCents: z.number().int().nullable(),
        participants: z.number().int().describe('Participants planned'),
        fundedParticipants: z
          .number()
          .int()
          .nullable()
          .describe(
            'Participants the approved amount funds (all of them in full, fewer in part); null until approved',
          ),
        committedCents: z.number().int(),
        spentCents: z
          .number()
          .int()
          .describe('Reported spent so far: a reduction cannot go below it'),
      }),
    ),
  })
  .meta({ id: 'EligibilityReport' });

const decisionJson = z
  .object({
    decisionId: z.uuid(),
    approvedCents: z.number().int().optional(),
    releasedCents: z.number().int().optional(),
    repeated: z
      .boolean()
      .describe(
        'true when this very decision (same kind, revision, remarks and amounts, by the same user) was already made: it is answered as it stands and nothing is recorded again',
      ),
  })
  .meta({ id: 'PactDecision' });

/** One call as callDetailJson describes it, as its reader may see it. */
export async function callDetailOf(db: Db, req: Request, id: string) {
  const { call } = await getCallFor(db, req.user!, id);
  const [areas, allocations] = await Promise.all([
    repo.callAreas(db, id),
    repo.callAllocations(db, id),
  ]);
  return {
    ...toCallJson(call),
    skillAreas: areas.map((a) => a.code),
    allocations: allocations.map((a) => ({
      territoryCode: a.territory_code,
      amountCents: a.amount_cents,
      committedCents: a.committed_cents,
    })),
  };
}

/** Said once for every decision: a retry is answered, a different decision is refused. */
const REPEAT =
  '. Repeating the very same decision (a retry) answers 200 with `repeated: true` and records nothing; a different decision once one is made is a 409';

export function fundingOperations({ db }: AppServices): ApiOperation[] {
  const tags = ['funding'];
  const detailOf = (req: Request, id: string) => callDetailOf(db, req, id);
  const amountsOf = (a?: Record<string, number>) =>
    new Map(Object.entries(a ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  return [
    defineOperation({
      operationId: 'createCall',
      method: 'post',
      path: '/calls',
      summary: 'Create a draft funding call on the region’s territory or below (amounts in cents)',
      tags,
      access: 'call:manage',
      body: callApiSchema,
      response: {
        status: 201,
        description: 'The new draft call',
        schema: callDetailJson,
        location: { path: '/calls/{id}', href: (c) => `/calls/${c.id}` },
      },
      errors: [422],
      handler: async ({ req, body, formKey }) =>
        detailOf(req, await createCall(db, req.user!, callFromApi(body), formKey)),
    }),
    defineOperation({
      operationId: 'updateCall',
      method: 'patch',
      path: '/calls/:id',
      summary:
        'Correct a draft call (as /calls/{id}/edit does): only the fields sent change, `null` clears an optional one, `skillAreas` and `allocations` replace the whole list; the result is checked as a new call is (a deadline gone by is refused). 409 once opened',
      tags,
      access: 'call:manage',
      params: idParams,
      body: callPatchSchema.meta({ id: 'FundingCallPatch' }),
      middleware: [jsonBodyOnly],
      response: { status: 200, description: 'The corrected draft', schema: callDetailJson },
      errors: [404, 409, 415, 422],
      handler: async ({ req, params, body }) => {
        await updateDraftCall(db, req.user!, params.id, (tx, call) => patchedCall(tx, call, body));
        return detailOf(req, params.id);
      },
    }),
    defineOperation({
      operationId: 'listCalls',
      method: 'get',
      path: '/calls',
      summary:
        'Calls: a region’s own (every status), for authorities and partners the open calls covering their territory',
      tags,
      access: 'call:read',
      query: callListQuery,
      response: { status: 200, description: 'Calls', schema: z.array(callJson) },
      handler: async ({ req, query }) =>
        (
          await listCallsFor(db, req.user!, (query.status || undefined) as CallStatus | undefined)
        ).map(toCallJson),
    }),
    defineOperation({
      operationId: 'getCall',
      method: 'get',
      path: '/calls/:id',
      summary: 'One call with its budget, committed and available amounts',
      tags,
      access: 'call:read',
      params: idParams,
      response: { status: 200, description: 'The call', schema: callDetailJson },
      errors: [404],
      handler: ({ req, params }) => detailOf(req, params.id),
    }),
    defineOperation({
      operationId: 'extendCall',
      method: 'post',
      path: '/calls/:id/extend',
      summary:
        "Extend an open call's deadline (as /calls/{id}/extend does), also once it has gone by: only later; the authorities of its territory are told. The same day again changes nothing. 409 once closed",
      tags,
      access: 'call:manage',
      params: idParams,
      body: z.strictObject({ deadline: isoDay }).meta({ id: 'CallExtension' }),
      middleware: [jsonBodyOnly],
      response: { status: 200, description: 'The call after the change', schema: callJson },
      errors: [404, 409, 415, 422],
      handler: async ({ req, params, body }) =>
        toCallJson((await extendCall(db, req.user!, params.id, body.deadline)).call),
    }),
    ...(['open', 'close'] as const).map((action) =>
      defineOperation({
        operationId: `${action}Call`,
        method: 'post',
        path: `/calls/:id/${action}`,
        summary: `${action === 'open' ? 'Open a draft call (authorities are told)' : 'Close an open call'}; asked again once it is so (a retry): 200, \`repeated: true\`, nothing changed`,
        tags,
        access: 'call:manage',
        params: idParams,
        response: { status: 200, description: 'The call after the change', schema: callTransition },
        errors: [404, 409],
        handler: async ({ req, params }) => {
          let repeated = false;
          try {
            await transitionCall(db, req.user!, params.id, action);
          } catch (err) {
            if (!(err instanceof DomainError) || err.status !== 409) throw err;
            const now = (await getCallFor(db, req.user!, params.id)).call;
            if (now.status !== (action === 'open' ? 'open' : 'closed')) throw err;
            repeated = true;
          }
          return { ...toCallJson((await getCallFor(db, req.user!, params.id)).call), repeated };
        },
      }),
    ),
    defineOperation({
      operationId: 'getEligibilityReport',
      method: 'get',
      path: '/pacts/:id/eligibility',
      summary:
        'The eligibility report of a pact against its call’s rules and the needs backing (region)',
      tags,
      access: 'pact:review',
      params: idParams,
      response: { status: 200, description: 'The report', schema: reportJson },
      errors: [404],
      handler: async ({ req, params }) => {
        const v = await reviewView(db, req.user!, params.id);
        const lang = req.language?.startsWith('en') ? 'en' : 'it';
        const texts = await ruleTexts(db, v.report.lines, req.t, lang);
        return {
          pactId: v.pact.id,
          status: v.pact.status,
          revision: v.pact.revision,
          callId: v.pact.call_id,
          eligible: v.report.ok,
          costCents: v.report.costCents,
          cofinancingCents: v.report.cofinancingCents,
          grantCents: v.report.grantCents,
          availableCents: v.report.availableCents,
          rules: v.report.lines.map((l, i) => ({
            rule: l.rule,
            ok: l.ok,
            ...(l.actionId ? { actionId: l.actionId } : {}),
            params: l.params,
            text: texts[i],
          })),
          actions: v.actions.map((a) => ({
            id: a.id,
            title: a.title,
            costCents: a.cost_cents,
            cofinancingCents: a.cofinancing,
            maxGrantCents: a.maxGrant,
            approvedCents: a.approved_cents,
            participants: a.participants,
            fundedParticipants: a.funded_participants,
            committedCents: a.committed,
            spentCents: a.spent,
          })),
        };
      },
    }),
    defineOperation({
      operationId: 'approvePact',
      method: 'post',
      path: '/pacts/:id/approve',
      summary:
        'Approve a submitted pact, in full or for lower amounts per action; commits the grant (409 with the figures when the budget is short)' +
        REPEAT,
      tags,
      access: 'pact:review',
      params: idParams,
      body: approveApiSchema,
      response: { status: 200, description: 'The decision', schema: decisionJson },
      errors: [404, 409, 422],
      handler: ({ req, params, body }) =>
        decideOnce(db, req.user!, params.id, 'approve', {
          ...body,
          amounts: amountsOf(body.amounts),
          participants: amountsOf(body.participants),
        }),
    }),
    defineOperation({
      operationId: 'reducePact',
      method: 'post',
      path: '/pacts/:id/reduce',
      summary:
        'Lower the approved amounts of an approved pact, not below what each action has spent; the difference is released' +
        REPEAT,
      tags,
      access: 'pact:review',
      params: idParams,
      body: approveApiSchema,
      response: { status: 200, description: 'The decision', schema: decisionJson },
      errors: [404, 409, 422],
      handler: ({ req, params, body }) =>
        decideOnce(db, req.user!, params.id, 'reduce', {
          ...body,
          amounts: amountsOf(body.amounts),
          participants: amountsOf(body.participants),
        }),
    }),
    ...(
      [
        [
          'returnPact',
          'return',
          returnSchema,
          'Return a submitted pact to its promoter with remarks',
        ],
        ['rejectPact', 'reject', rejectSchema, 'Reject a submitted pact, with reasons'],
      ] as const
    ).map(([operationId, kind, schema, summary]) =>
      defineOperation({
        operationId,
        method: 'post',
        path: `/pacts/:id/${kind}`,
        summary: summary + REPEAT,
        tags,
        access: 'pact:review',
        params: idParams,
        body: schema,
        response: { status: 200, description: 'The decision', schema: decisionJson },
        errors: [404, 409, 422],
        handler: ({ req, params, body }) => decideOnce(db, req.user!, params.id, kind, body),
      }),
    ),
  ];
}
