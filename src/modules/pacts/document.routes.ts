import { Router } from 'express';
import type { AppServices } from '../../app';
import { allow } from '../../http/authorize';
import { uuidParam } from '../../http/validate';
import { formatDate, formatMoney } from '../../lib/format';
import { writePactPdf } from './document.pdf';
import { pactDocument } from './document.service';
import { euros } from './pacts.view';

/** The pact document: a printable page (print stylesheet) and the same content as a PDF. */
export function documentRoutes({ db }: AppServices): Router {
  const router = Router();

  router.get('/pacts/:id/document', allow('pact:read'), async (req, res) => {
    const lang = res.locals.lang as string;
    const doc = await pactDocument(db, req.user!, uuidParam(req), lang);
    res.render('pacts/document', {
      title: doc.pact.title,
      ...doc,
      tab: 'document',
      actions: doc.actions.map((a) => ({ ...a, cost: euros(a.cost_cents) })),
      totalCost: euros(doc.totals.costCents),
      courseHour: euros(doc.call?.courseHourCents),
      participantHour: euros(doc.call?.participantHourCents),
    });
  });

  router.get('/pacts/:id/document.pdf', allow('pact:read'), async (req, res) => {
    const lang = res.locals.lang as string;
    const doc = await pactDocument(db, req.user!, uuidParam(req), lang);
    res.type('application/pdf');
    res.setHeader(
      'Content-Disposition',
      `attachment; filename="patto-${doc.pact.id.slice(0, 8)}-rev${doc.pact.revision}.pdf"`,
    );
    res.setHeader('Cache-Control', 'private, no-store');
    writePactPdf(doc, res, req.t, {
      money: (c) => formatMoney(c, lang),
      date: (d) => formatDate(d, lang, { style: 'long', time: true }),
    });
  });

  return router;
}
