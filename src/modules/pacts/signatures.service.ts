import type { Db, Executor, Tx } from '../../db';
import { createOnce } from '../../http/form-key';
import type { SessionUser } from '../../http/types';
import { DomainError } from '../../lib/domain-error';
import { loadPactFor } from './access';
import { appendAudit } from './audit';
import { actionCount } from './pacts.repository';
import { notifyNegotiation, partiesOf } from './negotiation.notify';
import { evaluateAgreement, type Agreement } from './signatures.rules';
import type { Pact } from './pacts.tables';
import { transitionPact } from './transitions';

/** The form (or API body) names the revision it shows AND its hash: the text the signer read. */
export interface SignInput {
  revision: number;
  hash: string;
}

/**
 * Refused: the signer read another revision than the current one (or, with the right number,
 * a text whose hash is not the revision's: a tampered or corrupted form). The page says which
 * is current and links to it; nothing was recorded.
 */
export class StaleSignatureError extends DomainError {
  constructor(
    readonly current: number,
    readonly submitted: number,
  ) {
    const key = current === submitted ? 'signatureHashMismatch' : 'staleSignature';
    super(`negotiation.errors.${key}`, {
      status: 409,
      apiField: current === submitted ? 'hash' : 'revision',
      params: { current, submitted },
    });
  }
}

/** Every invited signatory with its latest signature, and whether that one is on `revision`. */
export async function signatureStates(db: Executor, pactId: string, revision: number) {
  const signatories = await db
    .selectFrom('pact_signatories as s')
    .innerJoin('organisations as o', 'o.id', 's.organisation_id')
    .select(['o.id', 'o.name', 'o.kind', 'o.partner_type'])
    .where('s.pact_id', '=', pactId)
    .where('s.removed_at', 'is', null)
    .orderBy('o.name')
    .execute();
  const signatures = await db
    .selectFrom('pact_signatures as g')
    .innerJoin('users as u', 'u.id', 'g.signed_by')
    .select([
      'g.organisation_id',
      'g.revision',
      'g.revision_hash',
      'g.signed_at',
      'u.full_name as signer',
    ])
    .where('g.pact_id', '=', pactId)
    .orderBy('g.revision', 'desc')
    .execute();
  return signatories.map((s) => {
    const latest = signatures.find((g) => g.organisation_id === s.id);
    return {
      ...s,
      latest: latest ?? null,
      signedCurrent: latest?.revision === revision,
      superseded: !!latest && latest.revision !== revision,
    };
  });
}

export async function agreementOf(db: Executor, pactId: string, revision: number) {
  const states = await signatureStates(db, pactId, revision);
  const agreement: Agreement = evaluateAgreement(
    states.map((s) => ({ id: s.id, partnerType: s.partner_type, signedCurrent: s.signedCurrent })),
  );
  return { states, agreement };
}

/**
 * A signatory organisation signs the current revision. Under the pact's row lock, so two last
 * signatures at once agree the pact exactly once; when all invited signatories have signed this
 * revision and parity holds, the pact becomes agreed (a system transition).
 */
export async function signPact(
  db: Db,
  user: SessionUser,
  pactId: string,
  input: SignInput,
  formKey?: string,
) {
  return db.transaction().execute(async (tx) => {
    const { pact, party } = await loadPactFor(tx, pactId, user, { forUpdate: true });
    // The promoter submits the pact; it never signs, least of all for a signatory.
    if (party !== 'signatory')
      throw new DomainError('negotiation.errors.signatoryOnly', { status: 403 });
    let signed: Signed | undefined;
    await createOnce(tx, user.id, formKey, async () => {
      signed = await insertSignature(tx, user, pact, input);
      return pactId;
    });
    if (signed) return signed;
    // `formKey` (an API Idempotency-Key's, see http/form-key): a retry of a request whose
    // signature committed but whose answer was lost. Answered as that request was, even once the
    // pact moved on to a new revision (the same key carries the same body, so the same revision).
    const made = await tx
      .selectFrom('pact_signatures')
      .select('revision_hash')
      .where('pact_id', '=', pactId)
      .where('organisation_id', '=', user.organisationId)
      .where('revision', '=', input.revision)
      .executeTakeFirstOrThrow();
    const { agreement } = await agreementOf(tx, pactId, input.revision);
    return { revision: input.revision, hash: made.revision_hash, agreement, repeated: false };
  });
}

type Signed = { revision: number; hash: string; agreement: Agreement; repeated: boolean };

async function insertSignature(
  tx: Tx,
  user: SessionUser,
  pact: Pact,
  input: SignInput,
): Promise<Signed> {
  const pactId = pact.id;
  if (input.revision !== pact.revision || input.hash !== pact.revision_hash)
    throw new StaleSignatureError(pact.revision, input.revision);
  // Signed already (a double click, a colleague first, an API client retrying after a
  // timeout): the signature asked for is there, whatever the pact became since (the last
  // signature agrees it). Answered as it stands, nothing recorded or notified again.
  const own = await tx
    .selectFrom('pact_signatures')
    .select('signed_at')
    .where('pact_id', '=', pactId)
    .where('organisation_id', '=', user.organisationId)
    .where('revision', '=', pact.revision)
    .executeTakeFirst();
  if (own) {
    const { agreement } = await agreementOf(tx, pactId, pact.revision);
    return { revision: pact.revision, hash: pact.revision_hash, agreement, repeated: true };
  }
  if (pact.status !== 'negotiation')
    throw new DomainError('negotiation.errors.notSignable', {
      status: 409,
      params: { status: pact.status },
    });
  // A signature binds its organisation to the revision's actions: with none it would agree
  // (and notify as agreed) a pact that commits to nothing.
  if ((await actionCount(tx, pactId)) === 0)
    throw new DomainError('negotiation.errors.nothingToSign', {
      params: { revision: pact.revision },
    });
  const inserted = await tx
    .insertInto('pact_signatures')
    .values({
      pact_id: pactId,
      organisation_id: user.organisationId,
      revision: pact.revision,
      revision_hash: pact.revision_hash,
      signed_by: user.id,
    })
    .onConflict((oc) => oc.doNothing())
    .returning('signed_at')
    .executeTakeFirst();
  if (!inserted)
    throw new DomainError('negotiation.errors.alreadySigned', {
      status: 409,
      params: { revision: pact.revision },
    });
  await appendAudit(tx, {
    pactId,
    actor: user,
    event: 'signed',
    revision: pact.revision,
    detail: { organisation: user.organisationId, hash: pact.revision_hash },
  });
  await notifyNegotiation(tx, {
    pact,
    kind: 'pact_signed',
    organisationIds: (await partiesOf(tx, pactId)).filter((o) => o !== user.organisationId),
    actor: user,
    link: `/pacts/${pactId}/negotiation`,
    params: { organisation: user.organisationName, revision: pact.revision },
  });
  const { agreement } = await agreementOf(tx, pactId, pact.revision);
  if (agreement.agreed)
    await transitionPact(tx, pactId, 'agree', user, {
      party: 'system',
      detail: { revision: pact.revision, hash: pact.revision_hash },
    });
  return { revision: pact.revision, hash: pact.revision_hash, agreement, repeated: false };
}
