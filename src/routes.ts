import { Router } from 'express';
import type { AppServices } from './app';
import { accountRoutes } from './modules/accounts/accounts.routes';
import { invitationRoutes } from './modules/accounts/invitations.routes';
import { homeRoutes } from './modules/home/home.routes';
import { referenceRoutes } from './modules/reference/reference.routes';
import { importRoutes } from './modules/imports/imports.routes';
import { boundaryRoutes } from './modules/boundaries/boundaries.routes';
import { needsRoutes } from './modules/needs/needs.routes';
import { firmRoutes } from './modules/firms/firms.routes';
import { campaignRoutes } from './modules/survey/campaigns.routes';
import { questionnaireRoutes } from './modules/survey/questionnaire.routes';
import { receiptRoutes } from './modules/survey/receipt.routes';
import { delegationRoutes } from './modules/delegations/delegations.routes';
import { bulkImportRoutes } from './modules/survey/bulk-import.routes';
import { pactRoutes } from './modules/pacts/pacts.routes';
import { negotiationRoutes } from './modules/pacts/negotiation.routes';
import { fundingRoutes } from './modules/funding/funding.routes';
import { notificationRoutes } from './modules/notifications/notifications.routes';

/** Every page of the application; each route declares its access with allow(). */
export function webRoutes(services: AppServices): Router {
  const router = Router();
  router.use(homeRoutes(services));
  router.use(accountRoutes(services));
  router.use(invitationRoutes(services));
  router.use(referenceRoutes(services));
  router.use(importRoutes(services));
  router.use(boundaryRoutes(services));
  router.use(needsRoutes(services));
  router.use(firmRoutes(services));
  router.use(campaignRoutes(services));
  router.use(questionnaireRoutes(services));
  router.use(receiptRoutes(services));
  router.use(delegationRoutes(services));
  router.use(bulkImportRoutes(services));
  router.use(pactRoutes(services));
  router.use(negotiationRoutes(services));
  router.use(fundingRoutes(services));
  router.use(notificationRoutes(services));
  return router;
}
