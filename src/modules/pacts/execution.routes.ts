import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppServices } from '../../app';
import { allow } from '../../http/authorize';
import { flash } from '../../http/flash';
import { FORM_KEY, formKeyFor, postedFormKey } from '../../http/form-key';
import {
  fieldErrors,
  parseForm,
  safeParseQuery,
  uuidParam,
  type FieldErrors,
} from '../../http/validate';
import { renderConfirm } from '../../http/confirm';
import { DomainError } from '../../lib/domain-error';
import { getManagedCall } from '../funding/calls.service';
import { euros } from '../funding/money';
import { XLSX_TYPE } from '../needs/needs.xlsx';
import { ESF_COLUMNS, columnTitle, esfCsv, esfLines, esfXlsx } from './execution.esf';
import { OutcomeRejectedError } from './execution.rules';
import { esfQuery, outcomeFormSchema, outcomeFromForm } from './execution.schemas';
import { closePact, esfIndicators, executionView, reportOutcome } from './execution.service';
import { reportForm } from './execution.view';

/** A refused report: the action whose form failed, its errors by field and what was typed. */
export interface FailedReport {
  status: number;
  actionId: string;
  errors: FieldErrors;
  values: Record<string, unknown>;
}

const editQuery = z.object({ action: z.uuid(), period: z.string().regex(/^20\d{2}-Q[1-4]$/) });

