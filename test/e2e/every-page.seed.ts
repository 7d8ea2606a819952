import { renameOrganisation } from '../../src/modules/accounts/admin-organisations.service';
import type { Db } from '../../src/db';
import { disableUser, issueReset } from '../../src/modules/accounts/admin-users.service';
import { createInvitation, inviteColleague } from '../../src/modules/accounts/invitations.service';
import { createApiToken } from '../../src/modules/accounts/tokens.service';
import { grantDelegation } from '../../src/modules/delegations/delegations.service';
import { raiseCallBudget } from '../../src/modules/funding/budget-raise.service';
import { proposeAmendment } from '../../src/modules/pacts/amendments.service';
import { outcomeFromForm, outcomeFormSchema } from '../../src/modules/pacts/execution.schemas';
import { reportOutcome } from '../../src/modules/pacts/execution.service';
import { approvedPact, reportForm } from '../execution/helpers';
import { newCall, scenario, submittedPact } from '../funding/helpers';
import { newUser } from '../helpers/factories';
import { submitVersion } from '../needs/factories';
import { newPact } from '../pacts/factories';
import { socialPartners } from '../pacts/scenario';
import { needLine, newCampaign, newFirmUser, readinessForm } from '../survey/helpers';

/**
 * One of everything a page can show, made through the factories and services: a region (ITI1)
 * with a survey campaign a firm answered and a draft one, a funding call (its budget raised
 * once) and a draft one (with a reserve and an area), an authority (ITI14) with a pact in
 * negotiation (two partners invited, an amendment proposed), a submitted one and one approved
 * and under way (a quarter reported); an employer association the firm delegated; an
 * invitation, an API token, an import job.
 */
export async function seedEveryPage(db: Db) {
  const s = await scenario(db, { cofinancingPercent: 20 });
  const { region, authority, call } = s;
  const admin = await newUser(db, { role: 'admin' });
  const { employers, union } = await socialPartners(db);

  const survey = await newCampaign(db, { region, territory: 'ITI1' });
  const draftSurvey = await newCampaign(db, { region, territory: 'ITI14', open: false });
  const draftCall = await newCall(db, region, {
    status: 'draft',
    campaignId: s.campaignId,
    areas: ['F40'],
    allocations: [{ territory: 'ITI14', cents: 40_000_00 }],
  });
  const firm = await newFirmUser(db);
  const responseId = await submitVersion(db, survey.id, firm.organisationId, firm.id, {
    territory: '048014',
    sector: 0,
    employees: 40,
    lines: [{ skill: 0, occupation: 3, eqf: 4, workers: 5, priority: 'high', period: '2027-Q1' }],
  });
  // The firm is amending its answer and has reached the last step: every step can be opened.
  await db
    .insertInto('response_drafts')
    .values({
      campaign_id: survey.id,
      firm_id: firm.organisationId,
      step: 4,
      payload: JSON.stringify({ readiness: readinessForm, needs: [needLine()] }),
      updated_by: firm.id,
    })
    .execute();
  await grantDelegation(db, firm, employers.organisationId);

  const negotiating = await newPact(db, {
    promoter: authority,
    status: 'negotiation',
    campaign: s.campaignId,
    callId: call.id,
    signatories: [employers.organisationId, union.organisationId],
  });
  const amendment = await proposeAmendment(db, employers, negotiating.id, {
    kind: 'change_pact',
    title: 'Patto formativo Empolese Valdelsa',
    summary: 'Robotica collaborativa per le imprese meccaniche.',
    revision: 1,
    rationale: 'Un titolo che dica il territorio.',
  });
  const submitted = await submittedPact(db, s);
  const approved = (await approvedPact(db, undefined, { s })).pact;
  const outcome = outcomeFormSchema.parse(reportForm(approved.actions[0]!.id));
  await reportOutcome(db, authority, approved.id, outcomeFromForm(outcome));

  const { invitation, token: invitationToken } = await createInvitation(db, region, {
    email: 'comune-vinci@test.patto',
    role: 'local_authority',
    partnerType: null,
    organisationName: 'Comune di Vinci',
    territoryCode: '048050',
  });
  const importJob = await db
    .insertInto('import_jobs')
    .values({
      kind: 'nuts',
      version: '2024',
      file_name: 'NUTS2024.csv',
      file_bytes: 2048,
      status: 'done',
      report: JSON.stringify({
        rows: 3,
        inserted: 2,
        updated: 1,
        closed: 0,
        linked: 0,
        encoding: 'utf-8',
        errors: [],
      }),
      created_by: admin.id,
      finished_at: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();

  // An account the admin disabled (its page shows the history), and a password link for the firm.
  const suspended = await newUser(db, { organisation: 'Impresa Sospesa srl' });
  await disableUser(
    db,
    admin,
    suspended.id,
    'Impresa cessata: chiusura comunicata alla Camera di commercio.',
  );
  await renameOrganisation(db, admin, suspended.organisationId, {
    name: 'Impresa Sospesa s.r.l.',
    reason: 'Ragione sociale come da visura camerale.',
  });
  const { token: resetToken } = await issueReset(db, admin, firm.id);
  const colleague = await inviteColleague(db, employers, 'segreteria@confindustria.test');
  // The call's budget raised once: its page shows the first budget and the raise.
  await raiseCallBudget(db, region, call.id, {
    budget: call.budget_cents + 50_000_00,
    allocations: [],
    reason: 'Rifinanziamento con fondi FSE+ aggiuntivi.',
  });

  return {
    users: { firm, local_authority: authority, social_partner: employers, region, admin },
    suspendedId: suspended.id,
    suspendedOrgId: suspended.organisationId,
    resetToken,
    colleagueInvitationId: colleague.invitation.id,
    union,
    tokenId: (await createApiToken(db, firm.id, 'Foglio di calcolo')).id,
    invitationId: invitation.id,
    invitationToken,
    importId: importJob.id,
    campaignId: s.campaignId,
    surveyId: survey.id,
    draftSurveyId: draftSurvey.id,
    responseId,
    callId: call.id,
    draftCallId: draftCall.id,
    firmId: firm.organisationId,
    negotiating: { id: negotiating.id, actionId: negotiating.actions[0]!.id },
    amendmentId: amendment.id,
    submittedId: submitted.id,
    approvedId: approved.id,
  };
}

export type EveryPageSeed = Awaited<ReturnType<typeof seedEveryPage>>;
