/** What to do with an outbox row whose send failed. */
export type SendFailure = 'retry' | 'failed' | 'uncertain';

interface SmtpError {
  code?: string;
  originalCode?: string;
  responseCode?: number;
  permanent?: boolean;
  timeoutType?: string;
}

// The socket never reached the server: nothing can have been delivered.
const NEVER_CONNECTED = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
]);
const SETUP_TIMEOUTS = new Set(['CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'UPGRADE_TIMEOUT']);

/**
 * At-most-once: only an error that proves the message was NOT accepted may be retried. A
 * server's 4xx/5xx reply is such proof (SMTP accepts a message only with a 2xx after DATA), and
 * so is failing to connect, greet or start TLS. A connection lost or timed out after that point
 * may have come after the server accepted the message: it is 'uncertain', never resent.
 */
export function classifySendError(error: unknown): SendFailure {
  const err = (error ?? {}) as SmtpError;
  // Wrong credentials are the operator's to fix; keep the mail until they do (or attempts run out).
  if (err.code === 'EAUTH') return 'retry';
  if (typeof err.responseCode === 'number' && err.responseCode >= 400)
    return err.permanent ? 'failed' : 'retry';
  if (err.code === 'EDNS' || err.code === 'ETLS') return 'retry';
  if (err.originalCode && NEVER_CONNECTED.has(err.originalCode)) return 'retry';
  if (err.timeoutType && SETUP_TIMEOUTS.has(err.timeoutType)) return 'retry';
  // Refused by nodemailer itself before any connection (no recipient, malformed message).
  if (err.code === 'EENVELOPE' || err.code === 'EMESSAGE') return 'failed';
  return 'uncertain';
}
