import { z } from 'zod';
import { EMAIL_MODES } from './notifications.tables';

export const preferencesSchema = z.strictObject({
  emailMode: z.enum(EMAIL_MODES),
});

/** ?page=N: anything odd is the first page, with a notice, rather than an error. */
export const pageQuery = z.object({ page: z.coerce.number().int().min(1).max(1000).default(1) });

export const INBOX_PAGE_SIZE = 20;
