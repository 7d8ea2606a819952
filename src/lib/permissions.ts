import { ROLES, type Role } from '../db/database';

/**
 * Who may do what, by role: the one table every route declares against (see http/authorize.ts).
 * Territory scope (an authority sees its territory and below) is checked by the services for
 * the record at hand, through modules/accounts/scope.ts (inScope, assertInScope, scopeCodes).
 */
export const PERMISSIONS = {
  'account:use': ROLES,
  'inbox:use': ROLES,
  'token:manage': ROLES,
  'organisation:members': ROLES,
  'invitation:manage': ['region', 'admin'],
  'user:manage': ['admin'],
  'reference:read': ROLES,
  'reference:import': ['admin'],
  'firm:profile': ['firm'],
  'campaign:list': ['firm', 'region', 'admin'],
  'campaign:manage': ['region', 'admin'],
  // A social partner reaches the survey pages only for a firm that delegated its association
  // (checked by the service: no active delegation → 404).
  'survey:answer': ['firm', 'social_partner'],
  'delegation:grant': ['firm'],
  'delegation:act': ['social_partner'],
  'response:read': ['region', 'admin'],
  'needs:read': ['local_authority', 'social_partner', 'region', 'admin'],
  'pact:read': ['local_authority', 'social_partner', 'region', 'admin'],
  'pact:draft': ['local_authority'],
  'pact:negotiate': ['local_authority', 'social_partner'],
  'pact:review': ['region'],
  'pact:report': ['local_authority', 'region'],
  'call:read': ['local_authority', 'social_partner', 'region', 'admin'],
  'call:manage': ['region'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: Role | undefined, permission: Permission): boolean {
  return role !== undefined && (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

/** Which roles a user of each role may invite: a region invites below itself, admin anyone. */
export const INVITABLE_ROLES: Record<Role, readonly Role[]> = {
  admin: ['local_authority', 'social_partner', 'region', 'admin', 'firm'],
  region: ['local_authority', 'social_partner', 'firm'],
  local_authority: [],
  social_partner: [],
  firm: [],
};
