import { sql } from 'kysely';
import type { Executor } from '../../db';
import type { SessionUser } from '../../http/types';
import { formatDate, formatMoney } from '../../lib/format';
import { listCallsFor } from '../funding/calls.service';
import { listPactsFor } from '../pacts/pacts.service';
import { quarterOf, romeToday } from '../survey/calendar';
import { listManagedCampaigns } from '../survey/campaigns.service';

/**
 * What waits for the signed-in user, on their home page: each item a sentence (a locale key and
 * its values) and the page where it is done. Read from the state of pacts, surveys and calls,
 * not from notifications: an item stays until the thing is done, whatever was read or dismissed.
 */
export interface TodoItem {
  key: string;
  values: Record<string, string | number>;
  href: string;
}

/** The quarter before the one `day` falls in ('2027-Q1' → '2026-Q4'). */
export function previousQuarter(day: string): string {
  const [y, q] = quarterOf(day).split('-Q').map(Number) as [number, number];
  return q === 1 ? `${y - 1}-Q4` : `${y}-Q${q - 1}`;
}

type PactRow = Awaited<ReturnType<typeof listPactsFor>>[number];

/** Per pact in negotiation: invited signatories, how many signed the revision in force. */
async function signatureCounts(db: Executor, pactIds: string[]) {
  if (!pactIds.length) return new Map<string, { invited: number; signed: number }>();
  const { rows } = await sql<{ pact_id: string; invited: number; signed: number }>`
    SELECT s.pact_id, count(*)::int AS invited,
           count(g.organisation_id)::int AS signed
    FROM pact_signatories s
    JOIN pacts p ON p.id = s.pact_id
    LEFT JOIN pact_signatures g ON g.pact_id = s.pact_id
      AND g.organisation_id = s.organisation_id AND g.revision = p.revision
    WHERE s.pact_id = ANY(${pactIds}::uuid[]) AND s.removed_at IS NULL
    GROUP BY s.pact_id`.execute(db);
  return new Map(rows.map((r) => [r.pact_id, r]));
}

/** Per pact: amendments still open, waiting for the promoter's decision. */
async function openAmendments(db: Executor, pactIds: string[]) {
  if (!pactIds.length) return new Map<string, number>();
  const rows = await db
    .selectFrom('pact_amendments')
    .select(['pact_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('pact_id', 'in', pactIds)
    .where('status', '=', 'open')
    .groupBy('pact_id')
    .execute();
  return new Map(rows.map((r) => [r.pact_id, Number(r.n)]));
}

/** The funded pacts among `pactIds` with no report at all for `quarter`. */
async function unreported(db: Executor, pactIds: string[], quarter: string) {
  if (!pactIds.length) return new Set<string>();
  const rows = await db
    .selectFrom('pacts as p')
    .select('p.id')
    .where('p.id', 'in', pactIds)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('action_outcomes as o')
            .select('o.pact_id')
            .whereRef('o.pact_id', '=', 'p.id')
            .where('o.period', '=', quarter),
        ),
      ),
    )
    .execute();
  return new Set(rows.map((r) => r.id));
}

