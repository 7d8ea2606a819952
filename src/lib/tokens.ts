import crypto from 'node:crypto';

/** A high-entropy secret for links and API tokens; only its SHA-256 is stored. */
export function newSecret(prefix: string): string {
  return `${prefix}_${crypto.randomBytes(32).toString('base64url')}`;
}

export function hashSecret(secret: string): string {
  return crypto.createHash('sha256').update(secret).digest('hex');
}

/**
 * A secret derived from a server key and what it is for (`purpose`, e.g. the record's id): the
 * same inputs give the same secret, so a page can show a link again — a form sent twice — without
 * keeping it. As newSecret, only its SHA-256 is stored; without the key it cannot be guessed.
 */
export function derivedSecret(prefix: string, key: string, purpose: string): string {
  return `${prefix}_${crypto.createHmac('sha256', key).update(purpose).digest('base64url')}`;
}
