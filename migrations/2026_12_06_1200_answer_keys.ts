import { sql, type Kysely } from 'kysely';

// Frozen once landed: never edit, add a new migration instead.
// Fewer and stricter foreign keys on the survey's answers (figures in docs/PERFORMANCE.md: each
// key is one index probe and row lock per inserted row, and a bulk import of 10,000 responses
// made ~290,000 of them):
// - a need line's skill and skill area are one key, (skill_code, area_code) → skills: the area
//   must be the skill's own (before, any area passed), and the area exists because the skill's
//   does (skills.area_code → skill_areas). Two checks per line become one;
// - a firm's or a version's NACE division and section are one key, (version, division,
//   section) → sectors(version, code, parent_code): the section must be the division's parent
//   (before, any section passed), and it exists because the division's parent does;
// - an EQF level is 1–8 by the EU's definition of the framework: a CHECK, not a key to the
//   eight rows of eqf_levels (which keep their names for the pages).

const NACE_TABLES = ['firms', 'responses'] as const;

export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE UNIQUE INDEX skills_code_area_key ON skills (code, area_code)`.execute(db);
  await sql`
    ALTER TABLE response_needs
      ADD CONSTRAINT response_needs_skill_area_fkey FOREIGN KEY (skill_code, area_code)
        REFERENCES skills (code, area_code),
      DROP CONSTRAINT response_needs_skill_code_fkey,
      DROP CONSTRAINT response_needs_area_code_fkey,
      ADD CONSTRAINT response_needs_eqf_level_check CHECK (eqf_level BETWEEN 1 AND 8),
      DROP CONSTRAINT response_needs_eqf_level_fkey`.execute(db);

  await sql`
    CREATE UNIQUE INDEX sectors_version_code_parent_key ON sectors (version, code, parent_code)`.execute(
    db,
  );
  for (const table of NACE_TABLES) {
    await sql`
      ALTER TABLE ${sql.table(table)}
        ADD CONSTRAINT ${sql.id(`${table}_nace_fkey`)}
          FOREIGN KEY (nace_version, nace_division, nace_section)
          REFERENCES sectors (version, code, parent_code),
        DROP CONSTRAINT ${sql.id(`${table}_nace_version_nace_section_fkey`)},
        DROP CONSTRAINT ${sql.id(`${table}_nace_version_nace_division_fkey`)}`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of NACE_TABLES) {
    await sql`
      ALTER TABLE ${sql.table(table)}
        ADD CONSTRAINT ${sql.id(`${table}_nace_version_nace_section_fkey`)}
          FOREIGN KEY (nace_version, nace_section) REFERENCES sectors (version, code),
        ADD CONSTRAINT ${sql.id(`${table}_nace_version_nace_division_fkey`)}
          FOREIGN KEY (nace_version, nace_division) REFERENCES sectors (version, code),
        DROP CONSTRAINT ${sql.id(`${table}_nace_fkey`)}`.execute(db);
  }
  await sql`DROP INDEX sectors_version_code_parent_key`.execute(db);
  await sql`
    ALTER TABLE response_needs
      ADD CONSTRAINT response_needs_eqf_level_fkey FOREIGN KEY (eqf_level)
        REFERENCES eqf_levels (level),
      DROP CONSTRAINT response_needs_eqf_level_check,
      ADD CONSTRAINT response_needs_skill_code_fkey FOREIGN KEY (skill_code)
        REFERENCES skills (code),
      ADD CONSTRAINT response_needs_area_code_fkey FOREIGN KEY (area_code)
        REFERENCES skill_areas (code),
      DROP CONSTRAINT response_needs_skill_area_fkey`.execute(db);
  await sql`DROP INDEX skills_code_area_key`.execute(db);
}
