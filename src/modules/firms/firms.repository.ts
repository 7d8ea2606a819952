import type { Executor } from '../../db';
import type { FirmsTable } from '../survey/survey.tables';
import type { Insertable } from 'kysely';

export function findFirm(db: Executor, organisationId: string) {
  return db
    .selectFrom('firms')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .executeTakeFirst();
}
export type FirmRow = NonNullable<Awaited<ReturnType<typeof findFirm>>>;

/** Creates the (incomplete) profile of a firm organisation if it has none yet. */
export async function insertFirmIfMissing(db: Executor, firm: Insertable<FirmsTable>) {
  await db
    .insertInto('firms')
    .values(firm)
    .onConflict((c) => c.column('organisation_id').doNothing())
    .execute();
}

export async function upsertFirm(db: Executor, firm: Insertable<FirmsTable>) {
  const { organisation_id: _, ...changes } = firm;
  return db
    .insertInto('firms')
    .values(firm)
    .onConflict((c) =>
      c.column('organisation_id').doUpdateSet({ ...changes, updated_at: new Date() }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function findDivision(db: Executor, version: 'NACE2' | 'NACE2.1', code: string) {
  return db
    .selectFrom('sectors')
    .select(['code', 'parent_code', 'name', 'names'])
    .where('version', '=', version)
    .where('level', '=', 'division')
    .where('code', '=', code)
    .executeTakeFirst();
}

/** The sectors of these codes (a section's letter, a division's digits), with their names. */
export function findSectors(db: Executor, version: 'NACE2' | 'NACE2.1', codes: string[]) {
  return db
    .selectFrom('sectors')
    .select(['code', 'level', 'name', 'names'])
    .where('version', '=', version)
    .where('code', 'in', codes)
    .execute();
}

export function listSectors(db: Executor, version: 'NACE2' | 'NACE2.1') {
  return db
    .selectFrom('sectors')
    .select(['code', 'level', 'parent_code', 'name', 'names'])
    .where('version', '=', version)
    .orderBy('position')
    .execute();
}

/** The firm's organisation follows its profile: the legal name and the comune of its main site. */
export async function syncFirmOrganisation(
  db: Executor,
  id: string,
  changes: { name: string; territoryCode: string },
) {
  await db
    .updateTable('organisations')
    .set({ name: changes.name, territory_code: changes.territoryCode })
    .where('id', '=', id)
    .where('kind', '=', 'firm')
    .execute();
}
