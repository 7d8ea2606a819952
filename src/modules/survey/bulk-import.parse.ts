import { setImmediate as nextTurn } from 'node:timers/promises';
import { firmProfileSchema, type FirmProfileInput } from '../firms/firms.schemas';
import { openColumns, type ImportSource } from '../reference/importers/csv-source';
import { formulaColumn } from '../reference/importers/report';
import { checkNeedLines, type NeedContext } from './need-rules';
import { surveyIssueKey } from './problems';
import {
  MAX_NEED_LINES,
  MAX_WORKERS,
  MODALITIES,
  needLineSchema,
  PRIORITIES,
  readinessSchema,
  type NeedLine,
  type ReadinessInput,
} from './questionnaire.schemas';

/**
 * The column layout of a bulk import (docs/BULK-IMPORT.md): one row per need line, the firm's
 * profile and readiness repeated on each of its rows (a firm with no need line has one row with
 * the need columns empty). Header names are matched case-insensitively.
 */
const column = (name: string, required: boolean) => ({ names: [name], required });

export const IMPORT_COLUMNS = {
  vat_number: column('vat_number', true),
  legal_name: column('legal_name', true),
  nace_division: column('nace_division', true),
  employees: column('employees', true),
  comune: column('comune', true),
  contact_name: column('contact_name', true),
  contact_email: column('contact_email', true),
  strategy: column('strategy', false),
  readiness: column('readiness', false),
  human: column('human', false),
  data: column('data', false),
  automation: column('automation', false),
  green: column('green', false),
  technologies: column('technologies', false),
  skill: column('skill', true),
  occupation: column('occupation', true),
  workers: column('workers', true),
  eqf: column('eqf', true),
  priority: column('priority', true),
  modality: column('modality', true),
  period: column('period', true),
  note: column('note', false),
};
export type ImportColumn = keyof typeof IMPORT_COLUMNS;
export const COLUMN_NAMES = Object.keys(IMPORT_COLUMNS) as ImportColumn[];

const PROFILE = ['vat_number', 'legal_name', 'nace_division', 'employees', 'comune'] as const;
const CONTACT = ['contact_name', 'contact_email'] as const;
const DIMENSIONS = ['strategy', 'readiness', 'human', 'data', 'automation', 'green'] as const;
const NEED = ['skill', 'occupation', 'workers', 'eqf', 'priority', 'modality', 'period'] as const;
/** The columns that must repeat the same value on every row of one firm. */
const PER_FIRM = [...PROFILE, ...CONTACT, ...DIMENSIONS, 'technologies'] as const;

/** A problem on one line of the file (line 0: the file as a whole). */
export interface ImportProblem {
  line: number;
  column?: string;
  key: string;
  params?: Record<string, unknown>;
}

export interface ImportedFirm {
  line: number;
  profile: FirmProfileInput;
  readiness: ReadinessInput | null;
  needs: NeedLine[];
  needLines: number[];
}

/** What rows are checked against: the campaign, and the reference codes the file may use. */
export interface ImportContext {
  readiness: boolean;
  divisions: Set<string>;
  comuni: Set<string>;
  /** The comuni the campaign covers: a firm elsewhere does not answer it. */
  within: Set<string>;
  need: Omit<NeedContext, 'employees'>;
}

export const MAX_IMPORT_PROBLEMS = 500;

interface Group {
  line: number;
  cells: Record<string, string>;
  needs: NeedLine[];
  needLines: number[];
  /** Checked when the file moved on to another firm; undefined while rows may still come. */
  checked?: ImportedFirm | null;
}

/**
 * Where a firm can go before the whole file is read. A firm's rows are usually next to each
 * other: when the file moves on to another firm, the last one is checked and handed over (in
 * batches), so the caller can write it while the rest is parsed; the last ones are only in the
 * result. The handing over stops at the first problem (or VAT number met twice). A firm handed
 * over whose rows turn up
 * again later makes the result `reopened`: what was handed over for it is incomplete, and the
 * caller must not keep it.
 */
export interface FirmSink {
  batchSize: number;
  /** The first batch, smaller: the database starts writing sooner. batchSize by default. */
  firstBatchSize?: number;
  write: (firms: ImportedFirm[]) => Promise<void>;
}

