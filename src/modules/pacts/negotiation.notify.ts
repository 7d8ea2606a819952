import type { Executor, Tx } from '../../db';
import type { SessionUser } from '../../http/types';
import { notify } from '../notifications/notify';

export type NegotiationNotificationKind =
  'pact_comment' | 'amendment_proposed' | 'amendment_decided' | 'pact_signed';

/** The promoter and every invited (not removed) signatory: the parties of the negotiation. */
export async function partiesOf(db: Executor, pactId: string): Promise<string[]> {
  const pact = await db
    .selectFrom('pacts')
    .select('promoter_org_id')
    .where('id', '=', pactId)
    .executeTakeFirstOrThrow();
  const sigs = await db
    .selectFrom('pact_signatories')
    .select('organisation_id')
    .where('pact_id', '=', pactId)
    .where('removed_at', 'is', null)
    .execute();
  return [pact.promoter_org_id, ...sigs.map((s) => s.organisation_id)];
}

/** Tells organisations of a negotiation event; the actor is never told of its own act. */
export async function notifyNegotiation(
  tx: Tx,
  n: {
    pact: { id: string; title: string };
    kind: NegotiationNotificationKind;
    organisationIds: string[];
    actor: SessionUser;
    link: string;
    params?: Record<string, string | number>;
  },
): Promise<void> {
  const organisationIds = [...new Set(n.organisationIds)];
  if (organisationIds.length === 0) return;
  await notify(tx, {
    organisationIds,
    kind: n.kind,
    params: { pact: n.pact.title, actor: n.actor.fullName, ...n.params },
    link: n.link,
    exceptUserId: n.actor.id,
  });
}
