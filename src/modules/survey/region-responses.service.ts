import type { Executor } from '../../db';
import { NotFoundError } from '../../lib/domain-error';
import { localName, territoryPath } from '../reference/territories.repository';
import type { Campaign } from './campaigns.service';
import { describeStoredLines, scoreView } from './questionnaire.view';
import * as repo from './responses.repository';
import { submissionOf } from '../delegations/delegations.repository';
import { sectorNames } from '../firms/firms.options';

/** One firm's answer, for the region that runs the campaign (the route checked its scope). */
export async function getResponseForRegion(
  db: Executor,
  campaign: Campaign,
  responseId: string,
  lang: string,
  t: (key: string, params?: Record<string, unknown>) => string,
) {
  const response = await repo.findResponse(db, responseId);
  if (!response || response.campaign_id !== campaign.id) throw new NotFoundError();
  const [lines, skills, occupations, path, versions, submission, sector] = await Promise.all([
    repo.responseLines(db, response.id),
    repo.skillsOfAreas(db, campaign.areas),
    repo.subMajorOccupations(db),
    territoryPath(db, response.territory_code),
    repo.listVersions(db, campaign.id, response.firm_id),
    submissionOf(db, response.id),
    sectorNames(
      db,
      { naceSection: response.nace_section, naceDivision: response.nace_division },
      lang,
    ),
  ]);
  return {
    response,
    territory: path.map((p) => localName(p, lang)).join(' › '),
    score: scoreView(response.readiness_score),
    versions,
    submission,
    sector,
    lines: describeStoredLines(lines, skills, occupations, lang, t),
  };
}