/** The execution of a pact (reports per action and quarter, closing) and the ESF+ export. */
export function executionRoutes({ db }: AppServices): Router {
  const router = Router();

  const render = async (req: Request, res: Response, failed?: FailedReport) => {
    const view = await executionView(db, req.user!, uuidParam(req));
    const lang = res.locals.lang as string;
    const edit = safeParseQuery(editQuery, req.query);
    const summary: FieldErrors = {};
    const actions = view.actions.map((a) => {
      const form = reportForm(a, view.currentQuarter, lang, req.t, {
        failed: failed?.actionId === a.action.id ? failed : undefined,
        edit: edit.success && edit.data.action === a.action.id ? edit.data.period : undefined,
      });
      Object.assign(summary, form.summary);
      return {
        ...a,
        form,
        funded: a.action.approved_cents !== 0,
        approved: euros(a.action.approved_cents),
        cofinancing: euros(a.action.cofinancing_cents),
        spent: euros(a.delivered.spentCents),
        cofinanced: euros(a.delivered.cofinancedCents),
        quarters: a.quarters.map((q) => ({
          ...q,
          spent: euros(q.spent_cents),
          cofinanced: euros(q.cofinanced_cents),
        })),
      };
    });
    // A form-wide refusal (the pact closed meanwhile), or a form naming no action of this pact.
    if (failed?.errors._form) summary._form = failed.errors._form;
    else if (failed && !view.actions.some((a) => a.action.id === failed.actionId))
      summary._form = req.t('execution.errors.unknownAction');
    res.status(failed?.status ?? 200).render('pacts/execution', {
      title: req.t('execution.title', { pact: view.pact.title }),
      pact: view.pact,
      tab: 'execution',
      view,
      actions,
      summary,
    });
  };

  router.get('/pacts/:id/execution', allow('pact:read'), (req, res) => render(req, res));

  router.post('/pacts/:id/execution', allow('pact:report'), async (req, res) => {
    const id = uuidParam(req);
    const form = parseForm(outcomeFormSchema, req);
    const actionId = String((req.body as { actionId?: unknown })?.actionId ?? '');
    if (!form.ok) return render(req, res, { status: 422, actionId, ...form });
    try {
      const done = await reportOutcome(db, req.user!, id, outcomeFromForm(form.data));
      flash(req, done.replaced ? 'execution.flash.replaced' : 'execution.flash.reported', {
        period: done.period,
      });
      res.redirect(`/pacts/${id}/execution`);
    } catch (err) {
      if (!(err instanceof DomainError) || err.status === 404 || err.status === 403) throw err;
      const issues =
        err instanceof OutcomeRejectedError
          ? err.issues
          : [{ field: '_form', key: err.messageKey, params: err.options.params ?? {} }];
      const errors: FieldErrors = {};
      for (const i of issues) errors[i.field] ??= req.t(i.key, i.params);
      return render(req, res, {
        status: err.status,
        actionId,
        errors,
        values: req.body as Record<string, unknown>,
      });
    }
  });

  // Closing makes the figures final: the page's button leads here, to say so first.
  router.get('/pacts/:id/close', allow('pact:report'), async (req, res) => {
    const view = await executionView(db, req.user!, uuidParam(req));
    const back = `/pacts/${view.pact.id}/execution`;
    if (!view.canClose) return res.redirect(back);
    const funded = view.actions.filter((a) => a.action.approved_cents !== 0);
    const unreported = funded.filter((a) => a.quarters.length === 0).length;
    const unspent = view.actions.reduce(
      (sum, a) => sum + Math.max(0, (a.action.approved_cents ?? 0) - a.delivered.spentCents),
      0,
    );
    renderConfirm(req, res, {
      title: req.t('execution.close.confirmTitle', { title: view.pact.title }),
      paragraphs: [
        req.t('execution.close.confirm'),
        ...(unreported
          ? [req.t('execution.close.unreported', { count: unreported, total: funded.length })]
          : []),
        ...(unspent > 0 ? [req.t('execution.close.unspent', { amount: euros(unspent) })] : []),
      ],
      action: `/pacts/${view.pact.id}/close`,
      button: req.t('execution.close.button'),
      hidden: { [FORM_KEY]: formKeyFor(undefined) },
      back,
      backLabel: req.t('execution.close.back'),
    });
  });

  router.post('/pacts/:id/close', allow('pact:report'), async (req, res) => {
    const id = uuidParam(req);
    try {
      const { releasedCents } = await closePact(db, req.user!, id, postedFormKey(req.body));
      if (releasedCents > 0)
        flash(req, 'execution.flash.closedReleased', { amount: euros(releasedCents) });
      else flash(req, 'execution.flash.closed');
    } catch (err) {
      // A second click, or a pact closed meanwhile: said on the execution page, not an error page.
      if (!(err instanceof DomainError) || err.status === 403 || err.status === 404) throw err;
      flash(req, err.messageKey, err.options.params, 'warning');
    }
    res.redirect(`/pacts/${id}/execution`);
  });

  router.get('/calls/:id/esf-indicators', allow('pact:review'), async (req, res) => {
    const id = uuidParam(req);
    const lang = res.locals.lang as string;
    const q = safeParseQuery(esfQuery, req.query);
    if (!q.success) {
      const errors = Object.fromEntries(
        Object.entries(fieldErrors(q.error, req.t)).map(([k, v]) => [
          k === 'period' ? k : '_form',
          v,
        ]),
      );
      return res.status(422).render('pacts/esf-indicators', {
        title: req.t('execution.esf.title'),
        call: await getManagedCall(db, req.user!, id),
        errors,
        fieldLabels: { period: req.t('execution.esf.period') },
        values: req.query,
      });
    }
    const v = await esfIndicators(db, req.user!, id, q.data.period);
    const file = `esf-${v.call.id.slice(0, 8)}-${v.period ?? 'all'}`;
    if (q.data.format === 'csv')
      return res
        .type('text/csv; charset=utf-8')
        .attachment(`${file}.csv`)
        .send(`\uFEFF${esfCsv(v, lang, req.t)}`);
    if (q.data.format === 'xlsx')
      return res
        .type(XLSX_TYPE)
        .attachment(`${file}.xlsx`)
        .send(await esfXlsx(v, lang, req.t));
    const { rows, total } = esfLines(v, lang, req.t);
    const cells = (values: Record<string, number>) =>
      ESF_COLUMNS.map((c) => ({
        value: c.money ? euros(values[c.column]) : values[c.column],
        money: c.money,
      }));
    res.render('pacts/esf-indicators', {
      title: req.t('execution.esf.title'),
      call: v.call,
      values: { period: v.period ?? '' },
      columns: ESF_COLUMNS.map((c) => ({ code: c.code, title: columnTitle(c, req.t) })),
      rows: rows.map((r) => ({ ...r, cells: cells(r.values) })),
      total: { ...total, cells: cells(total.values) },
    });
  });

  return router;
}
