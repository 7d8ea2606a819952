import type { NeedLine } from './questionnaire.schemas';

/** What need lines are checked against: the campaign, the firm and today. */
export interface NeedContext {
  /** skill code → area code, for the skills of the campaign's areas. */
  skills: Map<string, string>;
  occupations: Set<string>;
  employees: number;
  quarters: string[];
}

export interface RuleError {
  field: string;
  key: string;
  params?: Record<string, unknown>;
}

/**
 * The rules a schema cannot express: a skill of the campaign, an ISCO sub-major group, no more
 * workers than the firm employs, a plannable quarter, and no two lines for the same skill,
 * occupation and level. Pure, so the forms, the API and the importer share it. A field missing
 * from a line (one its schema refused) skips the rules that read it, so a form with a typo is
 * still told every other problem in the same round.
 */
export function checkNeedLines(lines: Partial<NeedLine>[], ctx: NeedContext): RuleError[] {
  const errors: RuleError[] = [];
  const seen = new Map<string, number>();
  lines.forEach((l, i) => {
    const at = (f: string) => `needs.${i}.${f}`;
    if (l.skill !== undefined && !ctx.skills.has(l.skill))
      errors.push({ field: at('skill'), key: 'survey.errors.skillOutside' });
    if (l.occupation !== undefined && !ctx.occupations.has(l.occupation))
      errors.push({ field: at('occupation'), key: 'survey.errors.unknownOccupation' });
    if (l.workers !== undefined && l.workers > ctx.employees)
      errors.push({
        field: at('workers'),
        key: 'survey.errors.workersAboveEmployees',
        params: { employees: ctx.employees },
      });
    if (l.period !== undefined && !ctx.quarters.includes(l.period))
      errors.push({
        field: at('period'),
        key: 'survey.errors.periodOutside',
        params: { first: ctx.quarters[0], last: ctx.quarters.at(-1) },
      });
    if (l.skill === undefined || l.occupation === undefined || l.eqf === undefined) return;
    const key = `${l.skill}|${l.occupation}|${l.eqf}`;
    const first = seen.get(key);
    if (first !== undefined)
      errors.push({
        field: at('skill'),
        key: 'survey.errors.duplicateLine',
        params: { line: first + 1 },
      });
    else seen.set(key, i);
  });
  return errors;
}