export interface ParsedImport {
  /** Every checked firm, in the order of their first row (those handed over included). */
  firms: ImportedFirm[];
  problems: ImportProblem[];
  rows: number;
  /** A firm was handed over to the sink before all its rows were read. */
  reopened: boolean;
}

/**
 * Reads the file (streamed, encoding and separator detected as the reference importers do) and
 * checks every row with the questionnaire's own rules. Rows are grouped by VAT number wherever
 * they are in the file. Returns the firms, or every problem found (up to a limit).
 */
export async function parseImport(
  source: ImportSource,
  ctx: ImportContext,
  sink?: FirmSink,
): Promise<ParsedImport> {
  const problems: ImportProblem[] = [];
  const add = (p: ImportProblem) => problems.length < MAX_IMPORT_PROBLEMS && problems.push(p);
  const opened = await openColumns(source, IMPORT_COLUMNS);
  if ('errors' in opened) {
    // Not one required column found: the line read as the header is something else (a title
    // above it), said once rather than as every column missing.
    const required = COLUMN_NAMES.filter((c) => IMPORT_COLUMNS[c].required).length;
    const missing = opened.refusals.filter((r) => r.code === 'missingColumn');
    if (missing.length === required && missing.length === opened.refusals.length) {
      add({
        line: missing[0]!.line,
        key: 'bulkImport.errors.notHeader',
        params: { line: missing[0]!.line },
      });
      return { firms: [], problems, rows: 0, reopened: false };
    }
    for (const r of opened.refusals)
      add({
        line: r.line,
        column: r.column,
        key: `bulkImport.errors.source.${r.code}`,
        params: { column: r.column },
      });
    return { firms: [], problems, rows: 0, reopened: false };
  }
  const { file, col } = opened;
  const groups = new Map<string, Group>();
  const handed = new Set<Group>();
  const handedVats = new Set<string>();
  let streaming = sink !== undefined;
  let pending: Group[] = [];
  let reopened = false;
  let rows = 0;
  let last: Group | undefined;
  // The previous firm is complete unless its rows come back: checked now, handed over if clean.
  const close = async (g: Group) => {
    g.checked = checkFirm(g, ctx, add);
    if (!sink || !streaming || problems.length || !g.checked) return;
    pending.push(g);
    if (pending.length < (handed.size ? sink.batchSize : (sink.firstBatchSize ?? sink.batchSize)))
      return;
    const ready = pending.filter((p) => p.checked);
    pending = [];
    // One VAT number written two ways is reported at the end: nothing more is handed over.
    for (const p of ready) {
      const vat = p.checked!.profile.vatNumber;
      if (handedVats.has(vat)) streaming = false;
      handedVats.add(vat);
    }
    if (!streaming) return;
    for (const p of ready) handed.add(p);
    await sink.write(ready.map((p) => p.checked!));
  };
  try {
    for await (const batch of file.batches) {
      for (const { line, cells } of batch) {
        // A row of empty cells (';;;;'), as a spreadsheet saves rows it once formatted: a blank line.
        if (cells.every((c) => c.trim() === '')) continue;
        rows++;
        // While firms are being written, a turn of the event loop every few hundred rows lets
        // the write's next statement go out as soon as the database answers the last one.
        if (sink && rows % 256 === 0) await nextTurn();
        // As the reference importers do: a cell a spreadsheet would run is refused, not stored.
        const formula = formulaColumn(cells);
        if (formula >= 0) {
          add({
            line,
            column: file.header[formula] ?? String(formula + 1),
            key: 'bulkImport.errors.formula',
            params: { cell: cells[formula]!.slice(0, 40) },
          });
          continue;
        }
        // More cells than columns: a text holding the separator unquoted shifted the row (its
        // last cells may well be empty). Said once, rather than as every cell after it read in
        // the wrong column.
        if (cells.length > file.header.length) {
          add({
            line,
            key: `bulkImport.errors.extraCells${file.delimiter === '\t' ? 'Tab' : ''}`,
            params: {
              found: cells.length,
              expected: file.header.length,
              separator: file.delimiter,
            },
          });
          continue;
        }
        const cell = (c: ImportColumn) =>
          withZeros(c, col[c] >= 0 ? (cells[col[c]] ?? '').trim() : '');
        const vat = cell('vat_number')
          .toUpperCase()
          .replace(/[\s.-]/g, '');
        if (!vat) {
          add({ line, column: 'vat_number', key: 'validation.required' });
          continue;
        }
        let g = groups.get(vat);
        if (last && last !== g && last.checked === undefined) await close(last);
        if (g && g.checked !== undefined) {
          // Its rows are not together: checked again at the end, with all of them.
          if (handed.has(g)) reopened = true;
          g.checked = undefined;
        }
        if (!g) {
          g = {
            line,
            cells: Object.fromEntries(PER_FIRM.map((c) => [c, cell(c)])),
            needs: [],
            needLines: [],
          };
          groups.set(vat, g);
        } else {
          const differs = PER_FIRM.find((c) => cell(c) !== g!.cells[c]);
          if (differs)
            add({
              line,
              column: differs,
              key: 'bulkImport.errors.firmDiffers',
              params: { line: g.line },
            });
        }
        last = g;
        if (NEED.every((c) => cell(c) === '') && cell('note') === '') continue;
        const raw = {
          skill: cell('skill'),
          occupation: cell('occupation'),
          workers: cell('workers'),
          eqf: cell('eqf'),
          priority: cell('priority'),
          modality: cell('modality'),
          period: cell('period'),
          note: cell('note'),
        };
        const fast = plainLine(raw);
        if (fast) {
          g.needs.push(fast);
          g.needLines.push(line);
          continue;
        }
        const parsed = needLineSchema.safeParse(raw);
        if (!parsed.success) {
          for (const issue of parsed.error.issues)
            add({ line, column: columnOf(String(issue.path[0] ?? '')), ...surveyIssueKey(issue) });
          continue;
        }
        g.needs.push(parsed.data);
        g.needLines.push(line);
      }
      if (problems.length >= MAX_IMPORT_PROBLEMS) break;
    }
  } finally {
    file.close();
  }
  if (rows === 0) add({ line: file.headerLine + 1, key: 'bulkImport.errors.noRows' });
  const firms: ImportedFirm[] = [];
  for (const g of groups.values()) {
    const firm = g.checked === undefined ? checkFirm(g, ctx, add) : g.checked;
    if (firm) firms.push(firm);
  }
  // Two spellings of one VAT number (with or without the country prefix) are one firm twice.
  const firstLine = new Map<string, number>();
  for (const f of firms) {
    const first = firstLine.get(f.profile.vatNumber);
    if (first === undefined) firstLine.set(f.profile.vatNumber, f.line);
    else
      add({
        line: f.line,
        column: 'vat_number',
        key: 'bulkImport.errors.firmDiffers',
        params: { line: first },
      });
  }
  return { firms, problems: unique(problems).sort((a, b) => a.line - b.line), rows, reopened };
}

