import type { PartnerType, Role } from '../db/database';

/** The signed-in user as every route sees it (loaded per request, so changes apply at once). */
export interface SessionUser {
  id: string;
  email: string;
  fullName: string;
  role: Role;
  partnerType: PartnerType | null;
  organisationId: string;
  organisationName: string;
  territoryCode: string;
  /** Set when the request authenticated with an API token rather than a session. */
  tokenId?: string;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends SessionUser {}
  }
}

declare module 'express-session' {
  interface SessionData {
    flash?: { kind: 'success' | 'info' | 'warning'; key: string; params?: Record<string, unknown> };
  }
}
