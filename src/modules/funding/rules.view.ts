import type { Request } from 'express';
import type { Executor } from '../../db';
import { localName } from '../reference/territories.repository';
import type { RuleLine } from './eligibility';

const PLACES = ['territory', 'callTerritory'] as const;

/**
 * Each line of an eligibility report in words, its territories by name and code ('Firenze
 * (ITI14)') rather than the bare code the report keeps in its params.
 */
export async function ruleTexts(
  db: Executor,
  lines: RuleLine[],
  t: Request['t'],
  lang: string,
): Promise<string[]> {
  const codes = [
    ...new Set(
      lines.flatMap((l) => PLACES.map((k) => l.params[k])).filter((c) => typeof c === 'string'),
    ),
  ];
  const rows = codes.length
    ? await db
        .selectFrom('territories')
        .select(['code', 'name', 'names'])
        .where('code', 'in', codes)
        .execute()
    : [];
  const names = new Map(rows.map((r) => [r.code, `${localName(r, lang)} (${r.code})`]));
  return lines.map((l) => {
    const params = { ...l.params };
    for (const k of PLACES) {
      const code = params[k];
      if (typeof code === 'string') params[k] = names.get(code) ?? code;
    }
    // The budget lines of a funded pact speak of what it holds, not of what it asks.
    const held = l.params.committed === 1 ? 'Committed' : '';
    return t(`funding.rules.${l.rule}${held}`, params);
  });
}
