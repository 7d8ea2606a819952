import { z } from 'zod';
import { EMAIL_MODES } from './notifications.tables';

export const preferencesSchema = z.strictObject({
  emailMode: z.enum(EMAIL_MODES),
});

/** ?page=N: anything odd is the first page rather than an error. */
export const pageQuery = z.coerce.number().int().min(1).max(1000).catch(1);

export const INBOX_PAGE_SIZE = 20;
