import { localName } from '../reference/territories.repository';
import type { Campaign } from './campaigns.service';
import { stepsOf } from './drafts.service';
import type { NeedContext } from './need-rules';
import { MODALITIES, NEED_FIELDS, PRIORITIES } from './questionnaire.schemas';
import { band, DMA_DIMENSIONS, I40_TECHNOLOGIES, SCORE_MAX } from './readiness';

type T = (key: string, params?: Record<string, unknown>) => string;
type Named = { name: string; names: Record<string, string> };
type Values = Record<string, unknown>;
type Errors = Record<string, string>;

const STEP_KEYS: Record<number, string> = { 1: 'profile', 2: 'readiness', 3: 'needs', 4: 'review' };

/** The progress indicator: each step done, current or still to do (aria-current="step"). */
export function stepper(
  campaign: Campaign,
  current: number,
  reached: number,
  submitted = false,
  suffix = '',
) {
  const steps = stepsOf(campaign);
  const items = steps.map((n, i) => ({
    number: i + 1,
    key: `survey.steps.${STEP_KEYS[n]}`,
    href:
      !submitted && n <= reached && n !== current
        ? `/survey/${campaign.id}/step/${n}${suffix}`
        : null,
    current: n === current,
    done: submitted || n < current || n < reached,
  }));
  items.push({
    number: steps.length + 1,
    key: 'survey.steps.submit',
    href: null,
    current: submitted,
    done: submitted,
  });
  return items;
}

/** Step 2: six radio groups 0–5 and nine technology checkboxes, with what was chosen. */
export function readinessForm(values: Values, errors: Errors) {
  const chosen = new Set(([] as unknown[]).concat(values.technologies ?? []).map((v) => String(v)));
  return {
    dimensions: DMA_DIMENSIONS.map((d) => ({
      name: d,
      error: errors[d],
      options: Array.from({ length: SCORE_MAX + 1 }, (_, score) => ({
        id: score === 0 ? `field-${d}` : `field-${d}-${score}`,
        value: String(score),
        checked: String(values[d] ?? '') === String(score),
      })),
    })),
    technologies: I40_TECHNOLOGIES.map((tech, i) => ({
      value: tech,
      id: i === 0 ? 'field-technologies' : `field-technologies-${i}`,
      checked: chosen.has(tech),
    })),
    technologiesError: errors.technologies,
  };
}

export function scoreView(score: number | null | undefined) {
  if (score === null || score === undefined) return null;
  return { score, band: band(score) };
}

/** "Fabbisogno n. 2 — Competenza" for `needs.1.skill`: the summary says which line, which field. */
export function needFieldLabels(fields: string[], t: T): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const f of fields) {
    const m = /^needs\.(\d+)\.(\w+)$/.exec(f);
    if (m)
      labels[f] =
        `${t('survey.lineLegend', { number: Number(m[1]) + 1 })} — ${t(`survey.fields.${m[2]}`)}`;
  }
  return labels;
}

/** Step 3: each line's fields with their choices, values and errors, ready for the template. */
export function needLinesForm(
  lines: Values[],
  errors: Errors,
  ctx: NeedContext & {
    skillRows: (Named & {
      code: string;
      area_code: string;
      area_name: string;
      area_names: Record<string, string>;
    })[];
  },
  occupations: (Named & { code: string })[],
  lang: string,
  t: T,
) {
  const areas: { label: string; skills: { value: string; label: string }[] }[] = [];
  for (const s of ctx.skillRows) {
    const label = localName({ name: s.area_name, names: s.area_names }, lang);
    if (areas.at(-1)?.label !== label) areas.push({ label, skills: [] });
    areas.at(-1)!.skills.push({ value: s.code, label: `${s.code} — ${localName(s, lang)}` });
  }
  const choices: Record<string, { value: string; label: string }[]> = {
    occupation: occupations.map((o) => ({
      value: o.code,
      label: `${o.code} — ${localName(o, lang)}`,
    })),
    eqf: Array.from({ length: 8 }, (_, i) => ({
      value: String(i + 1),
      label: t('survey.eqfLevel', { level: i + 1 }),
    })),
    priority: PRIORITIES.map((p) => ({ value: p, label: t(`survey.priorities.${p}`) })),
    modality: MODALITIES.map((m) => ({ value: m, label: t(`survey.modalities.${m}`) })),
    period: ctx.quarters.map((q) => ({ value: q, label: q })),
  };
  return lines.map((line, i) => {
    const field = (f: (typeof NEED_FIELDS)[number]) => {
      const value = line[f] === undefined || line[f] === null ? '' : String(line[f]);
      const offered = choices[f]?.map((o) => ({ ...o, selected: o.value === value }));
      // A value the list no longer offers (a quarter gone by since the draft was saved) stays
      // chosen, so the firm sees it and is told to change it, rather than finding it blank.
      const options =
        offered && value !== '' && !offered.some((o) => o.selected)
          ? [{ value, label: value, selected: true }, ...offered]
          : offered;
      return {
        id: `field-needs.${i}.${f}`,
        labelKey: `survey.fields.${f}`,
        name: `needs[${i}][${f}]`,
        value,
        error: errors[`needs.${i}.${f}`],
        options,
      };
    };
    return {
      index: i,
      number: i + 1,
      skill: {
        ...field('skill'),
        areas: areas.map((a) => ({
          label: a.label,
          skills: a.skills.map((s) => ({ ...s, selected: s.value === String(line.skill ?? '') })),
        })),
      },
      selects: (['occupation', 'eqf', 'priority', 'modality', 'period'] as const).map(field),
      workers: field('workers'),
      note: field('note'),
    };
  });
}

/** Lines as the review and receipt show them: codes with their names. */
export function describeLines(
  lines: {
    skill: string;
    occupation: string;
    workers: number;
    eqf: number;
    priority: string;
    modality: string;
    period: string;
    note?: string | null;
  }[],
  skillNames: Map<string, string>,
  occupationNames: Map<string, string>,
  t: T,
) {
  return lines.map((l, i) => ({
    number: i + 1,
    skill: `${l.skill} — ${skillNames.get(l.skill) ?? ''}`,
    occupation: `${l.occupation} — ${occupationNames.get(l.occupation) ?? ''}`,
    workers: l.workers,
    eqf: l.eqf,
    priority: t(`survey.priorities.${l.priority}`),
    modality: t(`survey.modalities.${l.modality}`),
    period: l.period,
    note: l.note ?? '',
  }));
}

/** Stored need lines (a submitted version) described with their names in the reader's language. */
export function describeStoredLines(
  lines: {
    skill_code: string;
    occupation_code: string;
    workers: number;
    eqf_level: number;
    priority: string;
    modality: string;
    period: string;
    note: string | null;
  }[],
  skills: { code: string; name: string; names: Record<string, string> }[],
  occupations: { code: string; name: string; names: Record<string, string> }[],
  lang: string,
  t: T,
) {
  return describeLines(
    lines.map((l) => ({
      skill: l.skill_code,
      occupation: l.occupation_code,
      workers: l.workers,
      eqf: l.eqf_level,
      priority: l.priority,
      modality: l.modality,
      period: l.period,
      note: l.note,
    })),
    new Map(skills.map((s) => [s.code, localName(s, lang)])),
    new Map(occupations.map((o) => [o.code, localName(o, lang)])),
    t,
  );
}
