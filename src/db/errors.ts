/** A foreign key refused the statement (PostgreSQL 23503): something still names the row. */
export function isForeignKeyViolation(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === '23503';
}
