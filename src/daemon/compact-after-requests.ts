import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { ApiHandler } from '../api/server.js';

// Memory back after a burst of requests, at a time of the daemon's choosing. V8's own memory reducer
// compacts the heap of a process that looks idle, 8–20 s after its last activity, and again later:
// in a daemon that is the only time it spends CPU while nobody talks to it. The daemon's node runs
// with the reducer off (node-flags.ts); instead, one full GC runs a second after the last answer of a
// burst. Nothing runs while no request comes.

export const COMPACT_AFTER_MS = 1000;

type Collector = () => void;

let collect: Collector | null | undefined;

/** V8's gc(), exposed for this process (null where the engine refuses). */
function getCollector(): Collector | null {
  if (collect === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      collect = runInNewContext('gc') as Collector;
    } catch {
      collect = null;
    }
  }
  return collect;
}

/** `app`, with one compaction COMPACT_AFTER_MS after the last answer of each burst of requests. */
export function compactAfterRequests(
  app: ApiHandler,
  options: { readonly delayMs?: number; readonly collect?: () => void } = {},
): ApiHandler {
  const delayMs = options.delayMs ?? COMPACT_AFTER_MS;
  let timer: NodeJS.Timeout | undefined;
  const compactLater = () => {
    clearTimeout(timer);
    timer = setTimeout(() => (options.collect ?? getCollector())?.(), delayMs).unref();
  };
  return {
    async handle(request) {
      try {
        return await app.handle(request);
      } finally {
        compactLater();
      }
    },
  };
}
