import crypto from 'node:crypto';
import type { Language } from '../../http/i18n';
import { sql } from 'kysely';
import type { Db } from '../../db';
import type { PartnerType, Role } from '../../db/database';
import { createOnce, forgetForms } from '../../http/form-key';
import type { SessionUser } from '../../http/types';
import { DomainError, NotFoundError } from '../../lib/domain-error';
import { hashPassword } from '../../lib/password';
import { INVITABLE_ROLES } from '../../lib/permissions';
import { derivedSecret, hashSecret, newSecret } from '../../lib/tokens';
import { findCurrentTerritory, localName } from '../reference/territories.repository';
import * as repo from './accounts.repository';
import * as invitations from './invitations.repository';
import { EmailTakenError, isUniqueViolation } from './accounts.service';
import { inScope } from './scope';

export const INVITATION_DAYS = 7;

export interface NewInvitation {
  email: string;
  role: Role;
  partnerType: PartnerType | null;
  organisationName: string;
  territoryCode: string;
}

/**
 * Creates the invited organisation and a single-use link for its first user. The inviter may
 * only invite roles below its own and only within its territory (admin: anywhere).
 */
export async function createInvitation(db: Db, inviter: SessionUser, input: NewInvitation) {
  if (!INVITABLE_ROLES[inviter.role].includes(input.role)) {
    throw new DomainError('invitations.errors.roleNotAllowed', { field: 'role', status: 422 });
  }
  // The picker offers current territories only; anything else (even for the admin, whose scope
  // is everything) would reach the organisation's foreign key as a 500.
  if (!(await findCurrentTerritory(db, input.territoryCode))) {
    throw new DomainError('validation.unknownTerritory', {
      field: 'territoryCode',
      status: 422,
    });
  }
  if (!(await inScope(db, inviter, input.territoryCode))) {
    throw new DomainError('invitations.errors.outOfScope', { field: 'territoryCode', status: 422 });
  }
  const token = newSecret('inv');
  const invitation = await db.transaction().execute(async (tx) => {
    // One address, one waiting invitation: a form sent twice (a refresh, a double click, two
    // tabs) would otherwise create two organisations, one of them never used.
    await sql`SELECT pg_advisory_xact_lock(hashtext(${`invitation:${input.email}`}))`.execute(tx);
    if (await repo.emailTaken(tx, input.email))
      throw new DomainError('invitations.errors.emailTaken', { field: 'email', status: 409 });
    const open = await invitations.findOpenInvitation(tx, input.email);
    if (open)
      throw new DomainError('invitations.errors.alreadyInvited', {
        field: 'email',
        status: 409,
        params: { expiresAt: open.expires_at },
      });
    const org = await repo.insertOrganisation(tx, {
      kind: input.role,
      partner_type: input.role === 'social_partner' ? input.partnerType : null,
      name: input.organisationName,
      territory_code: input.territoryCode,
    });
    return invitations.insertInvitation(tx, {
      organisation_id: org.id,
      email: input.email,
      token_hash: hashSecret(token),
      created_by: inviter.id,
      expires_at: new Date(Date.now() + INVITATION_DAYS * 86400_000),
    });
  });
  return { invitation, token };
}

export type InvitationState = 'open' | 'accepted' | 'expired' | 'revoked';

export function invitationState(inv: {
  accepted_at: Date | null;
  revoked_at: Date | null;
  expires_at: Date;
}): InvitationState {
  if (inv.accepted_at) return 'accepted';
  if (inv.revoked_at) return 'revoked';
  if (inv.expires_at.getTime() <= Date.now()) return 'expired';
  return 'open';
}

/** The invitation behind a link, whatever its state; undefined when no such link exists. */
export function findInvitationByToken(db: Db, token: string) {
  return invitations.findByTokenHash(db, hashSecret(token));
}

/** Accepting is single use even when two tabs submit at once: the row is locked first. */
export async function acceptInvitation(
  db: Db,
  token: string,
  input: { fullName: string; password: string; locale?: Language },
) {
  const passwordHash = await hashPassword(input.password);
  try {
    return await db.transaction().execute(async (tx) => {
      const inv = await invitations.lockByTokenHash(tx, hashSecret(token));
      if (!inv) throw new NotFoundError();
      const state = invitationState(inv);
      if (state !== 'open') throw new DomainError(`invitations.errors.${state}`, { status: 410 });
      if (await repo.emailTaken(tx, inv.email)) throw new EmailTakenError();
      const user = await repo.insertUser(tx, {
        organisation_id: inv.organisation_id,
        email: inv.email,
        full_name: input.fullName,
        password_hash: passwordHash,
        ...(input.locale ? { locale: input.locale } : {}),
      });
      await invitations.markAccepted(tx, inv.id, user.id);
      return user.id;
    });
  } catch (err) {
    if (isUniqueViolation(err, 'users_email_key')) throw new EmailTakenError();
    throw err;
  }
}

/** An invitation this user may see and still revoke: undefined when not visible. */
export async function findVisibleInvitation(db: Db, inviter: SessionUser, id: string) {
  const inv = await invitations.findVisible(db, inviter, id);
  return inv && { ...inv, state: invitationState(inv) };
}

export async function revokeInvitation(db: Db, inviter: SessionUser, id: string): Promise<void> {
  const inv = await invitations.findVisible(db, inviter, id);
  if (!inv) throw new NotFoundError();
  if (invitationState(inv) !== 'open') throw new DomainError('invitations.errors.notOpen');
  await invitations.markRevoked(db, id);
}

