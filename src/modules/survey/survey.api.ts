import { z } from 'zod';
import type { AppServices } from '../../app';
import { isoDay, territoryCode } from '../../http/validate';
import { DomainError, NotFoundError } from '../../lib/domain-error';
import { Answer, defineOperation, jsonBodyOnly, type ApiOperation } from '../api/operation';
import { CAMPAIGN_STATES } from './calendar';
import { campaignPatchSchema, campaignSchema } from './campaigns.schemas';
import {
  extendCampaign,
  createCampaign,
  getManagedCampaign,
  listManagedCampaigns,
  patchedCampaign,
  transitionCampaign,
  updateDraftCampaign,
  type Campaign,
} from './campaigns.service';
import { openQuestionnaire, saveDraft, stepsOf, withAnswers } from './drafts.service';
import { draftApiSchema, submitApiSchema, type DraftPayload } from './questionnaire.schemas';
import { listLatestResponses } from './region-responses.repository';
import * as repo from './responses.repository';
import {
  amendResponse,
  listFirmCampaigns,
  submitResponse,
  withdrawResponse,
} from './responses.service';
import { RESPONSE_STATUSES } from './survey.tables';

const idParams = z.object({ id: z.uuid() });
/** An employer association acting for a firm that delegated it names the firm; a firm does not. */
const actingQuery = z.strictObject({ firmId: z.uuid().optional() });

const campaignResponse = z
  .object({
    id: z.uuid(),
    title: z.string(),
    territoryCode: z.string(),
    opensAt: z.string(),
    closesAt: z.string(),
    firstClosesAt: z
      .string()
      .nullable()
      .meta({ description: 'The closing day first published, once extended; null before' }),
    readiness: z.boolean(),
    disclosureK: z.number().int().meta({
      description: 'Disclosure control: cells of fewer firms are suppressed for all but the region',
    }),
    status: z.enum(['draft', 'open', 'closed']),
    state: z.enum(CAMPAIGN_STATES),
    skillAreas: z.array(z.string()),
    answer: z.string().optional(),
  })
  .meta({ id: 'Campaign' });

/** A campaign after open or close: `repeated` when it already was so (a retry). */
const campaignTransition = campaignResponse
  .extend({ repeated: z.boolean() })
  .meta({ id: 'CampaignTransition' });

const campaignJson = (c: Campaign) => ({
  id: c.id,
  title: c.title,
  territoryCode: c.territoryCode,
  opensAt: c.opensAt,
  closesAt: c.closesAt,
  firstClosesAt: c.firstClosesAt,
  readiness: c.readiness,
  disclosureK: c.disclosureK,
  status: c.status,
  state: c.state,
  skillAreas: c.areas,
});

const versionSummary = z.object({
  id: z.uuid(),
  version: z.number().int(),
  status: z.enum(RESPONSE_STATUSES),
  submittedAt: z.string(),
  readinessScore: z.number().int().nullable(),
  needCount: z.number().int(),
  workersTotal: z.number().int(),
});

const myResponse = z
  .object({
    draft: z.object({
      state: z.enum(['editing', 'submitted']),
      step: z.number().int(),
      version: z.number().int(),
      payload: z.record(z.string(), z.unknown()),
    }),
    latest: versionSummary.nullable(),
  })
  .meta({ id: 'MyResponse' });

const versionJson = (r: repo.ResponseRow) => ({
  id: r.id,
  version: r.version,
  status: r.status,
  submittedAt: r.submitted_at.toISOString(),
  readinessScore: r.readiness_score,
  needCount: r.need_count,
  workersTotal: r.workers_total,
});

const listResponsesQuery = z.strictObject({
  status: z.enum(['current', 'withdrawn']).optional(),
  territory: territoryCode.optional(),
  page: z.coerce.number().int().min(1).max(100_000).optional().default(1),
});

