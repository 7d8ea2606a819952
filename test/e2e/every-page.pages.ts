import type { Role } from '../../src/db/database';
import type { EveryPageSeed } from './every-page.seed';

export type Who = Role | 'anonymous';

/** One page to open: a GET route of the router, its parameters filled, as someone who may. */
export interface Visit {
  route: string;
  as: Who;
  params?: Record<string, string>;
  query?: string;
}

/**
 * GET routes that are not pages a person reads, each with why. Everything else the router holds
 * outside /api/ must be visited below: the test names any route in neither list.
 */
export const SKIPPED: Record<string, string> = {
  '/favicon.svg': 'an icon',
  '/survey/:campaignId': 'only redirects, to the step the firm reached or to its receipt',
  '/favicon.ico': 'an icon (redirects to the SVG)',
  '/healthz': 'a probe for the load balancer, plain text',
  '/readyz': 'a probe for the load balancer, plain text',
  '/needs/export.csv': 'a file download',
  '/needs/export.xlsx': 'a file download',
  '/campaigns/:id/import/template.csv': 'a file download',
  '/pacts/:id/document.pdf': 'a file download',
  '/dashboard/export.csv': 'a file download',
  '/dashboard/export.xlsx': 'a file download',
  '/open-data/needs.csv': 'an open-data file',
  '/open-data/needs.json': 'an open-data file',
  '/open-data/pacts.csv': 'an open-data file',
  '/open-data/pacts.json': 'an open-data file',
  '/account/data.json': "a file download: the person's own data",
};

const ROLES: Role[] = ['firm', 'local_authority', 'social_partner', 'region', 'admin'];

/** Every page, with ids from the seed, as a role that may open it. */
export function visits(s: EveryPageSeed): Visit[] {
  const pact = { id: s.negotiating.id };
  const action = { ...pact, actionId: s.negotiating.actionId };
  const everyone = (route: string): Visit[] => ROLES.map((as) => ({ route, as }));
  return [
    { route: '/', as: 'anonymous' },
    ...everyone('/'),
    { route: '/login', as: 'anonymous' },
    { route: '/register', as: 'anonymous' },
    { route: '/invite/:token', as: 'anonymous', params: { token: s.invitationToken } },
    { route: '/dashboard', as: 'anonymous' },
    { route: '/dashboard', as: 'region', query: `campaign=${s.campaignId}` },
    { route: '/open-data', as: 'anonymous' },
    { route: '/privacy', as: 'anonymous' },
    { route: '/help', as: 'anonymous' },
    { route: '/help', as: 'region' },
    { route: '/accessibility', as: 'firm' },
    // The same form for everyone (the header differs, and each role's home checks it).
    { route: '/account/password', as: 'firm' },
    { route: '/account/profile', as: 'region' },
    { route: '/account/tokens', as: 'social_partner' },
    { route: '/account/organisation', as: 'social_partner' },
    {
      route: '/account/organisation/invitations/:id/revoke',
      as: 'social_partner',
      params: { id: s.colleagueInvitationId },
    },
    { route: '/account/tokens/:id/revoke', as: 'firm', params: { id: s.tokenId } },
    ...everyone('/inbox'),
    { route: '/account/notifications', as: 'local_authority' },
    { route: '/invitations', as: 'region' },
    { route: '/invitations/new', as: 'region' },
    { route: '/invitations/:id/revoke', as: 'region', params: { id: s.invitationId } },
    { route: '/territories', as: 'firm' },
    { route: '/skills', as: 'firm' },
    { route: '/admin/users', as: 'admin' },
    { route: '/admin/users/:id', as: 'admin', params: { id: s.suspendedId } },
    { route: '/admin/users/:id/disable', as: 'admin', params: { id: s.users.firm.id } },
    { route: '/admin/organisations', as: 'admin' },
    { route: '/admin/organisations/:id', as: 'admin', params: { id: s.suspendedOrgId } },
    {
      route: '/admin/organisations/:id/territory',
      as: 'admin',
      params: { id: s.users.local_authority.organisationId },
    },
    {
      route: '/admin/organisations/:id/invitations/:invitation/revoke',
      as: 'admin',
      params: { id: s.users.social_partner.organisationId, invitation: s.colleagueInvitationId },
    },
    { route: '/password/forgot', as: 'anonymous' },
    { route: '/password/reset/:token', as: 'anonymous', params: { token: s.resetToken } },
    { route: '/admin/imports', as: 'admin' },
    { route: '/admin/imports/:id', as: 'admin', params: { id: s.importId } },
    { route: '/admin/boundaries', as: 'admin' },
    { route: '/needs', as: 'local_authority', query: `campaign=${s.campaignId}` },
    { route: '/needs', as: 'region' },
    { route: '/firm/profile', as: 'firm' },
    { route: '/my-needs', as: 'firm' },
    { route: '/delegations', as: 'firm' },
    { route: '/delegated-firms', as: 'social_partner' },
    { route: '/delegated-firms/:firmId', as: 'social_partner', params: { firmId: s.firmId } },
    ...surveyPages(s),
    { route: '/pacts', as: 'local_authority' },
    { route: '/pacts/new', as: 'local_authority' },
    { route: '/pacts/:id', as: 'local_authority', params: pact },
    { route: '/pacts/:id', as: 'region', params: { id: s.approvedId } },
    { route: '/pacts/:id/edit', as: 'local_authority', params: pact },
    { route: '/pacts/:id/actions/new', as: 'local_authority', params: pact },
    { route: '/pacts/:id/actions/:actionId/edit', as: 'local_authority', params: action },
    { route: '/pacts/:id/actions/:actionId/remove', as: 'local_authority', params: action },
    { route: '/pacts/:id/signatories', as: 'local_authority', params: pact },
    {
      route: '/pacts/:id/signatories/:orgId/remove',
      as: 'local_authority',
      params: { ...pact, orgId: s.union.organisationId },
    },
    { route: '/pacts/:id/withdraw', as: 'local_authority', params: pact },
    { route: '/pacts/:id/revisions', as: 'social_partner', params: pact },
    { route: '/pacts/:id/revisions/:n', as: 'social_partner', params: { ...pact, n: '1' } },
    { route: '/pacts/:id/audit', as: 'local_authority', params: pact },
    { route: '/pacts/:id/negotiation', as: 'social_partner', params: pact },
    { route: '/pacts/:id/amendments/new', as: 'social_partner', params: pact },
    {
      route: '/pacts/:id/amendments/:amId',
      as: 'local_authority',
      params: { ...pact, amId: s.amendmentId },
    },
    {
      route: '/pacts/:id/amendments/:amId/withdraw',
      as: 'social_partner',
      params: { ...pact, amId: s.amendmentId },
    },
    { route: '/pacts/:id/sign', as: 'social_partner', params: pact },
    { route: '/pacts/:id/decline', as: 'social_partner', params: pact },
    { route: '/pacts/:id/document', as: 'social_partner', params: pact },
    { route: '/pacts/:id/review', as: 'region', params: { id: s.submittedId } },
    { route: '/pacts/:id/decisions', as: 'local_authority', params: { id: s.approvedId } },
    { route: '/pacts/:id/execution', as: 'local_authority', params: { id: s.approvedId } },
    { route: '/pacts/:id/close', as: 'local_authority', params: { id: s.approvedId } },
    { route: '/calls', as: 'region' },
    { route: '/calls/new', as: 'region' },
    { route: '/calls/:id', as: 'local_authority', params: { id: s.callId } },
    { route: '/calls/:id/close', as: 'region', params: { id: s.callId } },
    { route: '/calls/:id/extend', as: 'region', params: { id: s.callId } },
    { route: '/calls/:id/budget', as: 'region', params: { id: s.callId } },
    { route: '/calls/:id/edit', as: 'region', params: { id: s.draftCallId } },
    { route: '/calls/:id/delete', as: 'region', params: { id: s.draftCallId } },
    { route: '/calls/:id/esf-indicators', as: 'region', params: { id: s.callId } },
    { route: '/dashboard/impact', as: 'region', query: `campaign=${s.campaignId}` },
  ];
}

