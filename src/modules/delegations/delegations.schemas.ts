import { z } from 'zod';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const grantSchema = z.strictObject({
  // One message for empty, malformed or unknown: the user picks from a list.
  associationId: z
    .string({ message: 'delegations.errors.chooseAssociation' })
    .max(36, { message: 'delegations.errors.chooseAssociation' })
    .refine((v) => UUID.test(v), { message: 'delegations.errors.chooseAssociation' })
    .meta({ format: 'uuid' }),
});

/** The name search of the grant page: a few words, no more. */
export const searchQuery = z.strictObject({
  q: z.string().trim().max(100).optional(),
});
