import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import { DomainError } from '../lib/domain-error';
import { allow, type Access } from './authorize';
import { flash, flashRefusal } from './flash';
import { formDay, formErrors, parseForm } from './validate';

/** The page that extends a survey's closing day or a call's deadline (views/extend.hbs). */
export interface ExtensionPage {
  title: string;
  /** What is extended: the survey's or the call's title. */
  context: string;
  /** The day as it stands. */
  lead: string;
  /** What the extension does. */
  points: string[];
  field: string;
  label: string;
  hint: string;
  action: string;
  button: string;
  back: string;
  backLabel: string;
}

export function renderExtension(
  res: Response,
  status: number,
  page: ExtensionPage,
  extra: { values?: Record<string, unknown>; errors?: Record<string, string> } = {},
): void {
  res.status(status).render('extend', {
    ...page,
    values: extra.values ?? {},
    errors: extra.errors ?? {},
    fieldLabels: { [page.field]: page.label },
  });
}

/**
 * Reads the posted day and extends with it. A day the form or the rule refuses shows the form
 * again with the reason and what was typed; an act no longer possible (closed meanwhile) goes
 * back with it said. True once extended (the caller says so and leads on).
 */
export async function postExtension(
  req: Request,
  res: Response,
  page: ExtensionPage,
  extend: (day: string) => Promise<unknown>,
): Promise<boolean> {
  const form = parseForm(z.strictObject({ [page.field]: formDay }), req);
  if (!form.ok) {
    renderExtension(res, 422, page, form);
    return false;
  }
  try {
    await extend(form.data[page.field] as string);
    return true;
  } catch (err) {
    if (err instanceof DomainError && err.options.field) {
      renderExtension(res, err.status, page, {
        errors: formErrors(req, err),
        values: form.data,
      });
      return false;
    }
    flashRefusal(req, err);
    res.redirect(page.back);
    return false;
  }
}

/**
 * GET and POST `<base>/:id/extend` for what `load` finds (a survey, a call): the form while it is
 * open, its page otherwise; posted, `extend` moves the day and answers the new one, which the
 * message `done` names on the object's page.
 */
export function extensionRoutes<T extends { id: string; status: string }>(
  router: Router,
  access: Access,
  base: string,
  o: {
    load: (req: Request) => Promise<T>;
    page: (req: Request, item: T) => Promise<ExtensionPage> | ExtensionPage;
    extend: (req: Request, item: T, day: string) => Promise<string>;
    done: string;
  },
): void {
  router.get(`${base}/:id/extend`, allow(access), async (req, res) => {
    const item = await o.load(req);
    if (item.status !== 'open') return res.redirect(`${base}/${item.id}`);
    renderExtension(res, 200, await o.page(req, item));
  });

  router.post(`${base}/:id/extend`, allow(access), async (req, res) => {
    const item = await o.load(req);
    const page = await o.page(req, item);
    let day = '';
    if (!(await postExtension(req, res, page, async (d) => (day = await o.extend(req, item, d)))))
      return;
    flash(req, o.done, { date: day });
    res.redirect(page.back);
  });
}
