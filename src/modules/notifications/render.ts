import type { TFunction } from 'i18next';
import { getI18n, type Language } from '../../http/i18n';
import { PARAM_NAMES, type NotificationParams } from './kinds';

export function languageOf(locale: string | null | undefined): Language {
  return locale?.startsWith('en') ? 'en' : 'it';
}

export function tFor(locale: string | null | undefined): TFunction {
  return getI18n().getFixedT(languageOf(locale));
}

// A param a caller left out reads as nothing rather than as a raw {{placeholder}}.
const BLANK = Object.fromEntries(PARAM_NAMES.map((name) => [name, '']));

/**
 * The sentence for one notification. Params go in under `p` so a param named `lng`, `count` or
 * `defaultValue` is text, never an i18next option; an unknown kind (one since retired) still
 * reads as something.
 */
export function notificationText(t: TFunction, kind: string, params: NotificationParams): string {
  const p: Record<string, string | number> = { ...BLANK, ...params };
  const key = `notifications.kinds.${kind}`;
  // i18next context: `<kind>_reason` when a reason was given ("returned with remarks: …").
  const context = params.reason ? 'reason' : undefined;
  const text = t(key, { p, context, defaultValue: '' });
  return text && text !== key ? text : t('notifications.kinds.unknown');
}
