import type { Db } from '../../src/db';
import type { SessionUser } from '../../src/http/types';
import { issueReset } from '../../src/modules/accounts/admin-users.service';
import {
  createInvitation,
  inviteColleague,
  inviteInto,
} from '../../src/modules/accounts/invitations.service';
import { createApiToken } from '../../src/modules/accounts/tokens.service';
import { grantDelegation } from '../../src/modules/delegations/delegations.service';
import { proposeAmendment } from '../../src/modules/pacts/amendments.service';
import type { PactStatus } from '../../src/modules/pacts/pact-workflow';
import { openQuestionnaire } from '../../src/modules/survey/drafts.service';
import { newCall, submittedPact } from '../funding/helpers';
import { newUser } from '../helpers/factories';
import { submitVersion } from '../needs/factories';
import { newPact } from '../pacts/factories';
import { pactScenario } from '../pacts/scenario';
import { farDay } from '../helpers/dates';

/**
 * Real records for the routes with an id in their path, so generated bodies get past the 404 to
 * the validation and the services behind it: the pact scenario's Tuscan campaign with answers
 * and open call, pacts in each state the routes act on, an open amendment, a delegation, the
 * firm's draft and answer, invitations, a notification. Records a successful request
 * consumes (one-shot transitions) are made fresh for every run instead (`fresh` below).
 */
