import type { Request } from 'express';
import type { Executor } from '../../db';
import type { SessionUser } from '../../http/types';
import { localName } from './territories.repository';
import { territoryAndBelow } from '../accounts/accounts.repository';
import { scopeCodes } from '../accounts/scope';

const LEVELS = ['NUTS0', 'NUTS1', 'NUTS2', 'NUTS3', 'LAU'] as const;

type Option = { code: string; label: string };

/**
 * The territories an inviter may pick, as option groups: only its own territory and below (the
 * service refuses any other; an admin gets them all), the wider levels first, then the comuni
 * under their province, each group by name. A Tuscan region picks among its ten provinces and
 * their comuni instead of scrolling through every territory of Europe in alphabetical order.
 * `within`: only that territory and below (a survey's responses are filtered inside the survey).
 */
export async function territoryGroups(
  db: Executor,
  user: SessionUser,
  lang: string,
  t: Request['t'],
  within?: string,
): Promise<{ label: string; options: Option[] }[]> {
  let q = db
    .selectFrom('territories')
    .select(['code', 'level', 'name', 'names', 'parent_code'])
    .where('valid_to', 'is', null)
    .where('level', 'in', [...LEVELS]);
  const scope = within ? territoryAndBelow(within) : scopeCodes(user);
  if (scope) q = q.where('code', 'in', scope);
  const rows = (await q.execute()).map((r) => ({ ...r, local: localName(r, lang) }));
  const byName = (a: { local: string }, b: { local: string }) =>
    a.local.localeCompare(b.local, lang);
  const option = (r: (typeof rows)[number]) => ({ code: r.code, label: `${r.local} (${r.code})` });
  const groups = LEVELS.filter((l) => l !== 'LAU').flatMap((level) => {
    const options = rows
      .filter((r) => r.level === level)
      .sort(byName)
      .map(option);
    return options.length ? [{ label: t(`reference.levels.${level}`), options }] : [];
  });
  const names = new Map(rows.map((r) => [r.code, r.local]));
  // A comune's own survey lists it alone: its province, not among the rows, still names the group.
  const missing = [
    ...new Set(rows.map((r) => r.parent_code).filter((c): c is string => !!c && !names.has(c))),
  ];
  if (within && missing.length)
    for (const p of await db
      .selectFrom('territories')
      .select(['code', 'name', 'names'])
      .where('code', 'in', missing)
      .execute())
      names.set(p.code, localName(p, lang));
  const comuni = new Map<string, typeof rows>();
  for (const r of rows.filter((r) => r.level === 'LAU')) {
    const parent = r.parent_code ?? '';
    comuni.set(parent, [...(comuni.get(parent) ?? []), r]);
  }
  const provinces = [...comuni.keys()].sort((a, b) =>
    (names.get(a) ?? a).localeCompare(names.get(b) ?? b, lang),
  );
  for (const parent of provinces)
    groups.push({
      label: t('reference.comuniOf', { province: names.get(parent) ?? parent }),
      options: comuni.get(parent)!.sort(byName).map(option),
    });
  return groups;
}
