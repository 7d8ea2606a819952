/** Real PostgreSQL when TEST_DATABASE_URL or DATABASE_URL is set, else the embedded PGlite. */
export function adminUrl(): string | undefined {
  return process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || undefined;
}

export const TEMPLATE_ENV = 'PATTO_TEST_TEMPLATE';
export const CONTROL_ENV = 'PATTO_TEST_CONTROL';