export async function buildWorld(db: Db) {
  const s = await pactScenario(db);
  const { authority, employers, union, region } = s;
  const admin = await newUser(db, { role: 'admin' });
  // A third partner, for the promoter to invite.
  const partner = await newUser(db, {
    role: 'social_partner',
    partnerType: 'trade_union',
    territory: 'ITI14',
  });
  const call = await db
    .selectFrom('funding_calls')
    .selectAll()
    .where('id', '=', s.callId)
    .executeTakeFirstOrThrow();
  const campaignId = s.campaign.id;
  const pactOf = (status: PactStatus, actions = 1) =>
    newPact(db, {
      promoter: authority,
      status,
      campaign: campaignId,
      callId: s.callId,
      signatories: [employers.organisationId, union.organisationId],
      actions: Array.from({ length: actions }, (_, i) => ({ title: `Fuzz action ${i + 1}` })),
    });
  // One action per route that may remove or rewrite it, so no route loses its action to another,
  // and one more that stays.
  const draft = await pactOf('draft', 5);
  const negotiation = await pactOf('negotiation', 2);
  const proposal = (pactId: string) =>
    proposeAmendment(db, employers, pactId, {
      kind: 'change_pact',
      title: `Fuzz amendment ${Math.random()}`,
      summary: '',
      revision: 1,
      rationale: 'Fuzz',
    });
  await proposal(negotiation.id);
  const running = await pactOf('in_progress');

  // A firm of Florence with an answer in the campaign and a draft open, having delegated the
  // employers' association (whose user is notified of it).
  const firm = await newUser(db, { role: 'firm', territory: '048017' });
  await openQuestionnaire(db, firm, campaignId, { create: true });
  const responseId = await submitVersion(db, campaignId, firm.organisationId, firm.id, {
    territory: '048017',
    sector: 0,
    employees: 30,
    lines: [{ skill: 0, occupation: 0, eqf: 4, workers: 2, priority: 'high', period: '2027-Q1' }],
  });
  const delegation = await grantDelegation(db, firm, employers.organisationId);
  const notification = await db
    .selectFrom('notifications')
    .select('id')
    .where('user_id', '=', employers.id)
    .executeTakeFirstOrThrow();

  // Accounts: a user (and organisation) for the admin to act on, invitations of each kind.
  const victim = await newUser(db, { role: 'local_authority', territory: 'ITI14' });
  const { invitation } = await createInvitation(db, region, {
    email: 'fuzz-world-invitee@test.patto',
    role: 'local_authority',
    partnerType: null,
    organisationName: 'Comune di Vinci',
    territoryCode: '048050',
  });
  const adminInvitation = await inviteInto(
    db,
    { by: admin.id, organisationId: victim.organisationId, email: 'fuzz-world-org@test.patto' },
    'adminOrganisations',
  );
  const colleague = await inviteColleague(db, authority, 'fuzz-world-colleague@test.patto', {
    linkKey: 'fuzz world',
  });

  const resetVictim = await newUser(db, { role: 'firm' });
  let n = 0;
  const fresh = {
    pact: async (status: PactStatus) => ({ id: (await pactOf(status)).id }),
    submitted: async () => ({ id: (await submittedPact(db, { authority, campaignId, call })).id }),
    amendment: async () => {
      const pact = await pactOf('negotiation');
      const am = await proposal(pact.id);
      return { id: pact.id, amId: am.id, amendmentId: am.id };
    },
    call: async (status: 'draft' | 'open') => ({ id: (await newCall(db, region, { status })).id }),
    campaign: async (status: 'draft' | 'open') => {
      const c = await db
        .insertInto('campaigns')
        .values({
          organisation_id: region.organisationId,
          title: `Fuzz campaign ${++n}`,
          territory_code: 'ITI1',
          opens_at: '2026-01-01',
          closes_at: farDay(),
          status,
          opened_at: status === 'open' ? new Date() : null,
          created_by: region.id,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return { id: c.id };
    },
    reset: async () => ({ token: (await issueReset(db, admin, resetVictim.id)).token }),
  };

  type Params = Record<string, string>;
  type Target = { as?: SessionUser; params: Params | (() => Promise<Params>) };
  const draftActions = draft.actions.map((a) => a.id);
  const at = (as: SessionUser, params: Target['params']): Target => ({ as, params });
  /**
   * Route (method and path, the API's without /api/v1) → caller and path values, first match.
   * Most act on shared records; a later run may then meet a stale revision or a record already
   * gone, which still reaches the service.
   */
  const rules: [RegExp, Target][] = [
    // The promoter drafting: one action per route that edits or removes one.
    [
      /^POST \/pacts\/:id\/actions\/:actionId\/edit$/,
      at(authority, { id: draft.id, actionId: draftActions[0]! }),
    ],
    [
      /^POST \/pacts\/:id\/actions\/:actionId\/remove$/,
      at(authority, { id: draft.id, actionId: draftActions[1]! }),
    ],
    [
      /^PUT \/pacts\/:id\/actions\/:actionId$/,
      at(authority, { id: draft.id, actionId: draftActions[2]! }),
    ],
    [
      /^DELETE \/pacts\/:id\/actions\/:actionId$/,
      at(authority, { id: draft.id, actionId: draftActions[3]! }),
    ],
    [
      /^POST \/pacts\/:id\/signatories\/:orgId\/remove$/,
      at(authority, { id: draft.id, orgId: union.organisationId }),
    ],
    [/^POST \/pacts\/:id\/(edit|actions|signatories)$/, at(authority, { id: draft.id })],
    [/^POST \/pacts\/:id\/submit$/, at(authority, () => fresh.pact('agreed'))],
    [/^POST \/pacts\/:id\/(withdraw|open-negotiation)$/, at(authority, () => fresh.pact('draft'))],
    [/^POST \/pacts\/:id\/reopen$/, at(authority, () => fresh.pact('returned'))],
    // Negotiation: the amendment's author withdraws it, the promoter decides it (both one-shot).
    [/^POST \/pacts\/:id\/amendments\/:\w+\/withdraw$/, at(employers, fresh.amendment)],
    [/^POST \/pacts\/:id\/amendments\/:\w+\/(decide|decision)$/, at(authority, fresh.amendment)],
    [/^POST \/pacts\/:id\/amendments$/, at(employers, { id: negotiation.id })],
    [/^POST \/pacts\/:id\/decline$/, at(union, () => fresh.pact('negotiation'))],
    [
      /^(POST|PUT) \/pacts\/:id\/actions\/:actionId\/position$/,
      at(union, { id: negotiation.id, actionId: negotiation.actions[0]!.id }),
    ],
    [/^POST \/pacts\/:id\/(comments|sign|signatures)$/, at(union, { id: negotiation.id })],
    // The region reviewing a pact submitted under its call (each decision one-shot).
    [/^POST \/pacts\/:id\/(approve|reduce|return|reject)$/, at(region, fresh.submitted)],
    // The promoter reporting on a pact under way.
    [/^POST \/pacts\/:id\/close$/, at(authority, () => fresh.pact('in_progress'))],
    [/^POST \/pacts\/:id\/(execution|outcomes)$/, at(authority, { id: running.id })],
    // The region's own call and campaign.
    [/^POST \/calls\/:id\/(delete|open)$/, at(region, () => fresh.call('draft'))],
    [/^POST \/calls\/:id\/close$/, at(region, () => fresh.call('open'))],
    [/^(POST|PATCH) \/calls\/:id(\/(edit|extend|budget))?$/, at(region, { id: s.callId })],
    [/^POST \/campaigns\/:id\/(delete|open)$/, at(region, () => fresh.campaign('draft'))],
    [/^POST \/campaigns\/:id\/close$/, at(region, () => fresh.campaign('open'))],
    [/^(POST|PATCH) \/campaigns\/:id(\/(edit|extend|import))?$/, at(region, { id: campaignId })],
    // The firm answering the campaign.
    [/^(PUT|POST) \/campaigns\/:id\/response\/(draft|submit)$/, at(firm, { id: campaignId })],
    [/^POST \/survey\/:campaignId\//, at(firm, { campaignId, step: '1', responseId })],
    [/^POST \/delegations\/:id\/revoke$/, at(firm, { id: delegation.id })],
    [/^POST \/inbox\/:id\/open$/, at(employers, { id: notification.id })],
    // Accounts.
    [
      /^POST \/account\/tokens\/:id\/revoke$/,
      at(authority, async () => ({ id: (await createApiToken(db, authority.id, 'fuzz')).id })),
    ],
    [
      /^POST \/account\/organisation\/invitations\/:id\/revoke$/,
      at(authority, { id: colleague.invitation.id }),
    ],
    [/^POST \/invitations\/:id\/revoke$/, at(region, { id: invitation.id })],
    [/^POST \/admin\/users\/:id\//, at(admin, { id: victim.id })],
    [
      /^POST \/admin\/organisations\/:id\/invitations\/:invitation\/revoke$/,
      at(admin, { id: victim.organisationId, invitation: adminInvitation.invitation.id }),
    ],
    [/^POST \/admin\/organisations\/:id\//, at(admin, { id: victim.organisationId })],
  ];

  return {
    negotiation,
    running,
    partner,
    /** The caller and path values for a route with parameters, or undefined (random UUIDs). */
    target(method: string, path: string): Target | undefined {
      const name = `${method.toUpperCase()} ${path.replace(/^\/api\/v1/, '')}`;
      if (/^POST \/password\/reset\/:token$/.test(name)) return { params: fresh.reset };
      return rules.find(([re]) => re.test(name))?.[1];
    },
  };
}

export type World = Awaited<ReturnType<typeof buildWorld>>;
