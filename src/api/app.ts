import { getConfigRoutes } from './config-routes.js';
import { getDaemonRoutes } from './daemon-routes.js';
import type { AppDeps } from './deps.js';
import { getLogRoutes } from './log-routes.js';
import { getProgramRoutes } from './program-routes.js';
import { type ApiRequest, type ApiResponse, createRouter } from './router.js';

// The control API as a transport-free function: request in, response out. The server feeds it from a
// unix socket; tests call it directly. Its routes call public methods of the supervisor and of the
// program logs (deps.ts), nothing else.

export const API_VERSION = 'v1';

export function createApp(deps: AppDeps): { handle(request: ApiRequest): Promise<ApiResponse> } {
  return createRouter(`/${API_VERSION}`, [
    ...getDaemonRoutes(deps),
    ...getProgramRoutes(deps),
    ...getConfigRoutes(deps),
    ...getLogRoutes(deps),
  ]);
}
