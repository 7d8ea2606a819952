import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import type { Db } from '../../db';
import type { Logger } from '../../logger';
import { queueDigests } from './digest';
import { claimDue, flagAbandoned, markFinal, markRetry, markSent } from './outbox.repository';
import { classifySendError } from './smtp-errors';

export interface MailWorkerOptions {
  db: Db;
  logger: Logger;
  /** smtp://user:pass@host:587 (STARTTLS when offered) or smtps://host:465. */
  smtpUrl: string;
  from: string;
  pollMs?: number;
  batchSize?: number;
  maxAttempts?: number;
  /** Delay before retry n (1-based); doubles from 30 s up to 30 min by default. */
  backoffMs?: (attempt: number) => number;
  /** A 'sending' row claimed longer ago than this belongs to a dead worker. */
  staleMs?: number;
  /** Local (Europe/Rome) hour from which the daily digest is assembled. */
  digestHour?: number;
  now?: () => Date;
}

export interface MailWorker {
  /** One pass: flag abandoned rows, queue due digests, send what is due. For tests and shutdown. */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

const defaultBackoff = (n: number) => Math.min(30_000 * 2 ** (n - 1), 30 * 60_000);

/**
 * Sends the outbox at most once per row. Each row is claimed ('sending', committed) before SMTP
 * and confirmed after, so a crash in between leaves 'sending', which the next sweep turns into
 * 'uncertain' for an operator to look at (docs/OPERATIONS.md) — never a second copy.
 */
export function startMailWorker(options: MailWorkerOptions): MailWorker {
  const { db, logger, from } = options;
  const pollMs = options.pollMs ?? 5000;
  const batchSize = options.batchSize ?? 20;
  const maxAttempts = options.maxAttempts ?? 5;
  const backoff = options.backoffMs ?? defaultBackoff;
  const staleMs = options.staleMs ?? 10 * 60_000;
  const digestHour = options.digestHour ?? 7;
  const now = options.now ?? (() => new Date());
  // Bounded timeouts keep every send far shorter than staleMs (see flagAbandoned).
  const transport: Transporter = nodemailer.createTransport({
    url: options.smtpUrl,
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 60_000,
  } as SMTPTransport.Options);
  const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'localhost';

  const send = async (row: Awaited<ReturnType<typeof claimDue>>[number]) => {
    const attempts = row.attempts + 1;
    // Our own Message-ID, fixed per row: a receiving server or an operator can match copies.
    const messageId = `<${row.id}@${domain}>`;
    try {
      await transport.sendMail({
        from,
        to: row.to_address,
        subject: row.subject,
        text: row.body,
        messageId,
      });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const outcome = classifySendError(err);
      if (outcome === 'retry') {
        const status = await markRetry(
          db,
          row.id,
          attempts,
          maxAttempts,
          backoff(attempts),
          message,
        );
        logger.warn({ email: row.id, attempts, status, err: message }, 'e-mail not sent');
      } else {
        await markFinal(db, row.id, outcome, attempts, message);
        logger.error({ email: row.id, attempts, status: outcome, err: message }, 'e-mail not sent');
      }
      return;
    }
    await markSent(db, row.id, messageId);
    logger.debug({ email: row.id }, 'e-mail sent');
  };

  const tick = async () => {
    for (const row of await flagAbandoned(db, staleMs))
      logger.error(
        { email: row.id, to: row.to_address, subject: row.subject, claimedAt: row.claimed_at },
        'e-mail left in sending by a stopped worker: marked uncertain, not resent (see docs/OPERATIONS.md)',
      );
    const digests = await queueDigests(db, now(), digestHour);
    if (digests) logger.info({ digests }, 'daily digests queued');
    for (;;) {
      const rows = await claimDue(db, batchSize);
      for (const row of rows) await send(row);
      if (rows.length < batchSize || stopping) break;
    }
  };

  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const loop = () => {
    running = tick()
      .catch((err: unknown) => logger.error({ err }, 'mail worker pass failed'))
      .finally(() => {
        if (!stopping) timer = setTimeout(loop, pollMs);
      });
  };
  timer = setTimeout(loop, 0);
  logger.info({ pollMs }, 'mail worker started');

  return {
    tick,
    async stop() {
      stopping = true;
      clearTimeout(timer);
      // Let the e-mail in flight be confirmed: stopping mid-send is what makes 'uncertain'.
      await running;
      transport.close();
    },
  };
}
