import { sql } from 'kysely';
import type { Executor } from '../../db';

/** The statuses of a funded pact: approved by the region, then running, then closed. */
export const FUNDED_STATUSES = ['approved', 'in_progress', 'closed'] as const;

/**
 * The participants an action `a` of a funded pact covers: those its approved amount funds (all
 * of them on a full approval, what the region stated on a partial one, none when cut to zero);
 * an action approved before funded participants were recorded and never backfilled (no approved
 * amount) counts its planned participants.
 */
export const coveredParticipants = sql`coalesce(a.funded_participants, a.participants)`;

export interface FundedPactRow {
  id: string;
  status: string;
  territory_code: string;
  territory_name: string;
  territory_names: Record<string, string>;
  promoter: string;
  title: string;
  call_id: string | null;
  call_title: string | null;
  approved_cents: number | null;
  decided_at: Date | null;
  actions: number;
  participants: number;
  /** bigint: a string from the driver. */
  spent_cents: string | number;
  spent_up_to: string | null;
}

/**
 * The funded pacts of a campaign with what the public may know of them: no user, no firm. An
 * action cut to zero by a partial approval is not funded, so it counts in neither column; one
 * approved in part counts the participants its amount funds, not all those planned.
 * Spent is the public money the execution reports declared, over every action and quarter (as
 * the dashboard sums it), and the latest quarter reported; the firms' co-financing is theirs.
 */
export async function fundedPacts(db: Executor, campaignId: string): Promise<FundedPactRow[]> {
  const { rows } = await sql<FundedPactRow>`
    SELECT p.id, p.status, p.territory_code, t.name AS territory_name, t.names AS territory_names,
           o.name AS promoter, p.title, p.call_id, f.title AS call_title, p.approved_cents,
           p.decided_at,
           count(a.id)::int AS actions,
           coalesce(sum(${coveredParticipants}), 0)::int AS participants,
           coalesce(min(s.spent_cents), 0)::bigint AS spent_cents, min(s.spent_up_to) AS spent_up_to
    FROM pacts p
    JOIN territories t ON t.code = p.territory_code
    JOIN organisations o ON o.id = p.promoter_org_id
    LEFT JOIN funding_calls f ON f.id = p.call_id
    LEFT JOIN pact_actions a ON a.pact_id = p.id AND a.approved_cents IS DISTINCT FROM 0
    -- Summed per pact apart: joined to the actions' rows, it would count once per action.
    LEFT JOIN LATERAL (SELECT sum(o.spent_cents) AS spent_cents, max(o.period) AS spent_up_to
                       FROM action_outcomes o WHERE o.pact_id = p.id) s ON true
    WHERE p.campaign_id = ${campaignId}
      AND p.status = ANY(${FUNDED_STATUSES}::text[])
    GROUP BY p.id, t.name, t.names, o.name, f.title
    ORDER BY p.territory_code, p.title, p.id`.execute(db);
  return rows;
}
