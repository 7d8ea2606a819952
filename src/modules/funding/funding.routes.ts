import { Router } from 'express';
import type { AppServices } from '../../app';
import { budgetRaiseRoutes } from './budget-raise.routes';
import { callRoutes } from './calls.routes';
import { decisionRoutes } from './decisions.routes';
import { reviewRoutes } from './review.routes';

/** Funding calls and the region's review of pacts. */
export function fundingRoutes(services: AppServices): Router {
  const router = Router();
  router.use(callRoutes(services));
  router.use(budgetRaiseRoutes(services));
  router.use(reviewRoutes(services));
  router.use(decisionRoutes(services));
  return router;
}
