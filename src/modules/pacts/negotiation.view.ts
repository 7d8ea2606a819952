import type { Request } from 'express';
import type { Db } from '../../db';
import type { SessionUser } from '../../http/types';
import { loadPactFor } from './access';
import { actionFields, applicability, pactFields } from './amendments.fields';
import { listAmendments } from './amendments.service';
import { listComments } from './comments.service';
import { isEditable } from './pact-workflow';
import * as repo from './pacts.repository';
import { listPositions } from './positions.service';
import { agreementOf } from './signatures.service';
import { blocking } from './signatures.rules';

/**
 * Everything the negotiation board shows: per action each signatory's position and the open
 * amendments, the signatures on the current revision, what blocks agreement, the threads.
 */
export async function boardView(db: Db, req: Request, user: SessionUser, pactId: string) {
  const { pact, party } = await loadPactFor(db, pactId, user);
  const [actions, { states, agreement }, positions, amendments, comments] = await Promise.all([
    repo.listActions(db, pactId),
    agreementOf(db, pactId, pact.revision),
    listPositions(db, pactId),
    listAmendments(db, pactId),
    listComments(db, pactId),
  ]);
  const open = amendments.filter((a) => a.status === 'open');
  const mine = party === 'signatory' ? user.organisationId : null;
  const editable = isEditable(pact.status);
  const signedCurrent = !!states.find((s) => s.id === mine)?.signedCurrent;
  const rows = actions.map((a) => {
    const cells = states.map((s) => {
      const p = positions.find((x) => x.action_id === a.id && x.organisation_id === s.id);
      return p
        ? {
            ...p,
            label: req.t(`negotiation.position.${p.position}`),
            older: p.revision !== pact.revision,
          }
        : null;
    });
    const own = mine
      ? positions.find((x) => x.action_id === a.id && x.organisation_id === mine)
      : undefined;
    return {
      ...a,
      cells,
      open: open.filter((m) => m.action_id === a.id),
      own: own ? { position: own.position, note: own.note } : { position: '', note: '' },
    };
  });
  // No action: nothing can be signed yet (signPact refuses it), whatever the signatures say.
  const noActions = actions.length === 0;
  const rules = blocking(agreement, positions, open.length);
  const block = { ...rules, noActions, none: rules.none && !noActions };
  const parts = [
    noActions && req.t('negotiation.blocking.noActions'),
    block.objections && req.t('negotiation.blocking.objections', { count: block.objections }),
    block.openAmendments &&
      req.t('negotiation.blocking.amendments', { count: block.openAmendments }),
    block.missingSignatures &&
      req.t('negotiation.blocking.signatures', { count: block.missingSignatures }),
    (block.noEmployer || block.noUnion) &&
      req.t(
        block.noEmployer && block.noUnion
          ? 'negotiation.blocking.parityBoth'
          : block.noUnion
            ? 'negotiation.blocking.parityUnion'
            : 'negotiation.blocking.parityEmployer',
      ),
  ].filter(Boolean);
  const byAction = new Map<string, typeof comments>();
  for (const c of comments) {
    const k = c.action_id ?? (c.action_title ? `removed:${c.action_title}` : '');
    byAction.set(k, [...(byAction.get(k) ?? []), c]);
  }
  const threads = [
    { id: 'pact', title: req.t('negotiation.comments.onPact'), comments: byAction.get('') ?? [] },
    ...actions.map((a) => ({
      id: a.id,
      title: req.t('negotiation.comments.onAction', { title: a.title }),
      comments: byAction.get(a.id) ?? [],
    })),
    ...[...byAction.entries()]
      .filter(([k]) => k.startsWith('removed:'))
      .map(([k, cs]) => ({
        id: k,
        title: req.t('negotiation.comments.onRemoved', { title: k.slice(8) }),
        comments: cs,
      })),
  ].map((t) => ({
    ...t,
    comments: t.comments.map((c) => ({ ...c, older: c.revision !== pact.revision })),
  }));
  return {
    pact,
    party,
    signatories: states,
    rows,
    agreement,
    block,
    // Once submitted nothing is "blocking agreement" any more: the board says the round is over.
    negotiationClosed: !editable,
    blockingLine: !editable
      ? req.t('negotiation.errors.closed', { status: pact.status })
      : parts.length
        ? req.t('negotiation.blocking.line', { items: parts.join('; ') })
        : req.t('negotiation.blocking.none'),
    amendments: amendments.map((a) => {
      // An open proposal the text has since overtaken is flagged, so nobody argues over it.
      const target = a.action_id ? actions.find((x) => x.id === a.action_id) : undefined;
      const current =
        a.kind === 'change_pact' ? pactFields(pact) : target ? actionFields(target) : null;
      const stale = a.status === 'open' && !applicability(a.kind, a.base, a.proposal, current).ok;
      return { ...a, isOpen: a.status === 'open', stale };
    }),
    openCount: open.length,
    threads,
    canTalk: editable && (party === 'promoter' || party === 'signatory'),
    canPosition: editable && party === 'signatory',
    canPropose: editable && party === 'signatory',
    canSign:
      pact.status === 'negotiation' &&
      party === 'signatory' &&
      !signedCurrent &&
      actions.length > 0,
    signedCurrent,
    commentTargets: [
      { value: '', label: req.t('negotiation.comments.onPact') },
      ...actions.map((a) => ({ value: a.id, label: `${a.position}. ${a.title}` })),
    ],
  };
}
