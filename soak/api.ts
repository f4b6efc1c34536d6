import { type ApiResult, apiRequest } from '../test/e2e/helpers.js';

// One JSON request to the daemon's socket, with a deadline: a daemon that is SIGKILLed mid-request,
// or not back yet, makes this one call fail instead of stalling the soak.

const DEFAULT_TIMEOUT_MS = 5000;

export function callApi<T = unknown>(
  socketPath: string,
  method: string,
  path: string,
  options: { body?: unknown; timeoutMs?: number } = {},
): Promise<ApiResult<T>> {
  return apiRequest<T>(socketPath, {
    method,
    path,
    body: options.body,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  });
}

/** A request that must answer 200; anything else is an error naming the status and the body. */
export async function callApiOk<T = unknown>(
  socketPath: string,
  method: string,
  path: string,
  options: { body?: unknown; timeoutMs?: number } = {},
): Promise<T> {
  const answer = await callApi<T>(socketPath, method, path, options);
  if (answer.status !== 200) {
    throw new Error(`${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  }
  return answer.body;
}
