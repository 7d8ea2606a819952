import type { Db } from '../../db';
import type { SessionUser } from '../../http/types';
import { localName } from '../reference/territories.repository';
import { loadPactFor } from './access';
import * as repo from './pacts.repository';
import { signatureStates } from './signatures.service';

export type PactDocument = Awaited<ReturnType<typeof pactDocument>>;

/**
 * What the pact document states, for the printable page and the PDF alike: the pact at its
 * current revision (number, hash, date), its actions with costs and totals, and who signed which
 * revision when. Signatures on an older revision are listed as superseded, never hidden.
 */
export async function pactDocument(db: Db, user: SessionUser, pactId: string, lang: string) {
  const { pact } = await loadPactFor(db, pactId, user);
  const [actions, states, territory, campaign, promoter, revision, call] = await Promise.all([
    repo.listActions(db, pactId),
    signatureStates(db, pactId, pact.revision),
    db
      .selectFrom('territories')
      .select(['code', 'name', 'names'])
      .where('code', '=', pact.territory_code)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('campaigns')
      .select('title')
      .where('id', '=', pact.campaign_id)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('organisations')
      .select('name')
      .where('id', '=', pact.promoter_org_id)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('pact_revisions')
      .select('created_at')
      .where('pact_id', '=', pactId)
      .where('number', '=', pact.revision)
      .executeTakeFirst(),
    pact.call_id ? repo.findCall(db, pact.call_id) : Promise.resolve(undefined),
  ]);
  // A signed document names each skill, with its code: "Big data e analisi dei dati (F40.a)".
  const skills = await repo.skillNames(db, [...new Set(actions.flatMap((a) => a.skill_codes))]);
  const skillLabel = (code: string) => {
    const skill = skills.find((k) => k.code === code);
    return skill ? `${localName(skill, lang)} (${code})` : code;
  };
  const totals = {
    participants: actions.reduce((s, a) => s + a.participants, 0),
    hours: actions.reduce((s, a) => s + a.hours, 0),
    costCents: call ? actions.reduce((s, a) => s + (a.cost_cents ?? 0), 0) : null,
  };
  return {
    pact,
    territory: `${localName(territory, lang)} (${territory.code})`,
    campaign: campaign.title,
    promoter: promoter.name,
    call: call
      ? {
          title: call.title,
          courseHourCents: call.course_hour_cents,
          participantHourCents: call.participant_hour_cents,
        }
      : null,
    revisionDate: revision?.created_at ?? pact.updated_at,
    actions: actions.map((a) => ({ ...a, skills: a.skill_codes.map(skillLabel) })),
    totals,
    signatories: states,
    generatedAt: new Date(),
  };
}
