import { Router, type Request, type Response } from 'express';
import type { AppServices } from '../../app';
import { allow } from '../../http/authorize';
import { flash, flashRefusal } from '../../http/flash';
import { formKeyFor, postedFormKey } from '../../http/form-key';
import { parseForm, uuidParam, withoutSecrets } from '../../http/validate';
import { DomainError } from '../../lib/domain-error';
import { localName } from '../reference/territories.repository';
import { reserveChoices } from './budget-raise.repository';
import {
  MAX_REASON,
  NEW_RESERVE_ROWS,
  allocationField,
  halfFilledRows,
  newReserveFields,
  raiseFormSchema,
  raiseFromForm,
  validRaiseFields,
} from './budget-raise.schemas';
import { raiseProblems } from './budget-raise.rules';
import type { CallProblem } from './calls.rules';
import { callMoney, raiseCallBudget } from './budget-raise.service';
import * as repo from './calls.repository';
import { getManagedCall, type CallRow } from './calls.service';
import { centsToInput, euros } from './money';

type Allocations = Awaited<ReturnType<typeof repo.callAllocations>>;

/** One message per field, the first rule broken there. */
function problemErrors(req: Request, problems: CallProblem[]): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const p of problems)
    errors[p.field] ??= req.t(p.key, { ...p.params, interpolation: { escapeValue: false } });
  return errors;
}

/**
 * Raising an open call's budget (a "rifinanziamento"): the new total, the reserves raised with
 * it if the call has any, new reserves for territories inside the call's, and why. Only more,
 * never less or the same.
 */
export function budgetRaiseRoutes({ db }: AppServices): Router {
  const router = Router();

  const render = async (
    req: Request,
    res: Response,
    status: number,
    call: CallRow,
    allocations: Allocations,
    extra: { values: Record<string, unknown>; errors?: Record<string, string> },
  ) => {
    const lang = res.locals.lang as string;
    const rows = allocations.map((a) => ({
      field: allocationField(a.territory_code),
      label: req.t('funding.raise.allocationLabel', {
        territory: `${localName(a, lang)}, ${a.territory_code}`,
      }),
      hint: req.t('funding.raise.allocationHint', {
        amount: euros(a.amount_cents),
        committed: euros(a.committed_cents),
      }),
    }));
    const newRows = Array.from({ length: NEW_RESERVE_ROWS }, (_, i) => ({
      ...newReserveFields(i),
      n: i + 1,
    }));
    const choices = (await reserveChoices(db, call.id, call.territory_code)).map((t) => ({
      value: t.code,
      label: `${localName(t, lang)} (${t.code}, ${t.level})`,
    }));
    // A code posted that is not offered (a stale page): shown chosen again, as it was sent.
    for (const r of newRows) {
      const posted = extra.values[r.territory];
      if (typeof posted === 'string' && posted.trim() && !choices.some((c) => c.value === posted))
        choices.push({ value: posted, label: posted });
    }
    const errors = extra.errors ?? {};
    const order = [
      '_form',
      'budget',
      ...rows.map((r) => r.field),
      ...newRows.flatMap((r) => [r.territory, r.amount]),
      'reason',
    ];
    res.status(status).render('funding/raise', {
      title: req.t('funding.raise.title'),
      call,
      lead: req.t('funding.raise.lead', {
        budget: euros(call.budget_cents),
        committed: euros(call.committed_cents),
      }),
      first: call.first_budget_cents ? euros(call.first_budget_cents) : null,
      budgetHint: req.t('funding.raise.budgetHint', { budget: euros(call.budget_cents) }),
      allocations: rows,
      // No territory left for one (every province reserved): no rows.
      newRows: choices.length ? newRows : [],
      choices,
      maxReason: MAX_REASON,
      formKey: formKeyFor(extra.values),
      values: extra.values,
      errors: Object.fromEntries(
        Object.entries(errors).sort(([a], [b]) => order.indexOf(a) - order.indexOf(b)),
      ),
      fieldLabels: {
        budget: req.t('funding.raise.budgetLabel'),
        reason: req.t('funding.raise.reasonLabel'),
        ...Object.fromEntries(rows.map((r) => [r.field, r.label])),
        ...Object.fromEntries(
          newRows.flatMap((r) => [
            [r.territory, req.t('funding.raise.newTerritoryLabel', { n: r.n })],
            [r.amount, req.t('funding.raise.newAmountLabel', { n: r.n })],
          ]),
        ),
      },
    });
  };

  router.get('/calls/:id/budget', allow('call:manage'), async (req, res) => {
    const call = await getManagedCall(db, req.user!, uuidParam(req));
    if (call.status !== 'open') return res.redirect(`/calls/${call.id}`);
    const allocations = await repo.callAllocations(db, call.id);
    const lang = res.locals.lang as string;
    await render(req, res, 200, call, allocations, {
      values: Object.fromEntries(
        allocations.map((a) => [
          allocationField(a.territory_code),
          centsToInput(a.amount_cents, lang),
        ]),
      ),
    });
  });

  router.post('/calls/:id/budget', allow('call:manage'), async (req, res) => {
    const call = await getManagedCall(db, req.user!, uuidParam(req));
    const back = `/calls/${call.id}`;
    const allocations = await repo.callAllocations(db, call.id);
    const territories = allocations.map((a) => a.territory_code);
    const form = parseForm(raiseFormSchema(territories), req);
    const half = halfFilledRows(req.body as Record<string, unknown>);
    if (!form.ok || half.length) {
      // The fields the form took are checked against the rules too: every error at once.
      const valid = validRaiseFields(req.body as Record<string, unknown>, territories);
      const problems = [
        ...half,
        ...raiseProblems(await callMoney(db, call, allocations, valid), valid),
      ];
      const errors = { ...problemErrors(req, problems), ...(form.ok ? {} : form.errors) };
      const { _csrf: _, ...posted } = req.body as Record<string, unknown>;
      return render(req, res, 422, call, allocations, { errors, values: withoutSecrets(posted) });
    }
    let raised: CallRow;
    try {
      const input = raiseFromForm(form.data, territories);
      raised = (await raiseCallBudget(db, req.user!, call.id, input, postedFormKey(req.body))).call;
    } catch (err) {
      if (err instanceof DomainError && err.status === 422) {
        const { _csrf: _, ...values } = req.body as Record<string, unknown>;
        return render(req, res, 422, call, allocations, {
          errors: problemErrors(req, err.options.details ?? []),
          values: withoutSecrets(values),
        });
      }
      // Closed meanwhile (another tab): the call's page says why nothing changed.
      flashRefusal(req, err);
      return res.redirect(back);
    }
    flash(req, 'funding.raise.done', { budget: euros(raised.budget_cents) });
    res.redirect(back);
  });

  return router;
}
