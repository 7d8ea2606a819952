import { sql } from 'kysely';
import type { Executor } from '../../db';
import { coveredParticipants, FUNDED_STATUSES } from '../opendata/opendata.repository';

/**
 * The one definition of coverage, shared by the firm's page and the impact comparison: the
 * funded actions covering need line `n` of response `r`. An action covers a line when its pact
 * answers the same campaign, is funded (approved, in progress or closed), lies in the firm's
 * territory or above it (the pact's territory is an ancestor-or-self of the comune the response
 * was given from), the action was not cut to zero by a partial approval (it funds someone),
 * and its skills include the line's skill. The aliases `r` and `n` must be in scope where it is used.
 */
const coveringActions = sql`
  SELECT p.id AS pact_id, p.title AS pact_title, p.status AS pact_status, a.id AS action_id,
         a.title AS action_title, a.period AS action_period, a.modality AS action_modality,
         a.position AS action_position, a.participants AS action_participants,
         ${coveredParticipants} AS action_funded
  FROM pacts p
  JOIN territory_ancestors ta ON ta.ancestor_code = p.territory_code AND ta.code = r.territory_code
  JOIN pact_actions a ON a.pact_id = p.id
  WHERE p.campaign_id = r.campaign_id
    AND p.status = ANY(${FUNDED_STATUSES}::text[])
    AND a.approved_cents IS DISTINCT FROM 0 AND ${coveredParticipants} > 0
    AND n.skill_code = ANY(a.skill_codes)`;

/** Whether response `r` has a need line covered by a funded action (for the impact groups). */
export const hasCoveredLine = sql`EXISTS (
  SELECT 1 FROM response_needs n WHERE n.response_id = r.id AND EXISTS (${coveringActions}))`;

export interface CoverageRow {
  campaign_id: string;
  campaign_title: string;
  response_id: string;
  version: number;
  submitted_at: Date;
  line_no: number;
  skill_code: string;
  skill_name: string;
  skill_names: Record<string, string>;
  workers: number;
  period: string;
  modality: string;
  pact_id: string | null;
  pact_title: string | null;
  pact_status: string | null;
  action_id: string | null;
  action_title: string | null;
  action_period: string | null;
  action_modality: string | null;
  action_participants: number | null;
  action_funded: number | null;
}

/**
 * Every need line of the firm's current response to each campaign (a withdrawn answer has
 * none), with each funded action covering it: one row per (line, action), or one row with no
 * action when nothing covers the line.
 */
export async function firmNeedCoverage(db: Executor, firmId: string): Promise<CoverageRow[]> {
  const { rows } = await sql<CoverageRow>`
    SELECT c.id AS campaign_id, c.title AS campaign_title, r.id AS response_id, r.version,
           r.submitted_at, n.line_no, n.skill_code, s.name AS skill_name, s.names AS skill_names,
           n.workers, n.period, n.modality, cov.pact_id, cov.pact_title, cov.pact_status,
           cov.action_id, cov.action_title, cov.action_period, cov.action_modality,
           cov.action_participants, cov.action_funded
    FROM responses r
    JOIN campaigns c ON c.id = r.campaign_id
    JOIN response_needs n ON n.response_id = r.id
    JOIN skills s ON s.code = n.skill_code
    LEFT JOIN LATERAL (${coveringActions}) cov ON true
    WHERE r.firm_id = ${firmId} AND r.status = 'current'
    ORDER BY c.opens_at DESC, c.created_at DESC, n.line_no, cov.pact_title, cov.action_position`.execute(
    db,
  );
  return rows;
}
