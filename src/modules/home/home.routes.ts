import { Router } from 'express';
import type { AppServices } from '../../app';
import { allow } from '../../http/authorize';
import { can, PERMISSIONS, type Permission } from '../../lib/permissions';
import { localName, territoryPath } from '../reference/territories.repository';
import { getMyFirm } from '../firms/firms.service';
import { campaignsOfFirm } from '../survey/responses.service';
import type { SessionUser } from '../../http/types';
import { landingFigures } from './landing';
import { todosOf } from './todo';

/** The menu a role sees on its home page: only what it may do. */
const ACTIONS: { permission: Permission; href: string; key: string }[] = [
  { permission: 'firm:profile', href: '/firm/profile', key: 'firmProfile.title' },
  { permission: 'campaign:manage', href: '/campaigns', key: 'campaigns.title' },
  { permission: 'invitation:manage', href: '/invitations', key: 'home.actions.invitations' },
  { permission: 'user:manage', href: '/admin/users', key: 'home.actions.users' },
  { permission: 'user:manage', href: '/admin/organisations', key: 'home.actions.organisations' },
  { permission: 'reference:read', href: '/territories', key: 'home.actions.territories' },
  { permission: 'reference:read', href: '/skills', key: 'home.actions.skills' },
  { permission: 'reference:import', href: '/admin/imports', key: 'home.actions.imports' },
  { permission: 'reference:import', href: '/admin/boundaries', key: 'home.actions.boundaries' },
  {
    permission: 'organisation:members',
    href: '/account/organisation',
    key: 'home.actions.organisation',
  },
  { permission: 'token:manage', href: '/account/tokens', key: 'home.actions.tokens' },
  { permission: 'account:use', href: '/account/profile', key: 'home.actions.profile' },
  { permission: 'account:use', href: '/account/password', key: 'home.actions.password' },
];

export function homeRoutes({ db, config }: AppServices): Router {
  const router = Router();
  const published = landingFigures(db);

  const firmHome = async (user: SessionUser) => {
    const firm = await getMyFirm(db, user);
    return { firm, surveyCampaigns: await campaignsOfFirm(db, user, { firm, delegation: null }) };
  };

  router.get('/', allow('public'), async (req, res) => {
    if (!req.user)
      return res.render('home/landing', {
        title: req.t('landing.title'),
        regions: await published(res.locals.lang as string),
      });
    const lang = res.locals.lang as string;
    const path = (await territoryPath(db, req.user.territoryCode)).map((t) => ({
      code: t.code,
      level: t.level,
      name: localName(t, lang),
    }));
    res.render(`home/${req.user.role}`, {
      title: req.t(`home.title.${req.user.role}`),
      territoryPath: path,
      territoryName: path.at(-1)?.name ?? req.user.territoryCode,
      actions: ACTIONS.filter(
        (a) => a.permission in PERMISSIONS && can(req.user!.role, a.permission),
      ),
      ...(req.user.role === 'firm' ? await firmHome(req.user) : {}),
      todos: (await todosOf(db, req.user, lang))?.map((i) => ({
        text: req.t(i.key, i.values),
        href: i.href,
      })),
      // The privacy notice and accessibility statement name nobody until the operator is set.
      operatorMissing:
        req.user.role === 'admin' && !(config.OPERATOR_NAME && config.OPERATOR_CONTACT),
    });
  });

  return router;
}
