import type { Executor } from '../../db';
import { notify } from '../notifications/notify';
import { actNames, type DelegationRow } from './delegations.repository';

export type DelegationNotice = 'delegation_granted' | 'delegation_revoked';

/**
 * Tells every user of the association of a grant or revocation, inside the same transaction
 * (a rolled-back grant tells nobody); the link leads to their "firms that delegated us" page.
 */
export async function notifyDelegationChange(
  tx: Executor,
  kind: DelegationNotice,
  delegation: DelegationRow,
  firmName: string,
): Promise<void> {
  await notify(tx, {
    organisationIds: [delegation.association_id],
    kind,
    params: { organisation: firmName },
    link: '/delegated-firms',
  });
}

const FIRM_NOTICE = {
  submitted: 'delegated_answer_submitted',
  withdrawn: 'delegated_answer_withdrawn',
} as const;

/**
 * Tells the firm's users that its association sent or withdrew the firm's answer for it: the
 * answer is the firm's, and it should not learn of it only by opening its receipt. Saving a
 * draft or reopening an answer tells nobody (the sending that follows does).
 */
export async function notifyFirmOfAct(
  tx: Executor,
  delegation: DelegationRow,
  kind: string,
  campaignId: string | undefined,
): Promise<void> {
  if (!campaignId || !(kind in FIRM_NOTICE)) return;
  const names = await actNames(tx, delegation.association_id, campaignId);
  await notify(tx, {
    organisationIds: [delegation.firm_id],
    kind: FIRM_NOTICE[kind as keyof typeof FIRM_NOTICE],
    params: { organisation: names.association, survey: names.campaign },
    link: `/survey/${campaignId}/receipt`,
  });
}
