/**
 * The pact state machine (DESIGN.md, "The pact workflow"): one table of
 * (status, action, party) → next status. Pure: every transition in the app goes through
 * nextStatus(), and test/pacts/workflow.test.ts checks the table exhaustively.
 */
export const PACT_STATUSES = [
  'draft',
  'negotiation',
  'agreed',
  'submitted',
  'returned',
  'approved',
  'in_progress',
  'closed',
  'rejected',
  'withdrawn',
] as const;
export type PactStatus = (typeof PACT_STATUSES)[number];

export const PACT_ACTIONS = [
  'open_negotiation',
  'agree',
  'reopen',
  'submit',
  'return',
  'approve',
  'reject',
  'start',
  'close',
  'withdraw',
] as const;
export type PactAction = (typeof PACT_ACTIONS)[number];

/** 'system' = the application itself (all signatures in, a new revision voiding them). */
export const PACT_PARTIES = ['promoter', 'signatory', 'region', 'system'] as const;
export type PactParty = (typeof PACT_PARTIES)[number];

type Rule = { to: PactStatus; by: readonly PactParty[] };

/** Withdrawal: the promoter's own decision, from any state before approval; never the region's. */
const WITHDRAW: Rule = { to: 'withdrawn', by: ['promoter'] };

export const TRANSITIONS: Readonly<Record<PactStatus, Partial<Record<PactAction, Rule>>>> = {
  draft: {
    open_negotiation: { to: 'negotiation', by: ['promoter'] },
    withdraw: WITHDRAW,
  },
  negotiation: {
    // Agreement is never declared by hand: it follows from the signatures on the current revision.
    agree: { to: 'agreed', by: ['system'] },
    withdraw: WITHDRAW,
  },
  agreed: {
    // A new revision voids the signatures, so the pact goes back to negotiation by itself.
    reopen: { to: 'negotiation', by: ['system'] },
    submit: { to: 'submitted', by: ['promoter'] },
    withdraw: WITHDRAW,
  },
  submitted: {
    approve: { to: 'approved', by: ['region'] },
    return: { to: 'returned', by: ['region'] },
    reject: { to: 'rejected', by: ['region'] },
    withdraw: WITHDRAW,
  },
  returned: {
    // The promoter reopens it explicitly, or by editing it (a revision, applied by the system).
    reopen: { to: 'negotiation', by: ['promoter', 'system'] },
    withdraw: WITHDRAW,
  },
  approved: {
    start: { to: 'in_progress', by: ['promoter', 'region'] },
  },
  in_progress: {
    close: { to: 'closed', by: ['promoter', 'region'] },
  },
  closed: {},
  rejected: {},
  withdrawn: {},
};

/** The status `action` by `party` leads to from `status`, or null when it is not allowed. */
export function nextStatus(
  status: PactStatus,
  action: PactAction,
  party: PactParty,
): PactStatus | null {
  const rule = TRANSITIONS[status]?.[action];
  return rule && rule.by.includes(party) ? rule.to : null;
}

/** The actions `party` may take on a pact in `status` (to show only the buttons that work). */
export function allowedActions(status: PactStatus, party: PactParty): PactAction[] {
  return PACT_ACTIONS.filter((a) => nextStatus(status, a, party) !== null);
}

/** States in which the content (fields, actions, signatories) may still change. */
export const EDITABLE_STATUSES: readonly PactStatus[] = [
  'draft',
  'negotiation',
  'agreed',
  'returned',
];
export function isEditable(status: PactStatus): boolean {
  return EDITABLE_STATUSES.includes(status);
}

/** Pacts that still claim their needs (the needs-backing rule counts only these). */
export const INACTIVE_STATUSES: readonly PactStatus[] = ['rejected', 'withdrawn'];
export function claimsNeeds(status: PactStatus): boolean {
  return !INACTIVE_STATUSES.includes(status);
}

export function isPactStatus(v: unknown): v is PactStatus {
  return typeof v === 'string' && (PACT_STATUSES as readonly string[]).includes(v);
}
