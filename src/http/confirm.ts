import type { Request, Response } from 'express';

/**
 * A page that asks before an act that cannot be undone (closing a survey, a call, a pact): what
 * the act does, a button that posts to `action` (a plain form: no JavaScript needed), and a way
 * back. The button on the object's page links here instead of posting.
 */
export function renderConfirm(
  req: Request,
  res: Response,
  page: {
    title: string;
    paragraphs: string[];
    action: string;
    button: string;
    back: string;
    backLabel: string;
  },
): void {
  res.render('confirm', {
    ...page,
    paragraphs: [...page.paragraphs, req.t('confirm.irreversible')],
  });
}
