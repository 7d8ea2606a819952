import type { Executor } from '../../db';
import type { DisclosureRules, SuppressionReason } from '../../lib/disclosure';
import { campaignProtection, toViewCell } from '../needs/campaign-protection';
import { filteredReason } from '../needs/filter-protection';
import * as needsRepo from '../needs/needs.repository';
import { cellId, type ViewCell } from '../needs/protection';
import * as repo from './dashboard.repository';
import { campaignSummaries } from './dashboard.summary';

/** A figure derived from the needs aggregate: no value when suppressed (or when there is none). */
export interface Published {
  value?: number;
  suppressed: boolean;
  reason?: SuppressionReason;
}

/** What one view of the dashboard is about: a campaign, a quarter or all, protected or not. */
export interface FigureContext {
  campaignId: string;
  /** The campaign's territory: the root its protection pattern is solved for. */
  root: string;
  period: string | null;
  protected: boolean;
  /**
   * The survey is open and the reader is not an institution: every figure derived from needs is
   * withheld ('unpublished') until it closes (needs/publication.ts).
   */
  withheld: boolean;
  rules: DisclosureRules;
}

export interface DashboardFigures {
  territory: string;
  firmsSurveyed: number;
  workersInNeed: Published;
  workersCovered: number;
  coveragePercent: Published;
  committedCents: number;
  spentCents: number;
  enrolled: number;
  completed: number;
  completionPercent: number | null;
  costPerTrainedCents: number | null;
}

const percent = (part: number, whole: number) => Math.round((part / whole) * 1000) / 10;

/**
 * The status of need cells exactly as /needs publishes them (same pattern, same reasons): the
 * campaign's pattern for the cut, a filtered view giving each hidden cell its own reason, and a
 * hidden cell with no firm under the filter shown hidden too (zero would tell).
 */
export async function needStatus(
  db: Executor,
  ctx: FigureContext,
  period: string | null,
): Promise<(c: ViewCell) => SuppressionReason | null> {
  if (ctx.withheld) return () => 'unpublished';
  if (!ctx.protected) return () => null;
  const cut = { campaignId: ctx.campaignId, priority: '*', period: period ?? '*' };
  const pattern = await campaignProtection(db, ctx.root, cut, ctx.rules);
  return (c) => {
    const s = pattern.get(cellId(c.territory, 'total', '*')) ?? null;
    return s && period !== null ? filteredReason(c, ctx.rules) : s;
  };
}

export const empty = (territory: string): ViewCell => ({
  territory,
  dim: 'total',
  value: '*',
  firms: 0,
  workers: 0,
  maxFirmWorkers: 0,
});

export function publish(c: ViewCell, reason: SuppressionReason | null): Published {
  return reason ? { suppressed: true, reason } : { value: c.workers, suppressed: false };
}

/** Every figure of the rows `codes` (each summed over its closure) in one view. */
export async function figuresOf(
  db: Executor,
  ctx: FigureContext,
  codes: string[],
): Promise<Map<string, DashboardFigures>> {
  const summary = (await campaignSummaries(db, [ctx.campaignId])).get(ctx.campaignId)!;
  const [cells, firms, pacts, status] = await Promise.all([
    needsRepo.cellsOf(db, {
      campaignId: ctx.campaignId,
      territories: codes,
      dims: [],
      priority: '*',
      period: ctx.period ?? '*',
    }),
    repo.firmsBelow(db, summary.groups, codes),
    repo.pactFigures(db, { campaignId: ctx.campaignId, codes, period: ctx.period }),
    needStatus(db, ctx, ctx.period),
  ]);
  const needs = new Map(
    cells.map((r) => [r.territory_code, toViewCell({ ...r, priority: undefined })]),
  );
  return new Map(
    codes.map((code) => {
      const cell = needs.get(code) ?? empty(code);
      const need = publish(cell, status(cell));
      const p = pacts.get(code);
      const [covered, enrolled, completed, spent] = [
        Number(p?.covered ?? 0),
        Number(p?.enrolled ?? 0),
        Number(p?.completed ?? 0),
        Number(p?.spent_cents ?? 0),
      ];
      const coverage: Published = need.suppressed
        ? need
        : cell.workers > 0
          ? { value: percent(covered, cell.workers), suppressed: false }
          : { suppressed: false };
      return [
        code,
        {
          territory: code,
          firmsSurveyed: firms.get(code) ?? 0,
          workersInNeed: need,
          workersCovered: covered,
          coveragePercent: coverage,
          committedCents: Number(p?.committed_cents ?? 0),
          spentCents: spent,
          enrolled,
          completed,
          completionPercent: enrolled > 0 ? percent(completed, enrolled) : null,
          costPerTrainedCents: completed > 0 ? Math.round(spent / completed) : null,
        },
      ];
    }),
  );
}

/**
 * What pacts drawn up for a territory as a whole (a province's pact, its comuni as the rows) put
 * in its total but in none of its rows: the total less the rows, for the pact figures only (needs
 * are declared in comuni, so the rows hold them all). Null when the rows add up.
 */
export function wholeTerritoryFigures(
  total: DashboardFigures,
  rows: readonly DashboardFigures[],
): DashboardFigures | null {
  if (!rows.length) return null;
  const rest = (k: 'workersCovered' | 'committedCents' | 'spentCents' | 'enrolled' | 'completed') =>
    total[k] - rows.reduce((n, r) => n + r[k], 0);
  const [covered, committed, spent, enrolled, completed] = [
    rest('workersCovered'),
    rest('committedCents'),
    rest('spentCents'),
    rest('enrolled'),
    rest('completed'),
  ];
  if (![covered, committed, spent, enrolled, completed].some((n) => n > 0)) return null;
  return {
    territory: total.territory,
    firmsSurveyed: 0,
    workersInNeed: { value: 0, suppressed: false },
    workersCovered: covered,
    coveragePercent: { suppressed: false },
    committedCents: committed,
    spentCents: spent,
    enrolled,
    completed,
    completionPercent: enrolled > 0 ? percent(completed, enrolled) : null,
    costPerTrainedCents: completed > 0 ? Math.round(spent / completed) : null,
  };
}

export interface SeriesPoint {
  period: string;
  workersInNeed: Published;
  workersCovered: number;
  completed: number;
}

/** Workers in need declared vs covered vs completed, by quarter, for one territory. */
export async function seriesOf(
  db: Executor,
  ctx: FigureContext,
  territory: string,
): Promise<SeriesPoint[]> {
  const [needs, flows] = await Promise.all([
    repo.needsByPeriod(db, ctx.campaignId, territory),
    repo.flowsByPeriod(db, ctx.campaignId, territory),
  ]);
  const periods = [...new Set([...needs.map((n) => n.period), ...flows.map((f) => f.period)])];
  const points: SeriesPoint[] = [];
  for (const period of periods.sort()) {
    const row = needs.find((n) => n.period === period);
    const cell = row ? toViewCell({ ...row, priority: undefined }) : empty(territory);
    const status = await needStatus(db, ctx, period);
    const flow = flows.find((f) => f.period === period);
    points.push({
      period,
      workersInNeed: publish(cell, status(cell)),
      workersCovered: Number(flow?.covered ?? 0),
      completed: Number(flow?.completed ?? 0),
    });
  }
  return points;
}
