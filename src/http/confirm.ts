import type { Request, Response } from 'express';

/**
 * A page that asks before an act that cannot be undone (closing a survey, a call, a pact;
 * withdrawing an answer, a pact, an amendment; revoking a token or an invitation): what the act
 * does, a button that posts to `action` (a plain form: no JavaScript needed), and a way back. The
 * button on the object's page links here instead of posting.
 */
export function renderConfirm(
  req: Request,
  res: Response,
  page: {
    title: string;
    /** What the page is about, above the title (a survey's or a pact's title). */
    context?: string;
    /** Which object the act concerns, in a sentence. */
    lead?: string;
    /** What the act does, as a list. */
    points?: string[];
    paragraphs?: string[];
    action: string;
    button: string;
    back: string;
    /** The link back above the title; none when not given. */
    backLabel?: string;
    /** The cancel button's words ('Annulla' unless given). */
    cancelLabel?: string;
    /** Fields the form posts besides the CSRF token (a revision the act is bound to). */
    hidden?: Record<string, string | number>;
    /** Adds that it cannot be undone (the default; false where the page says so itself). */
    irreversible?: boolean;
  },
): void {
  res.render('confirm', {
    ...page,
    cancelLabel: page.cancelLabel ?? req.t('confirm.cancel'),
    hidden: Object.entries(page.hidden ?? {}).map(([name, value]) => ({ name, value })),
    paragraphs: [
      ...(page.paragraphs ?? []),
      ...(page.irreversible === false ? [] : [req.t('confirm.irreversible')]),
    ],
  });
}
