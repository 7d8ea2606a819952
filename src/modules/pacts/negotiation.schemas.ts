import { z } from 'zod';
import { POSITIONS } from './negotiation.tables';

/** The revision a form was read at (the optimistic lock every negotiation form carries). */
export const revisionField = z.coerce.number().int().min(1).max(1_000_000);
const optionalUuid = z
  .union([z.uuid(), z.literal('')])
  .optional()
  .transform((v) => v || null);

export const COMMENT_MAX = 2000;
export const commentSchema = z.strictObject({
  body: z.string().trim().min(1).max(COMMENT_MAX),
  /** Empty: a comment on the pact as a whole. */
  actionId: optionalUuid,
});
export type CommentInput = z.output<typeof commentSchema>;

export const positionSchema = z.strictObject({
  position: z.enum(POSITIONS),
  note: z.string().trim().max(500).optional().default(''),
});
export type PositionInput = z.output<typeof positionSchema>;

export const signSchema = z.strictObject({
  revision: revisionField,
  hash: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[0-9a-f]{64}$/),
});

export const decisionSchema = z.strictObject({
  revision: revisionField,
  decision: z.enum(['accept', 'decline']),
  reason: z.string().trim().max(1000).optional().default(''),
});
export type DecisionInput = z.output<typeof decisionSchema>;

/** A form with nothing but its CSRF token (withdrawing one's amendment). */
export const emptySchema = z.strictObject({});