export function surveyOperations({ db }: AppServices): ApiOperation[] {
  return [
    defineOperation({
      operationId: 'listCampaigns',
      method: 'get',
      path: '/campaigns',
      summary: "A region's campaigns, or the published campaigns covering a firm (with its answer)",
      tags: ['survey'],
      access: 'campaign:list',
      response: { status: 200, description: 'Campaigns', schema: z.array(campaignResponse) },
      handler: async ({ req }) => {
        if (req.user!.role !== 'firm')
          return (await listManagedCampaigns(db, req.user!)).map(campaignJson);
        return (await listFirmCampaigns(db, req.user!)).map((c) => ({
          ...campaignJson(c.campaign),
          answer: c.answer,
        }));
      },
    }),
    defineOperation({
      operationId: 'createCampaign',
      method: 'post',
      path: '/campaigns',
      summary: 'Creates a campaign (as a draft) on a territory within the region',
      tags: ['survey'],
      access: 'campaign:manage',
      body: campaignSchema.meta({ id: 'CampaignRequest' }),
      response: { status: 201, description: 'The campaign', schema: campaignResponse },
      handler: async ({ req, body, formKey }) => {
        const id = await createCampaign(db, req.user!, body, formKey);
        return campaignJson(await getManagedCampaign(db, req.user!, id));
      },
    }),
    defineOperation({
      operationId: 'updateCampaign',
      method: 'patch',
      path: '/campaigns/:id',
      summary:
        'Correct a draft campaign (as /campaigns/{id}/edit does): only the fields sent change, `skillAreas` replaces the whole list, `disclosureK: null` goes back to the default; the result is checked as a new campaign is (a closing day gone by is refused). 409 once opened',
      tags: ['survey'],
      access: 'campaign:manage',
      params: idParams,
      body: campaignPatchSchema.meta({ id: 'CampaignPatch' }),
      middleware: [jsonBodyOnly],
      response: { status: 200, description: 'The corrected draft', schema: campaignResponse },
      errors: [404, 409, 415, 422],
      handler: async ({ req, params, body }) => {
        await updateDraftCampaign(db, req.user!, params.id, (row) => patchedCampaign(row, body));
        return campaignJson(await getManagedCampaign(db, req.user!, params.id));
      },
    }),
    ...(['open', 'close'] as const).map((action) =>
      defineOperation({
        operationId: `${action}Campaign`,
        method: 'post',
        path: `/campaigns/:id/${action}`,
        summary: `${action === 'open' ? 'draft → open' : 'open → closed'}; asked again once it is so (a retry): 200, \`repeated: true\`, nothing changed`,
        tags: ['survey'],
        access: 'campaign:manage',
        params: idParams,
        response: { status: 200, description: 'The campaign', schema: campaignTransition },
        errors: [404, 409],
        handler: async ({ req, params }) => {
          try {
            const campaign = await transitionCampaign(db, req.user!, params.id, action);
            return { ...campaignJson(campaign), repeated: false };
          } catch (err) {
            if (!(err instanceof DomainError) || err.status !== 409) throw err;
            const now = await getManagedCampaign(db, req.user!, params.id);
            if (now.status !== (action === 'open' ? 'open' : 'closed')) throw err;
            return { ...campaignJson(now), repeated: true };
          }
        },
      }),
    ),
    defineOperation({
      operationId: 'extendCampaign',
      method: 'post',
      path: '/campaigns/:id/extend',
      summary:
        "Extend an open campaign's closing day (as /campaigns/{id}/extend does), also once it has gone by: only later; the firms with an unsent answer are told. The same day again changes nothing. 409 once closed",
      tags: ['survey'],
      access: 'campaign:manage',
      params: idParams,
      body: z.strictObject({ closesAt: isoDay }).meta({ id: 'CampaignExtension' }),
      middleware: [jsonBodyOnly],
      response: { status: 200, description: 'The campaign', schema: campaignResponse },
      errors: [404, 409, 415, 422],
      handler: async ({ req, params, body }) =>
        campaignJson((await extendCampaign(db, req.user!, params.id, body.closesAt)).campaign),
    }),
    defineOperation({
      operationId: 'getMyResponse',
      method: 'get',
      path: '/campaigns/:id/response',
      summary: "The firm's draft (with its version, for saving) and latest submitted version",
      tags: ['survey'],
      access: 'survey:answer',
      params: idParams,
      query: actingQuery,
      response: { status: 200, description: 'Draft and latest version', schema: myResponse },
      errors: [404, 409],
      handler: async ({ req, params, query }) => {
        const q = await openQuestionnaire(db, req.user!, params.id, { firmId: query.firmId });
        const latest = await repo.latestResponse(db, q.campaign.id, q.firm.organisationId);
        const d = q.draft;
        return {
          draft: { state: d.state, step: d.step, version: d.version, payload: d.payload },
          latest: latest ? versionJson(latest) : null,
        };
      },
    }),
    defineOperation({
      operationId: 'saveResponseDraft',
      method: 'put',
      path: '/campaigns/:id/response/draft',
      summary: 'Saves readiness and/or need lines into the draft (optimistic: send its version)',
      tags: ['survey'],
      access: 'survey:answer',
      params: idParams,
      query: actingQuery,
      body: draftApiSchema,
      response: { status: 200, description: 'The saved draft', schema: myResponse.shape.draft },
      errors: [404, 409],
      handler: async ({ req, params, query, body }) => {
        const q = await openQuestionnaire(db, req.user!, params.id, {
          create: false,
          firmId: query.firmId,
        });
        const payload = withAnswers(q.draft.payload as DraftPayload, body);
        const steps = stepsOf(q.campaign);
        const step = body.step && steps.includes(body.step) ? body.step : undefined;
        const d = await saveDraft(db, req.user!, q, body.version, { payload, step });
        return { state: d.state, step: d.step, version: d.version, payload: d.payload };
      },
    }),
    defineOperation({
      operationId: 'submitResponse',
      method: 'post',
      path: '/campaigns/:id/response/submit',
      summary:
        "Submits the draft as a new version (atomic; the previous one is superseded); readiness and need lines sent with it replace the draft's first. Sending the very same submission again (a retry) answers 200 with `repeated: true`",
      tags: ['survey'],
      access: 'survey:answer',
      params: idParams,
      query: actingQuery,
      body: submitApiSchema,
      response: {
        status: 201,
        description: 'The new version',
        schema: z.object({
          id: z.uuid(),
          version: z.number().int(),
          repeated: z
            .boolean()
            .describe(
              'true when this very submission (same draft version, same answers, by the same user) had already made the current version (a retry): nothing recorded again',
            ),
        }),
        also: { status: 200, description: 'Already submitted: the version it made' },
        // The firm's answer to the campaign, whose latest version this is (for a delegated
        // association, the firm's: its firmId kept).
        location: {
          path: '/campaigns/{id}/response',
          href: (_r, req) => {
            const firm = req.query.firmId;
            const acting = typeof firm === 'string' ? `?firmId=${encodeURIComponent(firm)}` : '';
            return `/campaigns/${req.params.id}/response${acting}`;
          },
        },
      },
      errors: [404, 409],
      handler: async ({ req, params, query, body }) => {
        const r = await submitResponse(db, req.user!, params.id, body.version, query.firmId, {
          readiness: body.readiness,
          needs: body.needs,
        });
        return r.repeated ? new Answer(200, r) : r;
      },
    }),
    defineOperation({
      operationId: 'amendResponse',
      method: 'post',
      path: '/campaigns/:id/response/amend',
      summary:
        "Reopens the firm's submitted answer as a draft, from its latest version (current or withdrawn), to change it while the campaign is open (as “Change the answer” on the receipt): then saveResponseDraft and submitResponse, which makes a new version. A draft already open is answered as it stands",
      tags: ['survey'],
      access: 'survey:answer',
      params: idParams,
      query: actingQuery,
      response: {
        status: 200,
        description: 'The draft, open for changes',
        schema: myResponse.shape.draft,
      },
      errors: [404, 409],
      handler: async ({ req, params, query }) => {
        const d = await amendResponse(db, req.user!, params.id, query.firmId);
        return { state: d.state, step: d.step, version: d.version, payload: d.payload };
      },
    }),
    defineOperation({
      operationId: 'withdrawResponse',
      method: 'post',
      path: '/responses/:id/withdraw',
      summary:
        "Withdraws the firm's current version (kept, marked withdrawn); withdrawing it again (a retry) answers 200 with `repeated: true`",
      tags: ['survey'],
      access: 'survey:answer',
      params: idParams,
      query: actingQuery,
      response: {
        status: 200,
        description: 'Withdrawn',
        schema: z.object({
          id: z.uuid(),
          status: z.literal('withdrawn'),
          repeated: z
            .boolean()
            .describe(
              'true when the same user had already withdrawn it (a retry): nothing recorded again',
            ),
        }),
      },
      errors: [404, 409],
      handler: async ({ req, params, query }) => {
        const r = await withdrawResponse(db, req.user!, params.id, undefined, query.firmId);
        return { id: r.id, status: r.status, repeated: r.repeated };
      },
    }),
    defineOperation({
      operationId: 'listResponses',
      method: 'get',
      path: '/campaigns/:id/responses',
      summary: "Each firm's latest version in a campaign (region only), filtered and paged",
      tags: ['survey'],
      access: 'response:read',
      params: idParams,
      query: listResponsesQuery,
      response: {
        status: 200,
        description: 'A page of responses with the total count',
        schema: z.object({
          total: z.number().int(),
          page: z.number().int(),
          pageSize: z.number().int(),
          items: z.array(
            versionSummary.extend({
              firmId: z.uuid(),
              legalName: z.string(),
              territoryCode: z.string(),
              sizeClass: z.string(),
            }),
          ),
        }),
      },
      errors: [404],
      handler: async ({ req, params, query }) => {
        const campaign = await getManagedCampaign(db, req.user!, params.id).catch(() => {
          throw new NotFoundError();
        });
        const pageSize = 50;
        const { rows, total } = await listLatestResponses(db, campaign.id, {
          ...query,
          pageSize,
        });
        return {
          total,
          page: query.page,
          pageSize,
          items: rows.map((r) => ({
            id: r.id,
            version: r.version,
            status: r.status,
            submittedAt: new Date(r.submitted_at).toISOString(),
            readinessScore: r.readiness_score,
            needCount: r.need_count,
            workersTotal: r.workers_total,
            firmId: r.firm_id,
            legalName: r.legal_name,
            territoryCode: r.territory_code,
            sizeClass: r.size_class,
          })),
        };
      },
    }),
  ];
}
