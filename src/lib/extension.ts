import { DomainError } from './domain-error';

/**
 * The rules of a "proroga" (a survey's closing day, a call's deadline): only while it is open
 * (also once the day has gone by), only to a later day, not to one already past. The same day
 * asked again once extended is a double click, done already: false. True: extend.
 */
export function checkExtension(
  now: { status: string; day: string; firstDay: string | null },
  day: string,
  today: string,
  refusal: { namespace: string; field: string; past: string },
): boolean {
  if (now.status !== 'open')
    throw new DomainError(`${refusal.namespace}.errors.cannot.extend`, {
      params: { status: now.status },
    });
  if (day === now.day && now.firstDay) return false;
  const field = { field: refusal.field, status: 422 };
  if (day <= now.day)
    throw new DomainError(`${refusal.namespace}.errors.extendNotLater`, {
      ...field,
      params: { date: now.day },
    });
  if (day < today) throw new DomainError(refusal.past, field);
  return true;
}
