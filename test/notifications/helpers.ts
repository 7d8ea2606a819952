import crypto from 'node:crypto';
import net, { type AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { Db } from '../../src/db';
import type { SessionUser } from '../../src/http/types';

/** Another user in the same organisation as `user` (the factory makes one org per user). */
export async function newColleague(
  db: Db,
  user: SessionUser,
  options: { locale?: string; disabled?: boolean } = {},
) {
  return db
    .insertInto('users')
    .values({
      organisation_id: user.organisationId,
      email: `colleague-${crypto.randomBytes(4).toString('hex')}@test.patto`,
      full_name: 'Colleague',
      password_hash: 'x',
      locale: options.locale ?? null,
      disabled_at: options.disabled ? new Date() : null,
    })
    .returning(['id', 'email'])
    .executeTakeFirstOrThrow();
}

export interface Mailbox {
  port: number;
  /** Raw messages as received, in order. */
  messages: string[];
  close(): Promise<void>;
}

/** A real SMTP server on localhost (no TLS, no auth) that keeps what it receives. */
export async function startMailbox(
  port = 0,
  options: { rejectWith?: number } = {},
): Promise<Mailbox> {
  const messages: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (raw += chunk));
      stream.on('end', () => {
        if (options.rejectWith)
          return callback(
            Object.assign(new Error('Refused'), { responseCode: options.rejectWith }),
          );
        messages.push(raw);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  return {
    port: (server.server.address() as AddressInfo).port,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A port on which nothing listens (taken and released). */
export async function freePort(): Promise<number> {
  const box = await startMailbox();
  await box.close();
  return box.port;
}

/** Polls until `check` holds: the worker runs on its own timer. */
export async function waitFor(check: () => Promise<boolean>, what: string, ms = 15_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export const messageIdOf = (raw: string) => /^Message-ID:\s*(<[^>]+>)/im.exec(raw)?.[1];

/**
 * An SMTP server that takes the whole message and then drops the connection instead of
 * answering "250 OK": the client cannot know whether the message was accepted.
 */
export async function startBlackHole(): Promise<{
  port: number;
  received: () => number;
  close(): Promise<void>;
}> {
  let received = 0;
  const server = net.createServer((socket) => {
    let inData = false;
    let buffer = '';
    socket.write('220 blackhole ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      if (inData) {
        if (!buffer.includes('\r\n.\r\n')) return;
        received++;
        socket.destroy();
        return;
      }
      let nl: number;
      while ((nl = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, nl).toUpperCase();
        buffer = buffer.slice(nl + 2);
        if (line.startsWith('EHLO') || line.startsWith('HELO')) socket.write('250 blackhole\r\n');
        else if (line.startsWith('DATA')) {
          inData = true;
          socket.write('354 go ahead\r\n');
          return;
        } else if (line.startsWith('QUIT')) socket.end('221 bye\r\n');
        else socket.write('250 OK\r\n');
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as AddressInfo).port,
    received: () => received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
