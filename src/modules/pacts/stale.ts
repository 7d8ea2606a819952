import { DomainError } from '../../lib/domain-error';

/**
 * The form was read at an older revision than the pact now has: the save is refused (409), and
 * the page shows the current version beside what the user typed, so nothing is lost.
 */
export class StaleRevisionError extends DomainError {
  constructor(
    readonly current: number,
    readonly submitted: number,
  ) {
    super('pacts.errors.stale', {
      status: 409,
      apiField: 'revision',
      params: { current, submitted },
    });
  }
}

export function assertRevision(pact: { revision: number }, submitted: number): void {
  if (pact.revision !== submitted) throw new StaleRevisionError(pact.revision, submitted);
}
