/**
 * A rule of the domain was broken. `messageKey` is an i18n key; `field` names the form field the
 * message belongs next to; `status` is what the HTTP layer answers (409 conflict by default).
 */
export class DomainError extends Error {
  constructor(
    readonly messageKey: string,
    readonly options: {
      field?: string;
      /**
       * The API body's field, where the form's has no place on the page (its hidden revision):
       * the API's error points at it, the page says it above the form.
       */
      apiField?: string;
      status?: number;
      params?: Record<string, unknown>;
      /** Every problem when there are several, each on its field (the API lists them all). */
      details?: { field: string; key: string; params?: Record<string, unknown> }[];
    } = {},
  ) {
    super(messageKey);
  }

  get status(): number {
    return this.options.status ?? 409;
  }
}

export class NotFoundError extends DomainError {
  constructor(messageKey = 'errors.notFound', params?: Record<string, unknown>) {
    super(messageKey, { status: 404, params });
  }
}