export async function listInvitations(db: Db, inviter: SessionUser, lang: string) {
  const rows = await invitations.listVisible(db, inviter);
  return rows.map(({ territoryName, territoryNames, ...r }) => ({
    ...r,
    territory: territoryName
      ? `${localName({ name: territoryName, names: territoryNames ?? {} }, lang)} (${r.territoryCode})`
      : r.territoryCode,
    state: invitationState(r),
  }));
}

/** Open invitations an organisation may have at once (a colleague's link is for one person). */
export const OPEN_COLLEAGUE_INVITATIONS = 20;

/**
 * A single-use link for a colleague to join the user's own organisation (any role: a union's
 * officials, a region's office, a firm's owner and its HR person). No new organisation, no
 * territory or role to choose: the colleague gets the organisation's. `once`: the form's key and
 * the server's key for links, so the same form sent twice shows the same link (inviteInto).
 */
export function inviteColleague(db: Db, user: SessionUser, email: string, once?: FormOnce) {
  return inviteInto(
    db,
    { by: user.id, organisationId: user.organisationId, email, ...once },
    'colleagues',
  );
}

/** A creation form's one-time key (http/form-key) and the key its link is derived with. */
export interface FormOnce {
  formKey?: string;
  linkKey: string;
}

/**
 * A single-use link into an existing organisation: a colleague's (inviteColleague), or one an
 * admin makes for an organisation whose people cannot (admin-organisations.routes.ts). `errors`
 * names the messages' namespace, worded for who is inviting.
 *
 * With a form key and a link key, the form sent again (a double click, whose first answer the
 * browser drops; a refresh) answers with the invitation the first one made and the same link:
 * the link's secret is derived from the invitation's id with the server's key, so it is shown
 * again without being kept. If that invitation no longer waits (revoked, expired, accepted), the
 * form is treated as new.
 */
export async function inviteInto(
  db: Db,
  input: { by: string; organisationId: string; email: string; formKey?: string; linkKey?: string },
  errors: 'colleagues' | 'adminOrganisations',
) {
  const { organisationId, email, linkKey } = input;
  const secretOf = (id: string) =>
    linkKey ? derivedSecret('inv', linkKey, `invitation-link:${id}`) : newSecret('inv');
  return db.transaction().execute(async (tx) => {
    // The organisation's row, locked: two invitations at once cannot both pass the cap.
    const org = await tx
      .selectFrom('organisations')
      .select('id')
      .where('id', '=', organisationId)
      .forUpdate()
      .executeTakeFirst();
    if (!org) throw new NotFoundError();
    let token = '';
    const create = async () => {
      // As createInvitation: one address, one waiting invitation, whoever sent it.
      await sql`SELECT pg_advisory_xact_lock(hashtext(${`invitation:${email}`}))`.execute(tx);
      const holder = await repo.organisationOfEmail(tx, email);
      // Someone already in this very organisation (or the inviter's own address) is listed there.
      if (holder)
        throw new DomainError(
          `${errors}.errors.${holder === organisationId ? 'alreadyMember' : 'emailTaken'}`,
          { field: 'email', status: 409 },
        );
      const open = await invitations.listOpenFor(tx, organisationId);
      if (open.some((i) => i.email === email))
        throw new DomainError(`${errors}.errors.alreadyInvited`, { field: 'email', status: 409 });
      const elsewhere = await invitations.findOpenInvitation(tx, email);
      if (elsewhere)
        throw new DomainError(`${errors}.errors.invitedElsewhere`, {
          field: 'email',
          status: 409,
          params: { expiresAt: elsewhere.expires_at },
        });
      if (open.length >= OPEN_COLLEAGUE_INVITATIONS)
        throw new DomainError(`${errors}.errors.tooMany`, { status: 422 });
      const id = crypto.randomUUID();
      token = secretOf(id);
      await invitations.insertInvitation(tx, {
        id,
        organisation_id: organisationId,
        email,
        token_hash: hashSecret(token),
        created_by: input.by,
        expires_at: new Date(Date.now() + INVITATION_DAYS * 86400_000),
      });
      return id;
    };
    const formKey = linkKey ? input.formKey : undefined;
    let id = await createOnce(tx, input.by, formKey, create);
    let invitation = await invitations.findRowInOrganisation(tx, organisationId, id);
    if (!token && (!invitation || invitationState(invitation) !== 'open')) {
      await forgetForms(tx, id);
      id = await createOnce(tx, input.by, formKey, create);
      invitation = await invitations.findRowInOrganisation(tx, organisationId, id);
    }
    if (!invitation) throw new NotFoundError();
    if (!token) {
      token = secretOf(id);
      // Made with another key (SESSION_SECRET changed since): the link cannot be shown again.
      if (hashSecret(token) !== invitation.token_hash)
        throw new DomainError(`${errors}.errors.alreadyInvited`, { field: 'email', status: 409 });
    }
    return { invitation, token };
  });
}

/** Revokes an open invitation into an organisation (the user's own, or one an admin looks after). */
export async function revokeInvitationInto(db: Db, organisationId: string, id: string) {
  const inv = await invitations.findInOrganisation(db, organisationId, id);
  if (!inv) throw new NotFoundError();
  if (invitationState(inv) !== 'open') throw new DomainError('invitations.errors.notOpen');
  await invitations.markRevoked(db, id);
}
