import { DomainError } from '../../lib/domain-error';

/**
 * How many of an action's planned participants an approved amount funds, pro rata of the amount
 * a full approval gives (its cost less the firms' share), rounded down: floor(planned × amount ÷
 * full). Any amount above zero funds at least one; the full amount (or more) funds everyone.
 */
export function proRataParticipants(planned: number, amountCents: number, fullCents: number) {
  if (amountCents <= 0) return 0;
  if (amountCents >= fullCents) return planned;
  return Math.max(1, Math.floor((planned * amountCents) / fullCents));
}

/**
 * The participants the region states an approved amount funds, checked: 0 to the planned
 * participants, 0 exactly when the amount is 0, every participant when the action is funded in
 * full. Left out, the pro-rata figure (`fallback`, proRataParticipants unless said otherwise).
 */
export function fundedParticipants(
  action: { id: string; participants: number },
  amountCents: number,
  fullCents: number,
  stated: number | undefined,
  fallback = proRataParticipants(action.participants, amountCents, fullCents),
) {
  const field = `participants_${action.id}`;
  if (stated === undefined) return fallback;
  const refuse = (key: string) =>
    new DomainError(`funding.errors.participants.${key}`, {
      status: 422,
      field,
      params: { planned: action.participants },
    });
  if (!Number.isInteger(stated) || stated < 0) throw refuse('format');
  if (stated > action.participants) throw refuse('abovePlanned');
  if (amountCents <= 0 && stated !== 0) throw refuse('withoutAmount');
  if (amountCents > 0 && stated === 0) throw refuse('zeroWithAmount');
  if (amountCents > 0 && amountCents >= fullCents && stated !== action.participants)
    throw refuse('fullAmount');
  return stated;
}
