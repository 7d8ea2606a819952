import type { Db, Executor } from '../../db';
import type { SessionUser } from '../../http/types';
import { DomainError } from '../../lib/domain-error';
import { isUniqueViolation } from '../accounts/accounts.service';
import { findCurrentTerritory } from '../reference/territories.repository';
import type { SizeClass } from '../survey/survey.tables';
import * as repo from './firms.repository';
import { firmProfileSchema, type FirmProfileInput } from './firms.schemas';

export const NACE_VERSION = 'NACE2' as const;

/** EU SME size classes by head count. */
export function sizeClass(employees: number): SizeClass {
  if (employees < 10) return 'micro';
  if (employees < 50) return 'small';
  if (employees < 250) return 'medium';
  return 'large';
}

export interface FirmProfile {
  organisationId: string;
  legalName: string;
  vatNumber: string | null;
  naceSection: string | null;
  naceDivision: string | null;
  employees: number | null;
  sizeClass: SizeClass | null;
  territoryCode: string | null;
  contactName: string | null;
  contactEmail: string | null;
  contactPhone: string | null;
  complete: boolean;
  updatedAt: Date;
}

type FirmRow = repo.FirmRow;

export function toFirmProfile(row: FirmRow): FirmProfile {
  const profile = {
    organisationId: row.organisation_id,
    legalName: row.legal_name,
    vatNumber: row.vat_number,
    naceSection: row.nace_section,
    naceDivision: row.nace_division,
    employees: row.employees,
    sizeClass: row.size_class,
    territoryCode: row.territory_code,
    contactName: row.contact_name,
    contactEmail: row.contact_email,
    contactPhone: row.contact_phone,
    updatedAt: row.updated_at,
  };
  const complete = Boolean(
    profile.vatNumber &&
    profile.naceDivision &&
    profile.employees &&
    profile.territoryCode &&
    profile.contactName &&
    profile.contactEmail,
  );
  return { ...profile, complete };
}

/**
 * The form values of a stored profile (what the profile page and step 1 prefill). Until the
 * profile names a contact person, the firm's own user signed in is offered (never an
 * association's user acting for it): they registered the firm and usually are that person.
 */
export function profileFormValues(
  p: FirmProfile,
  user?: { fullName: string; email: string },
): Record<string, string> {
  return {
    legalName: p.legalName,
    vatNumber: p.vatNumber ?? '',
    naceDivision: p.naceDivision ?? '',
    employees: p.employees === null ? '' : String(p.employees),
    territoryCode: p.territoryCode ?? '',
    contactName: p.contactName ?? user?.fullName ?? '',
    contactEmail: p.contactEmail ?? user?.email ?? '',
    contactPhone: p.contactPhone ?? '',
  };
}

function firmOrganisationId(user: SessionUser): string {
  if (user.role !== 'firm') throw new DomainError('errors.http403', { status: 403 });
  return user.organisationId;
}

/**
 * The firm's profile. Until its first save there is no row: the profile is what
 * self-registration recorded (its name and, when it chose a comune, the comune), incomplete.
 * Reading never writes, so a refused request leaves the database as it was.
 */
export async function getMyFirm(db: Executor, user: SessionUser): Promise<FirmProfile> {
  const id = firmOrganisationId(user);
  const row = await repo.findFirm(db, id);
  if (row) return toFirmProfile(row);
  const territory = await findCurrentTerritory(db, user.territoryCode);
  return toFirmProfile({
    organisation_id: id,
    legal_name: user.organisationName.slice(0, 200),
    vat_number: null,
    nace_version: NACE_VERSION,
    nace_section: null,
    nace_division: null,
    employees: null,
    size_class: null,
    territory_code: territory?.level === 'LAU' ? territory.code : null,
    contact_name: null,
    contact_email: null,
    contact_phone: null,
    updated_at: new Date(0),
    updated_by: null,
  });
}

/** Stores the profile as read (incomplete as it may be): a draft needs a firm row to point to. */
export async function ensureFirmRow(db: Executor, profile: FirmProfile): Promise<void> {
  await repo.insertFirmIfMissing(db, {
    organisation_id: profile.organisationId,
    legal_name: profile.legalName,
    territory_code: profile.territoryCode,
  });
}

export class VatTakenError extends DomainError {
  constructor() {
    super('firmProfile.errors.vat.taken', { field: 'vatNumber' });
  }
}

/** Saves the whole profile; the firm's organisation takes its legal name and its comune. */
export async function updateMyFirm(
  db: Db,
  user: SessionUser,
  input: FirmProfileInput,
): Promise<FirmProfile> {
  try {
    return await db.transaction().execute((tx) => saveFirmProfile(tx, user, input));
  } catch (err) {
    throw asVatTaken(err);
  }
}

/** Two firms claiming one VAT number: the unique index decides, the loser is told why. */
export function asVatTaken(err: unknown): unknown {
  return isUniqueViolation(err, 'firms_vat_key') ? new VatTakenError() : err;
}

/**
 * The sector and comune of a profile form that failed its other checks, looked up so that the
 * form names every problem in one round (a made-up sector is otherwise told only after the rest
 * is fixed). Values the form's own checks refuse are theirs to name.
 */
export async function profileReferenceProblems(
  db: Executor,
  body: Record<string, unknown>,
): Promise<{ field: string; key: string }[]> {
  const out: { field: string; key: string }[] = [];
  const division = firmProfileSchema.shape.naceDivision.safeParse(body.naceDivision);
  if (division.success && !(await repo.findDivision(db, NACE_VERSION, division.data)))
    out.push({ field: 'naceDivision', key: 'firmProfile.errors.unknownSector' });
  const code = firmProfileSchema.shape.territoryCode.safeParse(body.territoryCode);
  if (code.success) {
    const territory = await findCurrentTerritory(db, code.data);
    if (!territory || territory.level !== 'LAU')
      out.push({ field: 'territoryCode', key: 'firmProfile.errors.notComune' });
  }
  return out;
}

/**
 * The profile write itself, inside the caller's transaction. `firmId` is given only by a caller
 * that already checked the user acts for that firm (an association under a delegation).
 */
export async function saveFirmProfile(
  tx: Executor,
  user: SessionUser,
  input: FirmProfileInput,
  firmId: string = firmOrganisationId(user),
): Promise<FirmProfile> {
  const id = firmId;
  const division = await repo.findDivision(tx, NACE_VERSION, input.naceDivision);
  if (!division)
    throw new DomainError('firmProfile.errors.unknownSector', {
      field: 'naceDivision',
      status: 422,
    });
  const territory = await findCurrentTerritory(tx, input.territoryCode);
  if (!territory || territory.level !== 'LAU')
    throw new DomainError('firmProfile.errors.notComune', { field: 'territoryCode', status: 422 });
  const row = await repo.upsertFirm(tx, {
    organisation_id: id,
    legal_name: input.legalName,
    vat_number: input.vatNumber,
    nace_version: NACE_VERSION,
    nace_section: division.parent_code,
    nace_division: division.code,
    employees: input.employees,
    territory_code: territory.code,
    contact_name: input.contactName,
    contact_email: input.contactEmail,
    contact_phone: input.contactPhone || null,
    updated_by: user.id,
  });
  // The organisation's name is what the home page and other organisations show: it changes
  // with the legal name, as the territory with the comune.
  await repo.syncFirmOrganisation(tx, id, { name: input.legalName, territoryCode: territory.code });
  return toFirmProfile(row);
}
