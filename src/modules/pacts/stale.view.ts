import type { Request, Response } from 'express';
import type { Db } from '../../db';
import { flash } from '../../http/flash';
import { FORM_KEY } from '../../http/form-key';
import { ACTION_FIELDS, PACT_FIELDS } from './amendments.fields';
import { displayValue, skillLabels } from './amendments.view';
import type { StaleRevisionError } from './stale';

type Values = Record<string, unknown>;

/** The form's field names of a stored action, to set the current version beside the user's. */
function actionValues(a: {
  title: string;
  description: string;
  skill_codes: string[];
  participants: number;
  hours: number;
  modality: string;
  eqf_level: number;
  period: string;
  provider: string | null;
}): Values {
  return {
    title: a.title,
    description: a.description,
    skills: a.skill_codes,
    participants: a.participants,
    hours: a.hours,
    modality: a.modality,
    eqfLevel: a.eqf_level,
    period: a.period,
    provider: a.provider ?? '',
  };
}

const FIELDS = { pact: [...PACT_FIELDS, 'callId'], action: ACTION_FIELDS };

const show = (v: unknown) =>
  Array.isArray(v) ? v.join(', ') : v === null || v === undefined ? '' : String(v);

/**
 * 409: someone saved the pact since this form was read. Shows the current version ("theirs")
 * beside what the user typed ("yours"), and offers to apply "yours" on top of the current
 * revision with one click (the hidden fields carry it), so nothing typed is lost.
 */
export async function renderStale(
  db: Db,
  req: Request,
  res: Response,
  err: StaleRevisionError,
  target: {
    kind: 'pact' | 'action' | 'newAction';
    pactId: string;
    actionId?: string;
    yours: Values;
    /** The new action form's one-time key: applying "yours" twice still adds one action. */
    formKey?: string;
  },
) {
  const pact = await db
    .selectFrom('pacts')
    .select(['id', 'title', 'summary', 'call_id', 'revision'])
    .where('id', '=', target.pactId)
    .executeTakeFirstOrThrow();
  let theirs: Values | null = null;
  if (target.kind === 'pact')
    theirs = { title: pact.title, summary: pact.summary, callId: pact.call_id ?? '' };
  if (target.kind === 'action' && target.actionId) {
    const a = await db
      .selectFrom('pact_actions')
      .selectAll()
      .where('id', '=', target.actionId)
      .where('pact_id', '=', target.pactId)
      .executeTakeFirst();
    theirs = a ? actionValues(a) : null;
  }
  const fields = FIELDS[target.kind === 'pact' ? 'pact' : 'action'];
  // As a reader sees them: skills and the call by name, the modality by its label, not codes.
  const label = displayValue(
    req,
    await skillLabels(db, res.locals.lang as string, [theirs, target.yours]),
  );
  const callIds = [theirs?.callId, target.yours.callId].filter((v): v is string => !!v);
  const calls = callIds.length
    ? await db
        .selectFrom('funding_calls')
        .select(['id', 'title'])
        .where('id', 'in', callIds)
        .execute()
    : [];
  const display = (f: string, v: unknown) =>
    f !== 'callId'
      ? label(f, v)
      : v
        ? (calls.find((c) => c.id === v)?.title ?? String(v))
        : req.t('pacts.show.noCall');
  const rows = fields.map((f) => ({
    field: f,
    label: req.t(`pacts.fields.${f}`),
    theirs: theirs ? display(f, theirs[f]) : null,
    yours: display(f, target.yours[f]),
    differs: theirs ? show(theirs[f]) !== show(target.yours[f]) : true,
  }));
  // A double click: this user's save a moment ago made the one revision since, and it holds
  // exactly what this post says. Done, as the first click said, not "changed meanwhile".
  if (theirs && rows.every((r) => !r.differs) && err.current === err.submitted + 1) {
    const last = await db
      .selectFrom('pact_revisions')
      .select('created_by')
      .where('pact_id', '=', pact.id)
      .where('number', '=', err.current)
      .executeTakeFirst();
    if (last?.created_by === req.user!.id) {
      flash(req, target.kind === 'pact' ? 'pacts.flash.updated' : 'pacts.flash.actionUpdated');
      return res.redirect(`/pacts/${pact.id}`);
    }
  }
  const hidden = fields.flatMap((f) => {
    const v = target.yours[f];
    return (Array.isArray(v) ? v : [v]).map((x) => ({ name: f, value: show(x) }));
  });
  if (target.formKey) hidden.push({ name: FORM_KEY, value: target.formKey });
  const gone = target.kind === 'action' && !theirs;
  const action =
    target.kind === 'pact'
      ? `/pacts/${pact.id}/edit`
      : target.kind === 'newAction' || gone
        ? `/pacts/${pact.id}/actions`
        : `/pacts/${pact.id}/actions/${target.actionId}/edit`;
  res.status(409).render('pacts/stale', {
    title: req.t('pacts.stale.title'),
    pact,
    rows,
    hidden,
    action,
    // The action the user was editing was removed meanwhile: re-applying would recreate it.
    gone,
    isNew: target.kind === 'newAction',
    submitted: err.submitted,
    current: err.current,
  });
}
