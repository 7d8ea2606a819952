import type { Db } from '../../db';
import type { Logger } from '../../logger';
import { foldAllNeeds } from './aggregate';

export interface NeedsFolder {
  /** One pass over every campaign with pending changes. For tests and shutdown. */
  tick(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Folds the answers' pending changes into the needs aggregate every `intervalMs` (see
 * foldNeeds). Readers fold what they need before reading, so this only keeps their share of the
 * work small: a page read during a busy campaign finds a handful of changes, not thousands.
 * Every app instance may run one; the per-campaign fold lock makes them take turns.
 */
export function startNeedsFolder(options: {
  db: Db;
  logger: Logger;
  intervalMs?: number;
}): NeedsFolder {
  const { db, logger } = options;
  const intervalMs = options.intervalMs ?? 250;
  let running: Promise<number> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  const tick = () => {
    running ??= foldAllNeeds(db)
      .catch((err: unknown) => {
        // A database restart or a failover: the next pass (or the next reader) folds it.
        logger.warn({ err }, 'folding the needs aggregate failed; will retry');
        return 0;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      void tick().then(schedule);
    }, intervalMs);
    timer.unref();
  };
  schedule();
  return {
    tick,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
