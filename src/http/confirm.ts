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
    /** Fields the form posts besides the CSRF token (a revision the act is bound to). */
    hidden?: Record<string, string | number>;
    /** Says that it cannot be undone (the default). */
    irreversible?: boolean;
  },
): void {
  res.render('confirm', {
    ...page,
    hidden: Object.entries(page.hidden ?? {}).map(([name, value]) => ({ name, value })),
    paragraphs: [
      ...page.paragraphs,
      ...(page.irreversible === false ? [] : [req.t('confirm.irreversible')]),
    ],
  });
}
