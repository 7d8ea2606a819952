import type { Db, Executor } from '../../db';
import type { SessionUser } from '../../http/types';
import { DomainError, NotFoundError } from '../../lib/domain-error';
import { isUniqueViolation } from '../accounts/accounts.service';
import { findFirm } from '../firms/firms.repository';
import { ensureFirmRow, getMyFirm, toFirmProfile, type FirmProfile } from '../firms/firms.service';
import { territoryPath } from '../reference/territories.repository';
import type { DelegationEventKind } from '../survey/survey.tables';
import * as repo from './delegations.repository';
import { notifyDelegationChange, notifyFirmOfAct } from './delegations.notify';

export type Delegation = repo.DelegationRow;

/** Who a survey page or operation acts for: the firm, and the delegation when not the firm itself. */
export interface Acting {
  firm: FirmProfile;
  delegation: Delegation | null;
}

/** Only an employer association's users act for firms (as a training fund's company delegate). */
function mayAct(user: SessionUser): boolean {
  return user.role === 'social_partner' && user.partnerType === 'employer_association';
}

/**
 * No active delegation: not found. An association the firm delegated and then revoked learns
 * why (it was told of the revocation anyway); anyone else learns nothing.
 */
async function noDelegation(db: Executor, firmId: string, user: SessionUser): Promise<Error> {
  const firm = await repo.revokedBy(db, firmId, user.organisationId);
  return firm
    ? new NotFoundError('delegations.errors.revokedForYou', { firm })
    : new NotFoundError();
}

/**
 * The firm a request acts for. A firm user acts for itself (naming another firm is not found); an
 * association user for a firm that delegated its association, named by `firmId`. Anything
 * else — no delegation, a revoked one, another association's — is not found: ids leak nothing.
 */
export async function actingFirm(
  db: Executor,
  user: SessionUser,
  firmId?: string,
): Promise<Acting> {
  if (user.role === 'firm') {
    if (firmId && firmId !== user.organisationId) throw new NotFoundError();
    return { firm: await getMyFirm(db, user), delegation: null };
  }
  if (!firmId || !mayAct(user)) throw new NotFoundError();
  const delegation = await repo.findActive(db, firmId, user.organisationId);
  if (!delegation) throw await noDelegation(db, firmId, user);
  const row = await findFirm(db, firmId);
  if (!row) throw new NotFoundError();
  return { firm: toFirmProfile(row), delegation };
}

/**
 * Inside a writing transaction: holds the delegation (FOR SHARE) until commit, so a revocation
 * either waits for this act or this act finds the delegation revoked and writes nothing.
 */
export async function holdDelegation(
  tx: Executor,
  acting: Acting,
  user: SessionUser,
): Promise<Delegation | null> {
  if (!acting.delegation) return null;
  const held = await repo.lockActiveShared(tx, acting.firm.organisationId, user.organisationId);
  if (!held) throw await noDelegation(tx, acting.firm.organisationId, user);
  return held;
}

/**
 * The firm id a write acts for, without reading anything (the submit path is hot): the user's own
 * firm, or the firm named for an association user, whose delegation `holdDelegationOf` then checks.
 */
export function actingFirmId(user: SessionUser, firmId?: string): string {
  if (user.role === 'firm') {
    if (firmId && firmId !== user.organisationId) throw new NotFoundError();
    return user.organisationId;
  }
  if (!firmId || !mayAct(user)) throw new NotFoundError();
  return firmId;
}

/** `holdDelegation` by firm id: null for the firm itself, 404 without an active delegation. */
export async function holdDelegationOf(
  tx: Executor,
  user: SessionUser,
  firmId: string,
): Promise<Delegation | null> {
  if (user.role === 'firm') return null;
  const held = await repo.lockActiveShared(tx, firmId, user.organisationId);
  if (!held) throw await noDelegation(tx, firmId, user);
  return held;
}

