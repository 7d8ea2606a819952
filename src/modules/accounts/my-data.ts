import type { Executor } from '../../db';
import type { SessionUser } from '../../http/types';

/**
 * Everything Patto keeps about one person, as a file they can read and take elsewhere (GDPR
 * articles 15 and 20): their account and its history, their API tokens (names and dates, never
 * the secrets), their notifications, and what they did on the platform — survey answers they
 * sent, and their comments, proposals, signatures and other acts on pacts. A firm's user also
 * gets the firm's profile, which names them as its contact person, and its answers' need lines.
 */
export async function myData(db: Executor, user: SessionUser) {
  const account = await db
    .selectFrom('users as u')
    .innerJoin('organisations as o', 'o.id', 'u.organisation_id')
    .select([
      'u.email',
      'u.full_name',
      'u.locale',
      'u.created_at',
      'u.last_login_at',
      'o.name as organisation',
      'o.kind as role',
      'o.territory_code',
    ])
    .where('u.id', '=', user.id)
    .executeTakeFirstOrThrow();
  const [history, tokens, notifications, answers, comments, amendments, signatures, acts] =
    await Promise.all([
      db
        .selectFrom('account_events as e')
        .leftJoin('users as a', 'a.id', 'e.actor_id')
        .select(['e.event', 'e.created_at as at', 'a.full_name as by', 'e.reason'])
        .select(['e.old_value', 'e.new_value'])
        .where('e.user_id', '=', user.id)
        .orderBy('e.id')
        .execute(),
      db
        .selectFrom('api_tokens')
        .select(['name', 'created_at', 'expires_at', 'last_used_at', 'revoked_at'])
        .where('user_id', '=', user.id)
        .orderBy('created_at')
        .execute(),
      db
        .selectFrom('notifications')
        .select(['kind', 'params', 'link', 'created_at', 'read_at'])
        .where('user_id', '=', user.id)
        .orderBy('created_at')
        .execute(),
      db
        .selectFrom('responses as r')
        .innerJoin('campaigns as c', 'c.id', 'r.campaign_id')
        .select([
          'r.id',
          'r.firm_id',
          'c.title as survey',
          'r.legal_name as firm',
          'r.version',
          'r.status',
          'r.submitted_at',
          'r.withdrawn_at',
        ])
        .where('r.submitted_by', '=', user.id)
        .orderBy('r.submitted_at')
        .execute(),
      db
        .selectFrom('pact_comments as c')
        .innerJoin('pacts as p', 'p.id', 'c.pact_id')
        .select(['p.id as pact_id', 'p.title as pact', 'c.revision', 'c.body', 'c.created_at'])
        .where('c.author_id', '=', user.id)
        .orderBy('c.created_at')
        .execute(),
      db
        .selectFrom('pact_amendments as a')
        .innerJoin('pacts as p', 'p.id', 'a.pact_id')
        .select([
          'p.id as pact_id',
          'p.title as pact',
          'a.kind',
          'a.rationale',
          'a.proposal',
          'a.status',
          'a.created_at',
        ])
        .where('a.proposed_by', '=', user.id)
        .orderBy('a.created_at')
        .execute(),
      db
        .selectFrom('pact_signatures as s')
        .innerJoin('pacts as p', 'p.id', 's.pact_id')
        .select(['p.id as pact_id', 'p.title as pact', 's.revision', 's.revision_hash'])
        .select('s.signed_at')
        .where('s.signed_by', '=', user.id)
        .orderBy('s.signed_at')
        .execute(),
      db
        .selectFrom('pact_audit as a')
        .innerJoin('pacts as p', 'p.id', 'a.pact_id')
        .select(['p.id as pact_id', 'p.title as pact', 'a.event', 'a.revision', 'a.at'])
        .where('a.actor_id', '=', user.id)
        .orderBy('a.id')
        .execute(),
    ]);
  // The need lines of their own firm's answers; of answers sent for other firms (under a
  // delegation, or imported by a region), which firm and when, as the firms' own data are theirs.
  const own = answers.filter((a) => a.firm_id === user.organisationId).map((a) => a.id);
  const needs = own.length
    ? await db
        .selectFrom('response_needs')
        .select([
          'response_id',
          'line_no',
          'skill_code',
          'occupation_code',
          'workers',
          'eqf_level',
          'priority',
          'modality',
          'period',
          'note',
        ])
        .where('response_id', 'in', own)
        .orderBy('response_id')
        .orderBy('line_no')
        .execute()
    : [];
  const firm =
    account.role === 'firm'
      ? await db
          .selectFrom('firms')
          .select([
            'legal_name',
            'vat_number',
            'nace_division',
            'employees',
            'territory_code',
            'contact_name',
            'contact_email',
            'contact_phone',
            'updated_at',
          ])
          .where('organisation_id', '=', user.organisationId)
          .executeTakeFirst()
      : undefined;
  return {
    exported_at: new Date().toISOString(),
    account,
    account_history: history,
    api_tokens: tokens,
    notifications,
    ...(firm ? { firm_profile: firm } : {}),
    survey_answers_sent: answers.map(({ id, firm_id, ...a }) =>
      firm_id === user.organisationId
        ? {
            ...a,
            needs: needs.filter((n) => n.response_id === id).map(({ response_id: _, ...n }) => n),
          }
        : a,
    ),
    pact_comments: comments,
    pact_amendments_proposed: amendments,
    pact_signatures: signatures,
    pact_acts: acts,
  };
}
