import { Router, type Request, type Response } from 'express';
import type { AppServices } from '../../app';
import { allow } from '../../http/authorize';
import { flash } from '../../http/flash';
import { formErrors, parseForm, uuidParam } from '../../http/validate';
import { DomainError } from '../../lib/domain-error';
import { amendmentRoutes } from './amendments.routes';
import { addComment } from './comments.service';
import { documentRoutes } from './document.routes';
import { commentSchema, positionSchema } from './negotiation.schemas';
import { boardView } from './negotiation.view';
import { pactFieldLabels } from './pacts.view';
import { setPosition } from './positions.service';
import { signatureRoutes } from './signatures.routes';

/** The negotiation board, its comment threads and positions; mounts the other P2 pages. */
export function negotiationRoutes(services: AppServices): Router {
  const { db } = services;
  const router = Router();

  /** `kept`: a refused position form, shown again with what the user chose and wrote. */
  const board = async (
    req: Request,
    res: Response,
    status: number,
    extra: object = {},
    kept?: { actionId: string; position: string; note: string },
  ) => {
    const view = await boardView(db, req, req.user!, uuidParam(req));
    const rows = view.rows.map((r) =>
      kept && r.id === kept.actionId
        ? { ...r, own: { position: kept.position, note: kept.note } }
        : r,
    );
    res.status(status).render('pacts/negotiation', {
      title: req.t('negotiation.board.title', { title: view.pact.title }),
      ...view,
      rows,
      tab: 'negotiation',
      positions: ['agree', 'amend', 'object'].map((p) => ({
        value: p,
        label: req.t(`negotiation.position.${p}`),
      })),
      fieldLabels: { ...pactFieldLabels(req.t), ...positionLabels(req, view.rows) },
      ...extra,
    });
  };

  router.get('/pacts/:id/negotiation', allow('pact:read'), (req, res) => board(req, res, 200));

  router.post('/pacts/:id/comments', allow('pact:negotiate'), async (req, res) => {
    const id = uuidParam(req);
    const parsed = parseForm(commentSchema, req);
    // The user's text is kept on every refusal: it is re-rendered into the comment box.
    if (!parsed.ok) return board(req, res, 422, { errors: parsed.errors, values: parsed.values });
    try {
      const c = await addComment(db, req.user!, id, parsed.data);
      flash(req, 'negotiation.flash.commented');
      res.redirect(`/pacts/${id}/negotiation#comment-${c.id}`);
    } catch (err) {
      if (!(err instanceof DomainError) || err.status === 404 || err.status === 403) throw err;
      return board(req, res, err.status, { errors: formErrors(req, err), values: req.body });
    }
  });

  router.post(
    '/pacts/:id/actions/:actionId/position',
    allow('pact:negotiate'),
    async (req, res) => {
      const id = uuidParam(req);
      const actionId = uuidParam(req, 'actionId');
      const parsed = parseForm(positionSchema, req);
      const text = (v: unknown) => (typeof v === 'string' ? v : '');
      const kept = { actionId, position: text(req.body?.position), note: text(req.body?.note) };
      if (!parsed.ok)
        return board(
          req,
          res,
          422,
          { errors: prefixed(parsed.errors, actionId), positionFor: actionId },
          kept,
        );
      try {
        await setPosition(db, req.user!, id, actionId, parsed.data);
        flash(req, 'negotiation.flash.positionSet');
        res.redirect(`/pacts/${id}/negotiation#action-${actionId}`);
      } catch (err) {
        if (!(err instanceof DomainError) || err.status === 404 || err.status === 403) throw err;
        return board(req, res, err.status, { errors: formErrors(req, err) }, kept);
      }
    },
  );

  router.use(amendmentRoutes(services));
  router.use(signatureRoutes(services));
  router.use(documentRoutes(services));
  return router;
}

/** Position errors name their row, so the summary links to the right field. */
function prefixed(errors: Record<string, string>, actionId: string) {
  return Object.fromEntries(
    Object.entries(errors).map(([k, v]) => [k === '_form' ? k : `${k}-${actionId}`, v]),
  );
}

/** "1. Robotica — Posizione": a position's summary line says which action's form it is. */
function positionLabels(req: Request, rows: { id: string; position: number; title: string }[]) {
  return Object.fromEntries(
    rows.flatMap((r) =>
      (['position', 'note'] as const).map((f) => [
        `${f}-${r.id}`,
        `${r.position}. ${r.title} — ${req.t(`negotiation.fields.${f}`)}`,
      ]),
    ),
  );
}
