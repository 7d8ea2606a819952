import type { Tx } from '../../db';
import type { SessionUser } from '../../http/types';
import { notify } from '../notifications/notify';

export type PactNotificationKind =
  | 'pact_invited'
  | 'pact_signatory_removed'
  | 'pact_signatory_declined'
  | 'pact_revision'
  | 'pact_agreed'
  | 'pact_submitted'
  | 'pact_returned'
  | 'pact_approved'
  | 'pact_rejected'
  | 'pact_withdrawn';

/**
 * The one place the pact core tells people something, so the notifications module is wired in
 * one edit. Recipients are organisations (all their users); the actor is never told of its own act.
 */
export async function notifyPact(
  tx: Tx,
  n: {
    pact: { id: string; title: string };
    kind: PactNotificationKind;
    organisationIds: string[];
    actor: SessionUser | null;
    params?: Record<string, string | number>;
    /** Where the notification leads; the pact itself unless it is no longer theirs to open. */
    link?: string;
  },
): Promise<void> {
  const organisationIds = [...new Set(n.organisationIds)];
  if (organisationIds.length === 0) return;
  await notify(tx, {
    organisationIds,
    kind: n.kind,
    params: { pact: n.pact.title, actor: n.actor?.fullName ?? 'Patto', ...n.params },
    link: n.link ?? `/pacts/${n.pact.id}`,
    exceptUserId: n.actor?.id,
  });
}
