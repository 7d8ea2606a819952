import { z } from 'zod';
import { shortText } from '../../http/validate';
import type { AmendmentFields } from './negotiation.tables';
import { revisionField } from './negotiation.schemas';
import { actionSchema } from './pacts.schemas';

/** Every proposal says why (≤ 2000) and names the revision its author read; last, as on the form. */
const common = {
  revision: revisionField,
  rationale: z.string().trim().min(1).max(2000),
};
/** An action's fields exactly as the promoter's action form takes them (same limits). */
const actionShape = actionSchema.omit({ revision: true }).shape;

export const proposalSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('change_action'),
    actionId: z.uuid(),
    ...actionShape,
    ...common,
  }),
  z.strictObject({ kind: z.literal('add_action'), ...actionShape, ...common }),
  z.strictObject({ kind: z.literal('remove_action'), actionId: z.uuid(), ...common }),
  z.strictObject({
    kind: z.literal('change_pact'),
    title: shortText(200),
    summary: z.string().trim().max(4000).optional().default(''),
    ...common,
  }),
]);
export type ProposalInput = z.output<typeof proposalSchema>;

/** The proposed fields, in the stored shape (form names; skills sorted and unique). */
export function proposedFields(input: ProposalInput): AmendmentFields {
  switch (input.kind) {
    case 'remove_action':
      return {};
    case 'change_pact':
      return { title: input.title, summary: input.summary };
    default:
      return {
        title: input.title,
        description: input.description,
        skills: [...new Set(input.skills)].sort(),
        participants: input.participants,
        hours: input.hours,
        modality: input.modality,
        eqfLevel: input.eqfLevel,
        period: input.period,
        provider: input.provider,
      };
  }
}

/** The query of /amendments/new: what the proposal is about. */
export const newProposalQuery = z.strictObject({
  kind: z.enum(['change_action', 'add_action', 'remove_action', 'change_pact']).optional(),
  action: z.uuid().optional(),
});
