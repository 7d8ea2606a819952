/**
 * When a pact is agreed (DESIGN.md): every invited signatory signed the current revision, and
 * the parity rule holds — among the signers at least one employer association and one trade
 * union, the joint agreement Italy's training funds require before funding. Pure.
 */
export interface SignatoryState {
  id: string;
  partnerType: string | null;
  /** Signed the pact's current revision. */
  signedCurrent: boolean;
}

export interface Agreement {
  total: number;
  signed: number;
  missing: string[];
  allSigned: boolean;
  hasEmployer: boolean;
  hasUnion: boolean;
  /** Whether one is even invited (else the promoter must invite one: signing cannot help). */
  employerInvited: boolean;
  unionInvited: boolean;
  parity: boolean;
  agreed: boolean;
}

export function evaluateAgreement(signatories: SignatoryState[]): Agreement {
  const signers = signatories.filter((s) => s.signedCurrent);
  const missing = signatories.filter((s) => !s.signedCurrent).map((s) => s.id);
  const hasEmployer = signers.some((s) => s.partnerType === 'employer_association');
  const hasUnion = signers.some((s) => s.partnerType === 'trade_union');
  const allSigned = signatories.length > 0 && missing.length === 0;
  const parity = hasEmployer && hasUnion;
  return {
    total: signatories.length,
    signed: signers.length,
    missing,
    allSigned,
    hasEmployer,
    hasUnion,
    employerInvited: signatories.some((s) => s.partnerType === 'employer_association'),
    unionInvited: signatories.some((s) => s.partnerType === 'trade_union'),
    parity,
    agreed: allSigned && parity,
  };
}

/** What still blocks agreement, for the board's summary line. */
export interface Blocking {
  objections: number;
  openAmendments: number;
  missingSignatures: number;
  noEmployer: boolean;
  noUnion: boolean;
  none: boolean;
}

export function blocking(
  agreement: Agreement,
  positions: { position: string }[],
  openAmendments: number,
): Blocking {
  // Once every signatory signed the current revision (parity included), objections and open
  // proposals stand, but they no longer stop anything: the pact is agreed.
  const objections = agreement.agreed ? 0 : positions.filter((p) => p.position === 'object').length;
  const b = {
    objections,
    openAmendments: agreement.agreed ? 0 : openAmendments,
    missingSignatures: agreement.missing.length,
    noEmployer: !agreement.hasEmployer,
    noUnion: !agreement.hasUnion,
  };
  return {
    ...b,
    none: !objections && !b.openAmendments && !b.missingSignatures && !b.noEmployer && !b.noUnion,
  };
}
