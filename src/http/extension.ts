import type { Request, Response } from 'express';
import { z } from 'zod';
import { DomainError } from '../lib/domain-error';
import { flashRefusal } from './flash';
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
