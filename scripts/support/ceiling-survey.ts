import crypto from 'node:crypto';
import type { Express } from 'express';
import type pg from 'pg';
import { z } from 'zod';
import type { Db } from '../../src/db';
import { fundedPacts } from '../../src/modules/opendata/opendata.repository';
import { needLineSchema, readinessSchema } from '../../src/modules/survey/questionnaire.schemas';
import { overallScore } from '../../src/modules/survey/readiness';

// The ceilings of bench:load's survey submission, needs page and dashboard: the database work
// of the app's scenario done bare, as in ceiling-server.ts. What each leaves out is said below.

type SessionUser = (sid: string) => Promise<{ id: string; territory_code: string }>;

const answer = z.strictObject({
  campaignId: z.uuid(),
  firmId: z.uuid(),
  userId: z.uuid(),
  readiness: readinessSchema,
  needs: z.array(needLineSchema).min(1).max(50),
});

// The response row with the firm's profile copied in, and its lines, in one statement as the
// app's insertResponseWithLines writes them.
const INSERT_RESPONSE = `
  WITH r AS (
    INSERT INTO responses (id, campaign_id, firm_id, version, status, submitted_by, legal_name,
      territory_code, nace_version, nace_section, nace_division, employees, size_class,
      dma_strategy, dma_readiness, dma_human, dma_data, dma_automation, dma_green,
      readiness_score, technologies, need_count, workers_total)
    SELECT $1, $2, f.organisation_id, 1, 'current', $4, f.legal_name, f.territory_code,
           f.nace_version, f.nace_section, f.nace_division, f.employees, f.size_class,
           $5, $6, $7, $8, $9, $10, $11, $12, $13, $14
    FROM firms f WHERE f.organisation_id = $3
    RETURNING id)
  INSERT INTO response_needs (response_id, line_no, area_code, skill_code, occupation_code,
    workers, eqf_level, priority, modality, period, note)
  SELECT r.id, l.line_no, s.area_code, l.skill, l.occupation, l.workers, l.eqf, l.priority,
         l.modality, l.period, nullif(l.note, '')
  FROM r, json_to_recordset($15::json) AS l(line_no int, skill text, occupation text,
    workers int, eqf int, priority text, modality text, period text, note text)
  JOIN skills s ON s.code = l.skill`;

const viewQuery = z.strictObject({ sid: z.string().min(1).max(100), campaign: z.uuid() });
const CAMPAIGN = 'SELECT id, title, territory_code, disclosure_k FROM campaigns WHERE id = $1';
const CHILDREN = `
  SELECT t.code, t.level, t.name, t.names,
         (SELECT count(*)::int FROM territories c
          WHERE c.parent_code = t.code AND c.valid_to IS NULL) AS children
  FROM territories t WHERE t.parent_code = $1 AND t.valid_to IS NULL ORDER BY t.name`;
// Each territory's cells summed over the territories below it (need_cells holds their own).
const SUMMED_CELLS = `
  SELECT ta.ancestor_code AS territory_code, c.dim, c.value, sum(c.firms)::int AS firms,
         sum(c.workers)::bigint AS workers, coalesce(max(c.top_shares[1]), 0)::int AS top
  FROM need_cells c JOIN territory_ancestors ta ON ta.code = c.territory_code
  WHERE c.campaign_id = $1 AND c.priority = '*' AND c.period = '*'
    AND c.dim = ANY($2::text[]) AND ta.ancestor_code = ANY($3::text[])
  GROUP BY 1, 2, 3`;
const FIRMS_BELOW = `
  SELECT ta.ancestor_code AS code, count(*)::int AS firms
  FROM responses r JOIN territory_ancestors ta ON ta.code = r.territory_code
  WHERE r.campaign_id = $1 AND r.status = 'current' AND ta.ancestor_code = ANY($2::text[])
  GROUP BY 1`;
// Funded actions, ledger commitments and outcome reports of the campaign's pacts.
const FLOWS = `
  SELECT p.territory_code, a.period, a.participants AS covered, 0 AS committed, 0 AS spent,
         0 AS enrolled, 0 AS completed
  FROM pacts p JOIN pact_actions a ON a.pact_id = p.id
  WHERE p.campaign_id = $1 AND p.status IN ('approved', 'in_progress', 'closed')
  UNION ALL
  SELECT p.territory_code, NULL, 0, b.amount_cents, 0, 0, 0
  FROM pacts p JOIN budget_commitments b ON b.pact_id = p.id WHERE p.campaign_id = $1
  UNION ALL
  SELECT p.territory_code, o.period, 0, 0, o.spent_cents, o.enrolled, o.completed
  FROM pacts p JOIN action_outcomes o ON o.pact_id = p.id WHERE p.campaign_id = $1`;
