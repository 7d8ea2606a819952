import fs from 'node:fs';
import path from 'node:path';
import type { BoundaryFileError } from './parse';

/**
 * The message of a refused file outside a request (the command line): the same strings as the
 * pages, read from locales/<lang>/boundaries.json.
 */
export function describeBoundaryError(err: BoundaryFileError, lang: 'it' | 'en'): string {
  const file = path.resolve(__dirname, `../../../locales/${lang}/boundaries.json`);
  const strings = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    boundaries: { errors: Record<string, string> };
  };
  const key = err.messageKey.replace(/^boundaries\.errors\./, '');
  const template = strings.boundaries.errors[key] ?? err.messageKey;
  return template.replace(/\{\{(\w+)\}\}/g, (_, k: string) => String(err.params[k] ?? ''));
}
