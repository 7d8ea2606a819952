import type autocannon from 'autocannon';
import { surveyAnswer, type SurveyFixture } from './load-fixtures';

// The requests of bench:load's survey submission scenario, for the app and for its ceiling. Each
// op takes the next prepared firm (see SURVEY_OPS_PER_S in bench-load.ts for why and how many).
type Requests = autocannon.Request[];
const json = { 'content-type': 'application/json' };
const ANSWER = surveyAnswer();
let appTurn = 0;
let ceilingTurn = 0;

/** Submit the answer with the firm's draft version in one call (submitResponse with answers). */
export function submission(s: SurveyFixture): Requests {
  return [
    {
      method: 'POST',
      path: `/api/v1/campaigns/${s.campaignId}/response/submit`,
      setupRequest: (req) => {
        if (appTurn === s.firms.length)
          console.log(
            `  all ${s.firms.length} firms have answered: raise SURVEY_OPS_PER_S in bench-load.ts`,
          );
        const token = s.firms[appTurn++ % s.firms.length]!.token;
        return {
          ...req,
          headers: { ...json, authorization: `Bearer ${token}` },
          body: JSON.stringify({ version: 1, ...ANSWER }),
        };
      },
    },
  ];
}

/** The same answer posted bare, into the ceiling's campaigns one after another. */
export function bareSubmission(s: SurveyFixture): Requests {
  return [
    {
      method: 'POST',
      path: '/responses',
      setupRequest: (req) => {
        const n = ceilingTurn++;
        const firm = s.firms[n % s.firms.length]!;
        const campaign = Math.floor(n / s.firms.length) % s.ceilingCampaigns.length;
        const body = JSON.stringify({
          campaignId: s.ceilingCampaigns[campaign],
          firmId: firm.id,
          userId: firm.userId,
          ...ANSWER,
        });
        return { ...req, headers: json, body };
      },
    },
  ];
}
