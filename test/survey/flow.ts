import type { Db } from '../../src/db';
import type { Agent } from '../helpers/app';
import { readinessForm, versionOf } from './helpers';

/** The page's CSRF token and draft version, then a POST of the form, as a browser does it. */
export async function postStep(
  agent: Agent,
  path: string,
  body: Record<string, string | string[]>,
  action = path,
) {
  const page = await agent.get(path);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
  return agent
    .post(action)
    .type('form')
    .send({ _csrf: csrf, ...versionField(page.text), ...body });
}

/** The page's draft version, when the page has one (the receipt has none). */
const versionField = (html: string) =>
  /name="version"/.test(html) ? { version: versionOf(html) } : {};

/** Walks a firm with a complete profile through steps 1 and 2, to the need lines. */
export async function reachNeeds(
  agent: Agent,
  db: Db,
  campaignId: string,
  firmId: string,
  suffix = '',
) {
  const f = await db
    .selectFrom('firms')
    .selectAll()
    .where('organisation_id', '=', firmId)
    .executeTakeFirstOrThrow();
  const r1 = await postStep(agent, `/survey/${campaignId}/step/1${suffix}`, {
    action: 'next',
    legalName: f.legal_name,
    vatNumber: f.vat_number!,
    naceDivision: f.nace_division!,
    employees: String(f.employees),
    territoryCode: f.territory_code!,
    contactName: f.contact_name!,
    contactEmail: f.contact_email!,
  });
  if (r1.status !== 302) throw new Error(`step 1 answered ${r1.status}`);
  const r2 = await postStep(agent, `/survey/${campaignId}/step/2${suffix}`, {
    action: 'next',
    ...readinessForm,
  });
  if (r2.status !== 302) throw new Error(`step 2 answered ${r2.status}`);
}

/** Step 3 with these lines, then review and submit; returns the submit response. */
export async function submitLines(
  agent: Agent,
  campaignId: string,
  body: Record<string, string>,
  suffix = '',
) {
  const r3 = await postStep(agent, `/survey/${campaignId}/step/3${suffix}`, {
    action: 'next',
    ...body,
  });
  if (r3.status !== 302) throw new Error(`step 3 answered ${r3.status}`);
  return postStep(
    agent,
    `/survey/${campaignId}/step/4${suffix}`,
    {},
    `/survey/${campaignId}/submit${suffix}`,
  );
}
