import type { Executor } from '../../db';
import type { SessionUser } from '../../http/types';
import { localName } from '../reference/territories.repository';
import { firmNeedCoverage, type CoverageRow } from './coverage.repository';

export interface CoveringAction {
  pactTitle: string;
  pactStatus: string;
  actionTitle: string;
  period: string;
  modality: string;
  /** Participants planned and funded: fewer funded when the region approved it in part. */
  participants: number;
  fundedParticipants: number;
  partlyFunded: boolean;
}

export interface CoveredLine {
  lineNo: number;
  skillCode: string;
  skill: string;
  workers: number;
  period: string;
  modality: string;
  actions: CoveringAction[];
}

export interface CampaignCoverage {
  campaignId: string;
  title: string;
  version: number;
  submittedAt: Date;
  lines: CoveredLine[];
  covered: number;
}

/**
 * The firm's own need lines, per campaign, with the funded actions covering each. Only the
 * signed-in firm's organisation is ever read: there is no parameter naming another firm.
 */
export async function myCoverage(
  db: Executor,
  user: SessionUser,
  lang: string,
): Promise<CampaignCoverage[]> {
  const rows = await db.transaction().execute((tx) => firmNeedCoverage(tx, user.organisationId));
  const campaigns = new Map<string, CampaignCoverage>();
  const lines = new Map<string, CoveredLine>();
  for (const r of rows) {
    let c = campaigns.get(r.campaign_id);
    if (!c) {
      c = {
        campaignId: r.campaign_id,
        title: r.campaign_title,
        version: r.version,
        submittedAt: r.submitted_at,
        lines: [],
        covered: 0,
      };
      campaigns.set(r.campaign_id, c);
    }
    const key = `${r.response_id}|${r.line_no}`;
    let line = lines.get(key);
    if (!line) {
      line = toLine(r, lang);
      lines.set(key, line);
      c.lines.push(line);
    }
    if (r.action_id) {
      if (line.actions.length === 0) c.covered++;
      line.actions.push({
        pactTitle: r.pact_title!,
        pactStatus: r.pact_status!,
        actionTitle: r.action_title!,
        period: r.action_period!,
        modality: r.action_modality!,
        participants: r.action_participants!,
        fundedParticipants: r.action_funded!,
        partlyFunded: r.action_funded! < r.action_participants!,
      });
    }
  }
  return [...campaigns.values()];
}

const toLine = (r: CoverageRow, lang: string): CoveredLine => ({
  lineNo: r.line_no,
  skillCode: r.skill_code,
  skill: localName({ name: r.skill_name, names: r.skill_names }, lang),
  workers: r.workers,
  period: r.period,
  modality: r.modality,
  actions: [],
});
