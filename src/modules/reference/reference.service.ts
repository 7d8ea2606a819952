import type { Db } from '../../db';
import { NotFoundError } from '../../lib/domain-error';
import * as repo from './reference.repository';
import { localName, territoryPath } from './territories.repository';

type Row = {
  code: string;
  level: string;
  parent_code: string | null;
  name: string;
  names: Record<string, string>;
};

export function toTerritory(
  t: Row & { valid_from: string; valid_to: string | null },
  lang: string,
) {
  return {
    code: t.code,
    level: t.level as never,
    parentCode: t.parent_code,
    name: t.name,
    localName: localName(t, lang),
    names: t.names,
    validFrom: t.valid_from,
    validTo: t.valid_to,
  };
}

export function toCodeItem(r: Row) {
  return { code: r.code, level: r.level, parentCode: r.parent_code, name: r.name, names: r.names };
}

/** One territory with its path to the root and its current children. */
export async function territoryDetail(db: Db, code: string, lang: string) {
  const territory = await repo.findTerritory(db, code);
  if (!territory) throw new NotFoundError();
  const [path, children] = await Promise.all([
    territoryPath(db, code),
    // Every child: a province may have more comuni than a page of search results (Torino 312).
    repo.searchTerritories(db, { parent: code }, { limit: null }),
  ]);
  const counts = new Map(
    (
      await repo.countChildren(
        db,
        children.map((c) => c.code),
      )
    ).map((r) => [r.parent_code, r.n]),
  );
  return {
    territory: toTerritory(territory, lang),
    path: path.map((p) => ({ code: p.code, level: p.level, name: localName(p, lang) })),
    // In the reader's alphabet: Florence after Firenzuola in English, Firenze before it in Italian.
    children: children
      .map((c) => ({ ...toTerritory(c, lang), children: counts.get(c.code) ?? 0 }))
      .sort((a, b) => a.localName.localeCompare(b.localName, lang)),
  };
}
