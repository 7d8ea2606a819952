import type { Request, Response } from 'express';
import type { Executor } from '../../db';
import { flash } from '../../http/flash';
import type { SessionUser } from '../../http/types';
import { DomainError } from '../../lib/domain-error';
import { valueLabels } from '../needs/needs.repository';
import { needsAggregate } from '../needs/needs.service';
import { localName } from '../reference/territories.repository';
import { ACTION_FIELDS, PACT_FIELDS } from './amendments.fields';
import { remainingNeeds } from './needs-backing';
import { isEditable, type PactStatus } from './pact-workflow';

/** A domain error as the errors map of a form: next to its field, or at the top. */
/**
 * A form that changes the pact's content, opened when the pact can no longer change (a bookmark,
 * the back button after submitting): the pact's page says why, instead of a form that can only
 * be refused once filled in. True when it redirected.
 */
export function redirectIfClosed(
  req: Request,
  res: Response,
  pact: { id: string; status: PactStatus },
): boolean {
  if (isEditable(pact.status)) return false;
  flash(req, 'pacts.errors.closedForEdits', { status: pact.status }, 'warning');
  res.redirect(`/pacts/${pact.id}`);
  return true;
}

// The pact and action forms' fields (amendments name them alike), the call and the invitation.
const FORM_FIELDS = [
  ...PACT_FIELDS,
  'campaign',
  'campaignId',
  'callId',
  ...ACTION_FIELDS,
  'organisationId',
];
const NEGOTIATION_FIELDS = ['body', 'actionId', 'rationale', 'reason', 'kind'];

/** The pact forms' labels, by field: each line of the error summary names its field. */
export function pactFieldLabels(t: Request['t']): Record<string, string> {
  return Object.fromEntries([
    ...FORM_FIELDS.map((f) => [f, t(`pacts.fields.${f}`)]),
    ...NEGOTIATION_FIELDS.map((f) => [f, t(`negotiation.fields.${f}`)]),
    ['action', t('negotiation.amendments.whichAction')],
  ]);
}

export const euros = (cents: number | null | undefined) =>
  cents === null || cents === undefined ? null : cents / 100;

export interface SkillNeed {
  code: string;
  name: string;
  workers: number | null;
  firms: number | null;
  remaining: number | null;
  /** Hidden from this user: neither declared nor remaining is shown. */
  protected: boolean;
  /** No firm there declared a need for it (a chosen skill whose need was withdrawn). */
  none: boolean;
}

/**
 * The skill cells of one territory from the protected aggregate, as this user may see them:
 * workers, what the campaign's active pacts leave of them (`remaining`, without the claim of
 * `exceptAction`, the action being edited), or `protected: true` (never a suppressed number,
 * neither declared nor remaining). Skills already `chosen` on a form stay on it even when no
 * longer in the aggregate: as no need declared (an empty cell hides nothing), or as protected
 * when the territory is out of the user's sight. Otherwise empty when the campaign has no answers
 * there or is out of the user's sight.
 */
export async function skillNeeds(
  db: Executor,
  user: SessionUser,
  campaignId: string,
  territory: string,
  lang: string,
  opts: { exceptAction?: string; chosen?: Iterable<string> } = {},
): Promise<SkillNeed[]> {
  const chosen = [...(opts.chosen ?? [])];
  try {
    const agg = await needsAggregate(db, user, {
      campaignId,
      territory,
      by: 'skill',
      priority: '*',
      period: '*',
    });
    const labels = await valueLabels(db, 'skill');
    const nameOf = (code: string) => {
      const label = labels.get(code);
      return label ? localName(label, lang) : code;
    };
    const cells = agg.cells.filter((c) => c.territory === territory && c.value !== '*');
    const left = await remainingNeeds(db, user, {
      campaignId,
      territory,
      skills: cells.filter((c) => !c.suppressed).map((c) => c.value),
      exceptAction: opts.exceptAction,
    });
    const lines: SkillNeed[] = cells.map((c) => {
      const workers = c.suppressed ? null : (c.workers ?? 0);
      return {
        code: c.value,
        name: nameOf(c.value),
        workers,
        firms: c.suppressed ? null : (c.firms ?? 0),
        remaining: c.suppressed ? null : (left.get(c.value) ?? workers),
        protected: c.suppressed,
        none: false,
      };
    });
    for (const code of chosen)
      if (!lines.some((n) => n.code === code))
        lines.push({
          code,
          name: nameOf(code),
          workers: 0,
          firms: 0,
          remaining: 0,
          protected: false,
          none: true,
        });
    return lines.sort((a, b) => a.name.localeCompare(b.name));
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    return chosen.map((code) => ({
      code,
      name: code,
      workers: null,
      firms: null,
      remaining: null,
      protected: true,
      none: false,
    }));
  }
}
