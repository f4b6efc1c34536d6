import { request } from 'node:http';

// One JSON request to the daemon's socket, with a deadline: a daemon that is SIGKILLed mid-request,
// or not back yet, makes this one call fail instead of stalling the soak.

const DEFAULT_TIMEOUT_MS = 5000;

export interface ApiAnswer<T> {
  status: number;
  body: T;
}

export function callApi<T = unknown>(
  socketPath: string,
  method: string,
  path: string,
  options: { body?: unknown; timeoutMs?: number } = {},
): Promise<ApiAnswer<T>> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath,
        method,
        path,
        headers: payload === undefined ? {} : { 'content-type': 'application/json' },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: res.statusCode ?? 0, body: (text ? JSON.parse(text) : undefined) as T });
          } catch {
            reject(new Error(`${method} ${path}: answer is not JSON: ${text.slice(0, 200)}`));
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
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
