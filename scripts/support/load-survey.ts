import type autocannon from 'autocannon';
import { surveyAnswer, type SurveyFixture } from './load-fixtures';

// The requests of bench:load's survey submission scenario, for the app and for its ceiling. Each
// op takes the next prepared firm (see SURVEY_OPS_PER_S in bench-load.ts for why and how many).
type Requests = autocannon.Request[];
type Ctx = Record<string, string>;
const json = { 'content-type': 'application/json' };
const ANSWER = surveyAnswer();
let appTurn = 0;
let ceilingTurn = 0;

/** PUT the answer into the firm's draft (saveResponseDraft), then submit that version. */
export function submission(s: SurveyFixture): Requests {
  const path = `/api/v1/campaigns/${s.campaignId}/response`;
  const headers = (ctx: Ctx) => ({ ...json, authorization: `Bearer ${ctx.token}` });
  return [
    {
      method: 'PUT',
      path: `${path}/draft`,
      setupRequest: (req, context) => {
        const ctx = context as Ctx;
        if (appTurn === s.firms.length)
          console.log(
            `  all ${s.firms.length} firms have answered: raise SURVEY_OPS_PER_S in bench-load.ts`,
          );
        ctx.token = s.firms[appTurn++ % s.firms.length]!.token;
        return { ...req, headers: headers(ctx), body: JSON.stringify({ version: 1, ...ANSWER }) };
      },
      onResponse: (status, body, context) => {
        if (status === 200) (context as Ctx).version = String(JSON.parse(body).version);
      },
    },
    {
      method: 'POST',
      path: `${path}/submit`,
      setupRequest: (req, context) => {
        const ctx = context as Ctx;
        const body = JSON.stringify({ version: Number(ctx.version ?? 0) });
        return { ...req, headers: headers(ctx), body };
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
