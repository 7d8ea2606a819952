import { Router } from 'express';
import type { AppServices } from '../../app';
import { allow } from '../../http/authorize';
import { parseQuery, refuseParam } from '../../http/query';
import * as repo from './reference.repository';
import { skillQuery, territoryPageQuery } from './reference.schemas';
import { territoryDetail, toTerritory } from './reference.service';
import { localName } from './territories.repository';
import { territoryOfQuery } from './territory-param';

/** Browsing the reference data: the territory tree and the skills taxonomy, in both languages. */
export function referenceRoutes({ db }: AppServices): Router {
  const router = Router();

  router.get('/territories', allow('reference:read'), async (req, res) => {
    const query = parseQuery(territoryPageQuery, req);
    const lang = res.locals.lang as string;
    if (query.parent) await territoryOfQuery(db, req, query.parent, 'parent');
    if (query.q || query.level) {
      const results = await repo.searchTerritories(db, query);
      const parentCodes = [...new Set(results.flatMap((t) => t.parent_code ?? []))];
      const parents = new Map(
        (await repo.territoriesByCode(db, parentCodes)).map((p) => [p.code, localName(p, lang)]),
      );
      return res.render('reference/territories', {
        title: req.t('reference.territories.title'),
        query,
        results: results.map((t) => ({
          ...toTerritory(t, lang),
          parentName: t.parent_code ? parents.get(t.parent_code) : undefined,
        })),
        limited: results.length === repo.PAGE_LIMIT,
        limit: repo.PAGE_LIMIT,
        levels: ['NUTS0', 'NUTS1', 'NUTS2', 'NUTS3', 'LAU'],
      });
    }
    if (query.code) {
      await territoryOfQuery(db, req, query.code, 'code');
      const detail = await territoryDetail(db, query.code, lang);
      return res.render('reference/territories', {
        title: `${detail.territory.localName} (${detail.territory.code})`,
        query,
        ...detail,
        levels: ['NUTS0', 'NUTS1', 'NUTS2', 'NUTS3', 'LAU'],
      });
    }
    const roots = await repo.searchTerritories(db, { level: 'NUTS0' });
    res.render('reference/territories', {
      title: req.t('reference.territories.title'),
      query,
      children: roots.map((t) => toTerritory(t, lang)),
      levels: ['NUTS0', 'NUTS1', 'NUTS2', 'NUTS3', 'LAU'],
    });
  });

  router.get('/skills', allow('reference:read'), async (req, res) => {
    const query = parseQuery(skillQuery, req);
    const lang = res.locals.lang as string;
    const [areas, skills] = await Promise.all([
      repo.listSkillAreas(db),
      repo.searchSkills(db, query),
    ]);
    if (query.area && !areas.some((a) => a.code === query.area))
      throw refuseParam(
        req,
        'area',
        req.t('errors.query.reasons.unknownArea', { code: query.area }),
      );
    const byArea = areas
      .map((a) => ({
        code: a.code,
        name: localName(a, lang),
        framework: a.framework,
        skills: skills
          .filter((s) => s.area_code === a.code)
          .map((s) => ({ ...s, localName: localName(s, lang) })),
      }))
      .filter((a) => a.skills.length > 0);
    res.render('reference/skills', {
      title: req.t('reference.skills.title'),
      query,
      areas: areas.map((a) => ({ code: a.code, name: localName(a, lang) })),
      byArea,
      total: skills.length,
      limited: skills.length === repo.SKILLS_PAGE,
      limit: repo.SKILLS_PAGE,
    });
  });

  return router;
}
