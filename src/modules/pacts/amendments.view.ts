import type { Request } from 'express';
import type { Db } from '../../db';
import type { SessionUser } from '../../http/types';
import { loadPactFor } from './access';
import { amendmentDiff, applicability, fieldsOf } from './amendments.fields';
import { currentFields, findAmendment } from './amendments.service';
import { isEditable } from './pact-workflow';

/** A stored value as a reader sees it: labels for codes, nothing for an empty provider. */
export function displayValue(req: Request) {
  return (field: string, v: unknown): string => {
    if (v === null || v === undefined) return '';
    if (field === 'modality') return req.t(`pacts.modality.${String(v)}`);
    if (Array.isArray(v)) return [...v].map(String).sort().join(', ');
    return String(v);
  };
}

/** The amendment page: who proposed what, its diff against the current text, whether it applies. */
export async function amendmentView(
  db: Db,
  req: Request,
  user: SessionUser,
  pactId: string,
  amId: string,
) {
  const { pact, party } = await loadPactFor(db, pactId, user);
  const am = await findAmendment(db, pactId, amId);
  const current = await currentFields(db, pact, am);
  const app = applicability(am.kind, am.base, am.proposal, current);
  // A decided amendment is shown against the text it was proposed on, not today's.
  const against = am.status === 'open' ? current : am.base;
  const diff = amendmentDiff(am.kind, am.base, am.proposal, against, displayValue(req)).map(
    (d) => ({ ...d, label: req.t(`pacts.fields.${d.field}`) }),
  );
  const target =
    am.kind === 'change_pact' || am.kind === 'add_action'
      ? null
      : String((current ?? am.base).title ?? '');
  return {
    pact,
    party,
    am,
    diff,
    target,
    fieldsCount: fieldsOf(am.kind).length,
    isOpen: am.status === 'open',
    outdated: am.status === 'open' && !app.ok ? outdatedMessage(req, app) : null,
    canDecide: am.status === 'open' && party === 'promoter' && isEditable(pact.status),
    canWithdraw: am.status === 'open' && am.organisation_id === user.organisationId,
  };
}

export function outdatedMessage(
  req: Request,
  app: { ok: false; reason: 'targetGone' | 'fieldsChanged'; fields: string[] },
) {
  return app.reason === 'targetGone'
    ? req.t('negotiation.amendments.outdatedGone')
    : req.t('negotiation.amendments.outdatedFields', {
        fields: app.fields.map((f) => req.t(`pacts.fields.${f}`)).join(', '),
      });
}
