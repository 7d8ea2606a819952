import { sql, type Kysely } from 'kysely';

// Frozen once landed: never edit, add a new migration instead.
// The needs survey: firm profiles, campaigns, drafts, and submitted response versions.

const SIZE_CLASS = (col: string) =>
  sql.raw(`CASE WHEN ${col} < 10 THEN 'micro' WHEN ${col} < 50 THEN 'small'
    WHEN ${col} < 250 THEN 'medium' ELSE 'large' END`);

export async function up(db: Kysely<any>): Promise<void> {
  // One profile per firm organisation. It may start incomplete (self-registration asks only
  // for a name and a comune); the questionnaire's first step completes it.
  await sql`
    CREATE TABLE firms (
      organisation_id uuid PRIMARY KEY REFERENCES organisations(id),
      legal_name text NOT NULL CHECK (length(legal_name) BETWEEN 1 AND 200),
      vat_number text CHECK (vat_number ~ '^[A-Z]{2}[A-Z0-9+*]{2,13}$'),
      nace_version text NOT NULL DEFAULT 'NACE2' CHECK (nace_version IN ('NACE2','NACE2.1')),
      nace_section text,
      nace_division text,
      employees integer CHECK (employees BETWEEN 1 AND 1000000),
      size_class text GENERATED ALWAYS AS (${SIZE_CLASS('employees')}) STORED,
      territory_code text REFERENCES territories(code),
      contact_name text CHECK (length(contact_name) BETWEEN 1 AND 120),
      contact_email text CHECK (contact_email = lower(contact_email) AND length(contact_email) BETWEEN 3 AND 254),
      contact_phone text CHECK (contact_phone ~ '^\\+?[0-9 ]{6,20}$'),
      updated_at timestamptz NOT NULL DEFAULT now(),
      updated_by uuid REFERENCES users(id),
      FOREIGN KEY (nace_version, nace_section) REFERENCES sectors(version, code),
      FOREIGN KEY (nace_version, nace_division) REFERENCES sectors(version, code),
      CHECK ((nace_section IS NULL) = (nace_division IS NULL))
    )`.execute(db);
  // A VAT number identifies one firm: two registrations of the same firm are one too many.
  await sql`CREATE UNIQUE INDEX firms_vat_key ON firms (vat_number) WHERE vat_number IS NOT NULL`.execute(
    db,
  );

  // Dates are whole days in Europe/Rome, both inclusive. `status` is what a user chose; whether
  // answers are accepted today is computed on read (see campaign-state.ts), so no cron is needed.
  await sql`
    CREATE TABLE campaigns (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisations(id),
      title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
      territory_code text NOT NULL REFERENCES territories(code),
      opens_at date NOT NULL,
      closes_at date NOT NULL,
      readiness boolean NOT NULL DEFAULT true,
      status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','open','closed')),
      created_by uuid NOT NULL REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      opened_at timestamptz,
      closed_at timestamptz,
      CHECK (closes_at >= opens_at),
      CHECK ((status = 'draft') = (opened_at IS NULL)),
      CHECK ((status = 'closed') = (closed_at IS NOT NULL))
    )`.execute(db);
  await sql`CREATE INDEX campaigns_territory_idx ON campaigns (territory_code, status)`.execute(db);

  await sql`
    CREATE TABLE campaign_skill_areas (
      campaign_id uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
      area_code text NOT NULL REFERENCES skill_areas(code),
      PRIMARY KEY (campaign_id, area_code)
    )`.execute(db);

  // The work in progress of one firm on one campaign: the raw form values (JSON) and the step
  // reached. `version` grows with every save; a form carries the version it was drawn from, so a
  // save or submit from a stale page is refused instead of overwriting newer work.
  await sql`
    CREATE TABLE response_drafts (
      campaign_id uuid NOT NULL REFERENCES campaigns(id),
      firm_id uuid NOT NULL REFERENCES firms(organisation_id),
      state text NOT NULL DEFAULT 'editing' CHECK (state IN ('editing','submitted')),
      step integer NOT NULL DEFAULT 1 CHECK (step BETWEEN 1 AND 4),
      payload jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (octet_length(payload::text) <= 200000),
      version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      updated_by uuid REFERENCES users(id),
      PRIMARY KEY (campaign_id, firm_id)
    )`.execute(db);
  await sql`CREATE INDEX response_drafts_firm_idx ON response_drafts (firm_id)`.execute(db);

  // Every submitted version is kept. A version carries a snapshot of the firm as it was when
  // submitted (territory, sector, size), so aggregates never depend on a later profile edit.
  await sql`
    CREATE TABLE responses (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      campaign_id uuid NOT NULL REFERENCES campaigns(id),
      firm_id uuid NOT NULL REFERENCES firms(organisation_id),
      version integer NOT NULL CHECK (version BETWEEN 1 AND 10000),
      status text NOT NULL CHECK (status IN ('current','superseded','withdrawn')),
      submitted_at timestamptz NOT NULL DEFAULT now(),
      submitted_by uuid NOT NULL REFERENCES users(id),
      superseded_at timestamptz,
      withdrawn_at timestamptz,
      withdrawn_by uuid REFERENCES users(id),
      legal_name text NOT NULL CHECK (length(legal_name) BETWEEN 1 AND 200),
      territory_code text NOT NULL REFERENCES territories(code),
      nace_version text NOT NULL,
      nace_section text NOT NULL,
      nace_division text NOT NULL,
      employees integer NOT NULL CHECK (employees BETWEEN 1 AND 1000000),
      size_class text NOT NULL CHECK (size_class = ${SIZE_CLASS('employees')}),
      dma_strategy smallint CHECK (dma_strategy BETWEEN 0 AND 5),
      dma_readiness smallint CHECK (dma_readiness BETWEEN 0 AND 5),
      dma_human smallint CHECK (dma_human BETWEEN 0 AND 5),
      dma_data smallint CHECK (dma_data BETWEEN 0 AND 5),
      dma_automation smallint CHECK (dma_automation BETWEEN 0 AND 5),
      dma_green smallint CHECK (dma_green BETWEEN 0 AND 5),
      readiness_score smallint CHECK (readiness_score BETWEEN 0 AND 100),
      technologies text[] NOT NULL DEFAULT '{}' CHECK (technologies <@ ARRAY[
        'advanced_manufacturing','additive_manufacturing','augmented_reality','simulation',
        'integration','iot','cloud','cyber_security','big_data']::text[]),
      need_count integer NOT NULL CHECK (need_count BETWEEN 0 AND 50),
      workers_total integer NOT NULL CHECK (workers_total >= 0),
      UNIQUE (campaign_id, firm_id, version),
      FOREIGN KEY (nace_version, nace_section) REFERENCES sectors(version, code),
      FOREIGN KEY (nace_version, nace_division) REFERENCES sectors(version, code),
      CHECK ((status = 'superseded') = (superseded_at IS NOT NULL)),
      CHECK ((status = 'withdrawn') = (withdrawn_at IS NOT NULL)),
      CHECK ((readiness_score IS NULL) = (dma_strategy IS NULL))
    )`.execute(db);
  // Exactly one version counts per firm and campaign: the one marked current.
  await sql`
    CREATE UNIQUE INDEX responses_current_key ON responses (campaign_id, firm_id)
      WHERE status = 'current'`.execute(db);
  await sql`CREATE INDEX responses_campaign_idx ON responses (campaign_id, status, territory_code)`.execute(
    db,
  );
  await sql`CREATE INDEX responses_firm_idx ON responses (firm_id, submitted_at)`.execute(db);

  await sql`
    CREATE TABLE response_needs (
      response_id uuid NOT NULL REFERENCES responses(id),
      line_no smallint NOT NULL CHECK (line_no BETWEEN 1 AND 50),
      area_code text NOT NULL REFERENCES skill_areas(code),
      skill_code text NOT NULL REFERENCES skills(code),
      occupation_code text NOT NULL REFERENCES occupations(code) CHECK (occupation_code ~ '^[0-9]{2}$'),
      workers integer NOT NULL CHECK (workers BETWEEN 1 AND 1000000),
      eqf_level smallint NOT NULL REFERENCES eqf_levels(level),
      priority text NOT NULL CHECK (priority IN ('high','medium','low')),
      modality text NOT NULL CHECK (modality IN ('classroom','online','blended','on_the_job')),
      period text NOT NULL CHECK (period ~ '^20[0-9]{2}-Q[1-4]$'),
      note text CHECK (length(note) <= 500),
      PRIMARY KEY (response_id, line_no),
      UNIQUE (response_id, skill_code, occupation_code, eqf_level)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'response_needs',
    'responses',
    'response_drafts',
    'campaign_skill_areas',
    'campaigns',
    'firms',
  ]) {
    await sql`DROP TABLE ${sql.table(t)}`.execute(db);
  }
}
