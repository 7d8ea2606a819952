import type { NotificationParams } from './kinds';
import { notificationText, tFor } from './render';
import { notificationSettings } from './settings';

export interface EmailContent {
  subject: string;
  body: string;
}

interface Item {
  kind: string;
  params: NotificationParams;
  link: string;
}

const absolute = (link: string) => `${notificationSettings().publicUrl}${link}`;

// Plain text only: nothing a user typed can become markup in someone's mail client.
function footer(t: ReturnType<typeof tFor>): string {
  return `\n\n-- \n${t('notifications.email.footer', { url: absolute('/account/notifications') })}\n`;
}

/** One notification as one e-mail, in the recipient's language. */
export function immediateEmail(locale: string | null, name: string, item: Item): EmailContent {
  const t = tFor(locale);
  const text = notificationText(t, item.kind, item.params);
  const subject = oneLine(`${t('notifications.email.subjectPrefix')} ${text}`);
  const body =
    `${t('notifications.email.greeting', { name })}\n\n${text}\n\n` +
    `${t('notifications.email.open')}: ${absolute(item.link)}` +
    footer(t);
  return { subject, body };
}

/** The day's unread notifications as one e-mail. */
export function digestEmail(locale: string | null, name: string, items: Item[]): EmailContent {
  const t = tFor(locale);
  const subject = t('notifications.email.digestSubject', { count: items.length });
  const lines = items.map(
    (i) => `- ${notificationText(t, i.kind, i.params)}\n  ${absolute(i.link)}`,
  );
  const body =
    `${t('notifications.email.greeting', { name })}\n\n` +
    `${t('notifications.email.digestIntro', { count: items.length })}\n\n${lines.join('\n')}\n\n` +
    `${t('notifications.email.inbox')}: ${absolute('/inbox')}` +
    footer(t);
  return { subject, body };
}

/** A subject is a header: no line breaks, bounded. */
function oneLine(s: string): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 199)}…` : flat;
}