const PACT_SUMS = `
  SELECT ta.ancestor_code AS code, sum(f.covered)::bigint AS covered,
         sum(f.committed)::bigint AS committed_cents, sum(f.spent)::bigint AS spent_cents,
         sum(f.enrolled)::bigint AS enrolled, sum(f.completed)::bigint AS completed
  FROM (${FLOWS}) f JOIN territory_ancestors ta ON ta.code = f.territory_code
  WHERE ta.ancestor_code = ANY($2::text[])
  GROUP BY 1`;
const NEEDS_BY_PERIOD = `
  SELECT c.period, sum(c.firms)::int AS firms, sum(c.workers)::bigint AS workers
  FROM need_cells c JOIN territory_ancestors ta ON ta.code = c.territory_code
  WHERE c.campaign_id = $1 AND c.dim = 'total' AND c.priority = '*' AND c.period <> '*'
    AND ta.ancestor_code = $2
  GROUP BY 1`;
const FLOWS_BY_PERIOD = `
  SELECT f.period, sum(f.covered)::bigint AS covered, sum(f.completed)::bigint AS completed
  FROM (${FLOWS}) f
  WHERE f.period IS NOT NULL
    AND f.territory_code IN (SELECT code FROM territory_ancestors WHERE ancestor_code = $2)
  GROUP BY 1`;

export function surveyCeilings(app: Express, pool: pg.Pool, sessionUser: SessionUser): void {
  // A submission with no draft, no session or token, no check against the reference lists
  // beyond the foreign keys, no locks and no aggregate upkeep.
  app.post('/responses', async (req, res) => {
    const b = answer.parse(req.body);
    const r = b.readiness;
    const id = crypto.randomUUID();
    const { rowCount } = await pool.query(INSERT_RESPONSE, [
      ...[id, b.campaignId, b.firmId, b.userId],
      ...[r.strategy, r.readiness, r.human, r.data, r.automation, r.green, overallScore(r)],
      ...[r.technologies, b.needs.length, b.needs.reduce((a, l) => a + l.workers, 0)],
      JSON.stringify(b.needs.map((l, i) => ({ ...l, line_no: i + 1 }))),
    ]);
    // Not one line less than sent: an unknown firm or skill would make it silently cheaper.
    if (rowCount !== b.needs.length) throw new Error(`${rowCount} of ${b.needs.length} lines`);
    res.status(201).json({ id, version: 1 });
  });

  // /needs for a region: the campaign's territory, its children, their cells by skill area
  // (no disclosure control to solve: a region reads its own numbers unprotected).
  app.get('/needs', async (req, res) => {
    const q = viewQuery.parse(req.query);
    const user = await sessionUser(q.sid);
    const campaign = (await pool.query(CAMPAIGN, [q.campaign])).rows[0];
    const children = await pool.query(CHILDREN, [campaign.territory_code]);
    const codes = [campaign.territory_code, ...children.rows.map((c) => c.code)];
    const cells = await pool.query(SUMMED_CELLS, [campaign.id, ['area', 'total'], codes]);
    res.json({ user, campaign, children: children.rows, cells: cells.rows });
  });

  // /dashboard for a region: per child territory its workers in need, firms surveyed (counted
  // from the responses each time, where the app reuses a per-process summary of the campaign),
  // pact and ledger sums; the quarterly series of needs and flows of the whole territory.
  app.get('/dashboard', async (req, res) => {
    const q = viewQuery.parse(req.query);
    const user = await sessionUser(q.sid);
    const campaign = (await pool.query(CAMPAIGN, [q.campaign])).rows[0];
    const top = campaign.territory_code;
    const children = await pool.query(CHILDREN, [top]);
    const codes = [top, ...children.rows.map((c) => c.code)];
    const [cells, firms, pacts, needs, flows] = await Promise.all([
      pool.query(SUMMED_CELLS, [campaign.id, ['total'], codes]),
      pool.query(FIRMS_BELOW, [campaign.id, codes]),
      pool.query(PACT_SUMS, [campaign.id, codes]),
      pool.query(NEEDS_BY_PERIOD, [campaign.id, top]),
      pool.query(FLOWS_BY_PERIOD, [campaign.id, top]),
    ]);
    res.json({
      user,
      campaign,
      children: children.rows,
      ...{ cells: cells.rows, firms: firms.rows, pacts: pacts.rows },
      series: { needs: needs.rows, flows: flows.rows },
    });
  });
}

const campaignQuery = z.strictObject({ campaign: z.uuid() });

/**
 * /open-data/pacts.json, anonymous: the app's own funded-pacts query (through Kysely: the same
 * statement), sent as JSON with no campaign check, localisation, licence or dictionary.
 */
export function openDataCeiling(app: Express, db: Db) {
  app.get('/open-data/pacts', async (req, res) => {
    const { campaign } = campaignQuery.parse(req.query);
    res.json({ records: await fundedPacts(db, campaign) });
  });
}
