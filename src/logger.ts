import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, production: boolean): Logger {
  if (production || level === 'silent') return pino({ level });
  return pino({
    level,
    transport: { target: 'pino-pretty', options: { colorize: true, ignore: 'pid,hostname' } },
  });
}