/** A local authority's or social partner's pacts: what it promotes, and what it is invited to. */
async function pactTodos(db: Executor, user: SessionUser, today: string): Promise<TodoItem[]> {
  const pacts = await listPactsFor(db, user);
  const mine = pacts.filter((p) => p.mine);
  const invited = pacts.filter((p) => !p.mine);
  const negotiating = mine.filter((p) => p.status === 'negotiation');
  const [counts, amendments] = await Promise.all([
    signatureCounts(
      db,
      negotiating.map((p) => p.id),
    ),
    openAmendments(
      db,
      negotiating.map((p) => p.id),
    ),
  ]);
  // Reports are filed for a quarter once begun; the one just ended is the one that is due.
  const quarter = previousQuarter(today);
  const running = mine.filter(
    (p) =>
      (p.status === 'approved' || p.status === 'in_progress') &&
      p.decided_at !== null &&
      quarterOf(romeToday(p.decided_at)) <= quarter,
  );
  const due = await unreported(
    db,
    running.map((p) => p.id),
    quarter,
  );

  const items: TodoItem[] = [];
  const item = (p: PactRow, key: string, values: TodoItem['values'] = {}, path = '') =>
    items.push({ key, values: { title: p.title, ...values }, href: `/pacts/${p.id}${path}` });
  for (const p of mine) {
    if (p.status === 'agreed') item(p, 'home.todo.agreed', { revision: p.revision });
    else if (p.status === 'returned') item(p, 'home.todo.returned');
    else if (p.status === 'draft') item(p, 'home.todo.draft');
    else if (p.status === 'negotiation') {
      const c = counts.get(p.id) ?? { invited: 0, signed: 0 };
      if (c.invited === 0) item(p, 'home.todo.noSignatories', {}, '/signatories');
      else
        item(p, 'home.todo.signatures', {
          count: c.signed,
          invited: c.invited,
          revision: p.revision,
        });
      const open = amendments.get(p.id) ?? 0;
      if (open > 0) item(p, 'home.todo.amendments', { count: open }, '/negotiation');
    } else if (due.has(p.id)) item(p, 'home.todo.report', { quarter }, '/execution');
  }
  for (const p of invited) {
    if (p.status === 'negotiation' && !p.signed_current)
      item(p, 'home.todo.sign', { promoter: p.promoter_name, revision: p.revision });
  }
  return items;
}

/** The region's: pacts submitted for review, surveys running, calls open. */
async function regionTodos(
  db: Executor,
  user: SessionUser,
  lang: string,
  today: string,
): Promise<TodoItem[]> {
  const [pacts, campaigns, calls] = await Promise.all([
    listPactsFor(db, user, { status: 'submitted' }),
    listManagedCampaigns(db, user),
    listCallsFor(db, user, 'open'),
  ]);
  const items: TodoItem[] = [];
  for (const p of [...pacts].sort((a, b) => +(a.submitted_at ?? 0) - +(b.submitted_at ?? 0)))
    items.push({
      key: 'home.todo.review',
      values: {
        title: p.title,
        promoter: p.promoter_name,
        day: p.submitted_at ? formatDate(p.submitted_at, lang, { style: 'long' }) : '',
      },
      href: `/pacts/${p.id}/review`,
    });
  const running = campaigns.filter((c) => c.state === 'open');
  const answered = await answersOf(
    db,
    running.map((c) => c.id),
  );
  for (const c of running.sort((a, b) => a.closesAt.localeCompare(b.closesAt)))
    items.push({
      key: 'home.todo.survey',
      values: {
        title: c.title,
        day: formatDate(c.closesAt, lang, { style: 'long' }),
        count: answered.get(c.id) ?? 0,
      },
      href: `/campaigns/${c.id}`,
    });
  for (const c of calls
    .filter((c) => c.deadline >= today)
    .sort((a, b) => a.deadline.localeCompare(b.deadline)))
    items.push({
      key: 'home.todo.call',
      values: {
        title: c.title,
        day: formatDate(c.deadline, lang, { style: 'long' }),
        available: formatMoney(c.budget_cents - c.committed_cents, lang),
        budget: formatMoney(c.budget_cents, lang),
      },
      href: `/calls/${c.id}`,
    });
  return items;
}

/** Firms with a submitted answer, per campaign. */
async function answersOf(db: Executor, campaignIds: string[]) {
  if (!campaignIds.length) return new Map<string, number>();
  const rows = await db
    .selectFrom('responses')
    .select(['campaign_id', (eb) => eb.fn.count<number>('firm_id').distinct().as('n')])
    .where('campaign_id', 'in', campaignIds)
    .where('status', '=', 'current')
    .groupBy('campaign_id')
    .execute();
  return new Map(rows.map((r) => [r.campaign_id, Number(r.n)]));
}

/** The home page's to-do list of `user`; null for roles that have none (firm, admin). */
export async function todosOf(
  db: Executor,
  user: SessionUser,
  lang: string,
): Promise<TodoItem[] | null> {
  const today = romeToday();
  if (user.role === 'region') return regionTodos(db, user, lang, today);
  if (user.role === 'local_authority' || user.role === 'social_partner')
    return pactTodos(db, user, today);
  return null;
}