function surveyPages(s: EveryPageSeed): Visit[] {
  const campaign = { id: s.surveyId, campaignId: s.surveyId };
  const version = { ...campaign, responseId: s.responseId };
  return [
    { route: '/campaigns', as: 'region' },
    { route: '/campaigns/new', as: 'region' },
    { route: '/campaigns/:id', as: 'region', params: campaign },
    { route: '/campaigns/:id/close', as: 'region', params: campaign },
    { route: '/campaigns/:id/extend', as: 'region', params: campaign },
    { route: '/campaigns/:id/edit', as: 'region', params: { id: s.draftSurveyId } },
    { route: '/campaigns/:id/delete', as: 'region', params: { id: s.draftSurveyId } },
    { route: '/campaigns/:id/responses', as: 'region', params: campaign },
    { route: '/campaigns/:id/responses/:responseId', as: 'region', params: version },
    { route: '/campaigns/:id/import', as: 'region', params: campaign },
    ...['1', '2', '3', '4'].map((step): Visit => ({
      route: '/survey/:campaignId/step/:step',
      as: 'firm',
      params: { ...campaign, step },
    })),
    // The association the firm delegated, answering for it.
    {
      route: '/survey/:campaignId/step/:step',
      as: 'social_partner',
      params: { ...campaign, step: '4' },
      query: `firm=${s.firmId}`,
    },
    { route: '/survey/:campaignId/receipt', as: 'firm', params: campaign },
    { route: '/survey/:campaignId/versions/:responseId', as: 'firm', params: version },
    { route: '/survey/:campaignId/versions/:responseId/withdraw', as: 'firm', params: version },
  ];
}
