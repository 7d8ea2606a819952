import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every depth, so the same content always hashes the same
 * (jsonb reorders keys; a hash must not depend on it). undefined members are dropped, as
 * JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v instanceof Date) return v.toISOString();
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = sortKeys(x);
    }
    return out;
  }
  return v;
}

export const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