/** A firm checked twice (its rows not together) may report a problem twice. */
function unique(problems: ImportProblem[]): ImportProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = JSON.stringify([p.line, p.column, p.key, p.params]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * A spreadsheet reads a code as a number and saves 048014 as 48014, 01 as 1: a comune of four or
 * five digits, a NACE division of one, gets its leading zeros back (every code has six, or two).
 */
const withZeros = (c: ImportColumn, v: string) =>
  c === 'comune' && /^\d{4,5}$/.test(v)
    ? v.padStart(6, '0')
    : c === 'nace_division' && /^\d$/.test(v)
      ? `0${v}`
      : v;

const PRIORITY_SET = new Set<string>(PRIORITIES);
const MODALITY_SET = new Set<string>(MODALITIES);

/**
 * The common case without zod (a file holds tens of thousands of lines): a line in plain form —
 * digits without sign or decimals, known codes — that needLineSchema surely accepts. Anything else
 * (null here) goes through the schema, which also words the message.
 */
function plainLine(r: Record<(typeof NEED)[number] | 'note', string>): NeedLine | null {
  if (r.skill === '' || r.skill.length > 60 || r.note.length > 500) return null;
  if (!/^\d{2}$/.test(r.occupation) || !/^[1-8]$/.test(r.eqf)) return null;
  if (!/^[1-9]\d{0,5}$/.test(r.workers)) return null;
  const workers = Number(r.workers);
  if (workers > MAX_WORKERS) return null;
  if (!PRIORITY_SET.has(r.priority) || !MODALITY_SET.has(r.modality)) return null;
  if (!/^\d{4}-Q[1-4]$/.test(r.period)) return null;
  return {
    skill: r.skill,
    occupation: r.occupation,
    workers,
    eqf: Number(r.eqf),
    priority: r.priority as NeedLine['priority'],
    modality: r.modality as NeedLine['modality'],
    period: r.period,
    note: r.note,
  };
}

const COLUMN_OF: Record<string, string> = {
  legalName: 'legal_name',
  vatNumber: 'vat_number',
  naceDivision: 'nace_division',
  territoryCode: 'comune',
  contactName: 'contact_name',
  contactEmail: 'contact_email',
};
const columnOf = (field: string) => COLUMN_OF[field] ?? field;

/** The per-firm rules: profile, readiness, and the need lines together (duplicates, workers). */
function checkFirm(
  g: Group,
  ctx: ImportContext,
  add: (p: ImportProblem) => void,
): ImportedFirm | null {
  const c = g.cells;
  let ok = true;
  const profile = firmProfileSchema.safeParse({
    legalName: c.legal_name,
    vatNumber: c.vat_number,
    naceDivision: c.nace_division,
    employees: c.employees,
    territoryCode: c.comune,
    contactName: c.contact_name,
    contactEmail: c.contact_email,
  });
  if (!profile.success) {
    ok = false;
    for (const issue of profile.error.issues)
      add({
        line: g.line,
        column: columnOf(String(issue.path[0] ?? '')),
        ...surveyIssueKey(issue),
      });
  } else {
    if (!ctx.divisions.has(profile.data.naceDivision)) {
      ok = false;
      add({ line: g.line, column: 'nace_division', key: 'firmProfile.errors.unknownSector' });
    }
    if (!ctx.comuni.has(profile.data.territoryCode)) {
      ok = false;
      add({ line: g.line, column: 'comune', key: 'firmProfile.errors.notComune' });
    } else if (!ctx.within.has(profile.data.territoryCode)) {
      ok = false;
      add({ line: g.line, column: 'comune', key: 'bulkImport.errors.outsideCampaign' });
    }
  }
  let readiness: ReadinessInput | null = null;
  const anyScore = DIMENSIONS.some((d) => c[d] !== '') || c.technologies !== '';
  if (ctx.readiness) {
    const r = readinessSchema.safeParse({
      ...Object.fromEntries(DIMENSIONS.map((d) => [d, c[d]])),
      technologies: c.technologies ? c.technologies.split('|').map((s) => s.trim()) : [],
    });
    if (r.success) readiness = r.data;
    else {
      ok = false;
      for (const issue of r.error.issues)
        add({
          line: g.line,
          column: String(issue.path[0] ?? 'technologies'),
          ...surveyIssueKey(issue),
        });
    }
  } else if (anyScore) {
    ok = false;
    add({ line: g.line, column: 'strategy', key: 'bulkImport.errors.noReadiness' });
  }
  if (g.needs.length > MAX_NEED_LINES) {
    ok = false;
    add({ line: g.line, key: 'bulkImport.errors.tooManyLines', params: { max: MAX_NEED_LINES } });
  }
  // The lines are checked even when a profile cell is wrong (an e-mail, a name), so the file
  // comes back with all its problems in one round; without a readable headcount, every rule
  // but "no more workers than employees".
  const employees = profile.success
    ? profile.data.employees
    : (firmProfileSchema.shape.employees.safeParse(c.employees).data ?? Number.MAX_SAFE_INTEGER);
  const errors = checkNeedLines(g.needs, { ...ctx.need, employees });
  for (const e of errors) {
    ok = false;
    const [, i, field] = e.field.split('.');
    const params =
      e.key === 'survey.errors.duplicateLine'
        ? { line: g.needLines[Number(e.params?.line) - 1] }
        : e.params;
    add({ line: g.needLines[Number(i)] ?? g.line, column: field, key: e.key, params });
  }
  if (!ok || !profile.success) return null;
  // Copies: a firm handed over is written while rows may still be added to its group.
  return {
    line: g.line,
    profile: profile.data,
    readiness,
    needs: [...g.needs],
    needLines: [...g.needLines],
  };
}