/**
 * One line of the audit trail for an act done under a delegation (nothing for the firm's own);
 * an answer sent or withdrawn for the firm is also told to the firm.
 */
export async function recordAct(
  tx: Executor,
  delegation: Delegation | null,
  kind: DelegationEventKind,
  user: SessionUser,
  refs: { campaignId?: string; responseId?: string } = {},
): Promise<void> {
  if (!delegation) return;
  await repo.insertEvent(tx, {
    delegation_id: delegation.id,
    kind,
    actor_id: user.id,
    campaign_id: refs.campaignId ?? null,
    response_id: refs.responseId ?? null,
  });
  await notifyFirmOfAct(tx, delegation, kind, refs.campaignId);
}

function firmOnly(user: SessionUser): string {
  if (user.role !== 'firm') throw new NotFoundError();
  return user.organisationId;
}

/** The firm delegates an employer association; granting twice is refused, not doubled. */
export async function grantDelegation(
  db: Db,
  user: SessionUser,
  associationId: string,
): Promise<Delegation> {
  firmOnly(user);
  const firm = await getMyFirm(db, user);
  const association = await repo.findAssociation(db, associationId);
  if (!association)
    throw new DomainError('delegations.errors.notAssociation', {
      field: 'associationId',
      status: 422,
    });
  try {
    const granted = await db.transaction().execute(async (tx) => {
      // A delegation points at the firm's profile row, which a new firm may not have yet.
      await ensureFirmRow(tx, firm);
      const d = await repo.insertDelegation(tx, {
        firm_id: firm.organisationId,
        association_id: association.id,
        granted_by: user.id,
      });
      await recordAct(tx, d, 'granted', user);
      await notifyDelegationChange(tx, 'delegation_granted', d, firm.legalName);
      return d;
    });
    return granted;
  } catch (err) {
    if (isUniqueViolation(err, 'delegations_active_key'))
      throw new DomainError('delegations.errors.alreadyGranted', {
        field: 'associationId',
        status: 409,
      });
    throw err;
  }
}

/** Revokes at once (waiting for an act in progress); the row and its history are kept. */
export async function revokeDelegation(db: Db, user: SessionUser, id: string): Promise<Delegation> {
  const firmId = firmOnly(user);
  const firm = await getMyFirm(db, user);
  const revoked = await db.transaction().execute(async (tx) => {
    const d = await repo.lockDelegation(tx, id);
    // Another firm's delegation is simply not found.
    if (!d || d.firm_id !== firmId) throw new NotFoundError();
    if (d.revoked_at) throw new DomainError('delegations.errors.alreadyRevoked', { status: 409 });
    const row = await repo.markRevoked(tx, id, user.id);
    await recordAct(tx, row, 'revoked', user);
    await notifyDelegationChange(tx, 'delegation_revoked', row, firm.legalName);
    return row;
  });
  return revoked;
}

/** The grant page: the firm's delegations, the associations it may pick, the audit trail. */
export async function firmDelegations(db: Executor, user: SessionUser, search?: string) {
  const firm = await getMyFirm(db, user);
  const codes = (await territoryPath(db, firm.territoryCode ?? user.territoryCode)).map(
    (t) => t.code,
  );
  const [delegations, associations, events] = await Promise.all([
    repo.listForFirm(db, firm.organisationId),
    search ? repo.listAssociations(db, { name: search }) : repo.listAssociations(db, { codes }),
    repo.listEvents(db, { firmId: firm.organisationId }),
  ]);
  return { firm, delegations, associations, events };
}

/** "Firms that delegated us", for an association user; nothing for any other social partner. */
export async function delegatingFirms(db: Executor, user: SessionUser) {
  if (!mayAct(user)) return { firms: [], events: [], mayAct: false };
  const [firms, events] = await Promise.all([
    repo.listFirmsOf(db, user.organisationId),
    repo.listEvents(db, { associationId: user.organisationId }),
  ]);
  return { firms, events, mayAct: true };
}
