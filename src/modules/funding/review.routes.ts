import { Router, type Request, type Response } from 'express';
import type { AppServices } from '../../app';
import { allow } from '../../http/authorize';
import { flash } from '../../http/flash';
import { formErrors, parseForm, uuidParam } from '../../http/validate';
import { DomainError } from '../../lib/domain-error';
import { localName } from '../reference/territories.repository';
import { rejectSchema, returnSchema } from './funding.schemas';
import { centsToInput, euros } from './money';
import { parseAmountsForm } from './review.form';
import { ruleTexts } from './rules.view';
import { decideOnce, reviewView, type DecisionInput } from './review.service';

type FormName = 'approve' | 'return' | 'reject' | 'reduce';
const DONE = { approve: 'approved', return: 'returned', reject: 'rejected', reduce: 'reduced' };
interface Failed {
  form: FormName;
  status: number;
  errors: Record<string, string>;
  values: Record<string, unknown>;
}

export function reviewRoutes({ db }: AppServices): Router {
  const router = Router();

  const render = async (req: Request, res: Response, failed?: Failed) => {
    const view = await reviewView(db, req.user!, uuidParam(req));
    const lang = res.locals.lang as string;
    const territory = await db
      .selectFrom('territories')
      .select(['name', 'names'])
      .where('code', '=', view.pact.territory_code)
      .executeTakeFirst();
    const texts = await ruleTexts(db, view.report.lines, req.t, lang);
    const status = view.pact.status;
    const reducible = status === 'approved' || status === 'in_progress';
    // Amount fields show what the user typed after a refusal, else the full grant (approve) or
    // what is committed now (reduce).
    const typed =
      failed && (failed.form === 'approve' || failed.form === 'reduce') ? failed.values : {};
    const amountValues = Object.fromEntries(
      view.actions.map((a) => [
        `amount_${a.id}`,
        typed[`amount_${a.id}`] ?? centsToInput(reducible ? a.committed : a.maxGrant, lang),
      ]),
    );
    // Participants fields start empty (the pro-rata figure of whatever amount is approved) and
    // show what the user typed after a refusal.
    const participantsValues = Object.fromEntries(
      view.actions.map((a) => [`participants_${a.id}`, typed[`participants_${a.id}`] ?? '']),
    );
    const formState = (name: FormName) =>
      failed?.form === name
        ? { errors: failed.errors, values: failed.values }
        : { errors: {}, values: {} };
    res.status(failed?.status ?? 200).render('funding/review', {
      title: req.t('funding.review.title', { pact: view.pact.title }),
      pact: view.pact,
      party: 'region',
      tab: 'review',
      territoryName: territory ? localName(territory, lang) : view.pact.territory_code,
      call: view.call
        ? { ...view.call, available: euros(view.call.budget_cents - view.call.committed_cents) }
        : null,
      report: {
        ...view.report,
        cost: euros(view.report.costCents),
        cofinancing: euros(view.report.cofinancingCents),
        grant: euros(view.report.grantCents),
        // Once funded the report's grant is what is committed now, not what was asked.
        requested: euros(view.actions.reduce((sum, a) => sum + a.maxGrant, 0)),
        lines: view.report.lines.map((l, i) => ({ ...l, text: texts[i] })),
      },
      actions: view.actions.map((a) => ({
        ...a,
        cost: euros(a.cost_cents),
        cofinancingEuros: euros(a.cofinancing),
        maxGrantEuros: euros(a.maxGrant),
        approved: euros(a.approved_cents),
        committedEuros: euros(a.committed),
        spentEuros: euros(a.spent),
        field: `amount_${a.id}`,
        participantsField: `participants_${a.id}`,
        // What the amount funds now: all participants, or "N of M" when funded in part.
        fundedNow: a.funded_participants ?? a.participants,
        partlyFunded: a.funded_participants !== null && a.funded_participants < a.participants,
      })),
      amountValues,
      participantsValues,
      decisions: view.decisions.map((d) => ({ ...d, approved: euros(d.approved_cents) })),
      canDecide: status === 'submitted',
      reducible,
      funded: reducible || status === 'closed',
      failed: failed?.form,
      // The summary names each field as its label does: an amount by its action, a remarks box
      // by its form's label.
      fieldLabels: {
        ...Object.fromEntries(
          view.actions.map((a) => [
            `amount_${a.id}`,
            req.t('funding.review.amountFor', {
              action: a.title,
              interpolation: { escapeValue: false },
            }),
          ]),
        ),
        ...Object.fromEntries(
          view.actions.map((a) => [
            `participants_${a.id}`,
            req.t('funding.review.participantsFor', {
              action: a.title,
              interpolation: { escapeValue: false },
            }),
          ]),
        ),
        'approve-remarks': req.t('funding.review.remarksOptional'),
        'return-remarks': req.t('funding.review.remarks'),
        'reject-remarks': req.t('funding.review.reasons'),
        'reduce-remarks': req.t('funding.review.reasons'),
      },
      // Four forms share the page: a form's remarks error is keyed `<form>-remarks` (its own id).
      errors: Object.fromEntries(
        Object.entries(failed?.errors ?? {}).map(([k, v]) => [
          k === 'remarks' ? `${failed!.form}-remarks` : k,
          v,
        ]),
      ),
      forms: {
        approve: formState('approve'),
        return: formState('return'),
        reject: formState('reject'),
        reduce: formState('reduce'),
      },
    });
  };

  router.get('/pacts/:id/review', allow('pact:review'), (req, res) => render(req, res));

  /**
   * Runs a decision; a domain refusal re-renders the page with the form's errors and values,
   * unless this user's previous click already made this very decision: then it lands as it did.
   */
  const decide = async (req: Request, res: Response, form: FormName, input: DecisionInput) => {
    try {
      await decideOnce(db, req.user!, uuidParam(req), form, input);
    } catch (err) {
      if (!(err instanceof DomainError) || err.status === 404) throw err;
      return render(req, res, {
        form,
        status: err.status,
        errors: formErrors(req, err),
        values: req.body as Record<string, unknown>,
      });
    }
    flash(req, `funding.flash.${DONE[form]}`);
    res.redirect(`/pacts/${uuidParam(req)}/review`);
  };

  for (const form of ['approve', 'reduce'] as const) {
    router.post(`/pacts/:id/${form}`, allow('pact:review'), async (req, res) => {
      const parsed = parseAmountsForm(req);
      if (!parsed.ok)
        return render(req, res, {
          form,
          status: 422,
          errors: parsed.errors,
          values: parsed.values,
        });
      return decide(req, res, form, parsed.data);
    });
  }

  for (const [form, schema] of [
    ['return', returnSchema],
    ['reject', rejectSchema],
  ] as const) {
    router.post(`/pacts/:id/${form}`, allow('pact:review'), async (req, res) => {
      const parsed = parseForm(schema, req);
      if (!parsed.ok)
        return render(req, res, {
          form,
          status: 422,
          errors: parsed.errors,
          values: parsed.values,
        });
      return decide(req, res, form, parsed.data);
    });
  }

  return router;
}
