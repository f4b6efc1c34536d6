import type { AppDeps } from './deps.js';
import type { Route } from './router.js';
import { parseOrThrow, shutdownBody } from './schemas.js';

// /daemon: what the daemon is, and asking it to stop or to hand over to a successor.

export function getDaemonRoutes(deps: AppDeps): Route[] {
  return [
    { method: 'GET', pattern: /^\/daemon$/, handler: () => deps.getDaemonInfo() },
    {
      method: 'POST',
      pattern: /^\/daemon\/shutdown$/,
      handler: (_params, request) => {
        const body = parseOrThrow(shutdownBody, request.body ?? {}, 'body');
        deps.requestShutdown(body.stopPrograms);
        return { shuttingDown: true, stopPrograms: body.stopPrograms };
      },
    },
    {
      method: 'POST',
      pattern: /^\/daemon\/restart$/,
      handler: () => {
        deps.requestRestart();
        return { restarting: true, pid: deps.getDaemonInfo().pid };
      },
    },
  ];
}
