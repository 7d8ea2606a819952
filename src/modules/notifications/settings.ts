/**
 * Whether notify() queues e-mail, and the base of absolute links in it. Set once by server.ts
 * from SMTP_URL / PUBLIC_URL (and by tests): without SMTP the platform is inbox-only, so the
 * outbox would only fill up with mail nobody sends.
 */
export interface NotificationSettings {
  email: boolean;
  publicUrl: string;
}

let settings: NotificationSettings = { email: false, publicUrl: 'http://localhost:3000' };

export function configureNotifications(next: Partial<NotificationSettings>): void {
  settings = { ...settings, ...next };
  settings.publicUrl = settings.publicUrl.replace(/\/+$/, '');
}

export function notificationSettings(): NotificationSettings {
  return settings;
}
