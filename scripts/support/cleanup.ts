// Whatever a script started (clusters, app processes, temp dirs) is undone when it exits, however
// it exits: normally, on an error, or on Ctrl-C. Handlers are synchronous and run newest first.
const handlers: (() => void)[] = [];
let installed = false;

export function onExit(handler: () => void): void {
  handlers.push(handler);
  if (installed) return;
  installed = true;
  process.on('exit', runAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => process.exit(130));
  }
}

function runAll(): void {
  while (handlers.length) {
    const handler = handlers.pop()!;
    try {
      handler();
    } catch (err) {
      console.error('cleanup:', err instanceof Error ? err.message : err);
    }
  }
}
