const literal = (q: string) => q.replace(/[\\%_]/g, (c) => `\\${c}`);

/** `%q%` for ILIKE, with the user's own %, _ and \ taken literally. */
export function containsPattern(q: string): string {
  return `%${literal(q)}%`;
}

/** `q%` (text that begins with q), the same way. */
export function startsPattern(q: string): string {
  return `${literal(q)}%`;
}
