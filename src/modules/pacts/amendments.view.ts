import type { Request } from 'express';
import type { Db } from '../../db';
import type { SessionUser } from '../../http/types';
import { loadPactFor } from './access';
import { localName } from '../reference/territories.repository';
import { amendmentDiff, applicability, fieldsOf } from './amendments.fields';
import { currentFields, findAmendment } from './amendments.service';
import { withdrawnOnDecline } from './amendments.withdraw';
import { isEditable } from './pact-workflow';
import * as repo from './pacts.repository';

/**
 * A stored value as a reader sees it: labels for codes, nothing for an empty provider; skills by
 * name with their code, as the pact document shows them, when `skillLabel` knows them.
 */
export function displayValue(req: Request, skillLabel: (code: string) => string = String) {
  return (field: string, v: unknown): string => {
    if (v === null || v === undefined) return '';
    if (field === 'modality') return req.t(`pacts.modality.${String(v)}`);
    if (field === 'skills' && Array.isArray(v))
      return [...v].map(String).sort().map(skillLabel).join(', ');
    if (Array.isArray(v)) return [...v].map(String).sort().join(', ');
    return String(v);
  };
}

/** "Big data e analisi dei dati (F40.a)" for the skills an amendment's texts name. */
export async function skillLabels(db: Db, lang: string, texts: (Record<string, unknown> | null)[]) {
  const codes = new Set<string>();
  for (const t of texts)
    if (Array.isArray(t?.skills)) for (const c of t.skills) codes.add(String(c));
  const skills = await repo.skillNames(db, [...codes]);
  return (code: string) => {
    const skill = skills.find((k) => k.code === code);
    return skill ? `${localName(skill, lang)} (${code})` : code;
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
  const label = await skillLabels(db, req.language, [am.base, am.proposal, against]);
  const diff = amendmentDiff(am.kind, am.base, am.proposal, against, displayValue(req, label)).map(
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
    // Once the pact is submitted the record is closed: no withdrawal either (the service refuses).
    canWithdraw:
      am.status === 'open' && am.organisation_id === user.organisationId && isEditable(pact.status),
    /**
     * Open, but nobody can act on it while the pact is out of negotiation: said, not left mute.
     * (Left open only by a pact that left negotiation before amendments lapsed on leaving it.)
     */
    closedNotice:
      am.status === 'open' && !isEditable(pact.status)
        ? req.t(
            pact.status === 'submitted'
              ? 'negotiation.amendments.closedOpen'
              : 'negotiation.amendments.closedForGood',
            { status: pact.status },
          )
        : am.status === 'lapsed'
          ? req.t('negotiation.amendments.lapsedNotice')
          : am.status === 'withdrawn' && (await withdrawnOnDecline(db, pactId, am.id))
            ? req.t('negotiation.amendments.withdrawnOnDecline', {
                organisation: am.organisation,
                interpolation: { escapeValue: false },
              })
            : null,
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
