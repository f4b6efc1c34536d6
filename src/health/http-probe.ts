import { type ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { parseStatusRanges } from '../config/check-schema.js';
import { OUTPUT_KEPT_BYTES, type Probe } from './probe.js';

// An http check: one request on a fresh connection (no keep-alive, so a hung server is seen as
// hung); healthy when the status is in the expected ranges (default 200-399). The first 4 KB of the
// body are kept as its output.

export interface HttpCheck {
  readonly url: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly status: string;
}

export function createHttpProbe(check: HttpCheck): Probe {
  const ranges = parseStatusRanges(check.status) ?? [[200, 399]];
  const url = new URL(check.url);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return (signal) =>
    new Promise((resolve) => {
      let request: ClientRequest;
      const fail = (error: Error) => resolve({ ok: false, message: describeError(error, url), output: '' });
      try {
        request = send(url, {
          method: check.method,
          headers: { 'user-agent': 'tend-health-check', ...check.headers },
          agent: false,
          signal,
        });
      } catch (error) {
        fail(error as Error);
        return;
      }
      request.on('error', fail);
      request.on('response', (response: IncomingMessage) => {
        const status = response.statusCode ?? 0;
        const ok = ranges.some(([low, high]) => status >= low && status <= high);
        const body: Buffer[] = [];
        let bytes = 0;
        const finish = () => {
          request.destroy();
          const output = Buffer.concat(body).subarray(0, OUTPUT_KEPT_BYTES).toString('utf8');
          resolve({ ok, message: `HTTP ${status}${ok ? '' : ` (expected ${check.status})`}`, output });
        };
        response.on('data', (chunk: Buffer) => {
          if (bytes < OUTPUT_KEPT_BYTES) body.push(chunk);
          bytes += chunk.length;
          if (bytes >= OUTPUT_KEPT_BYTES) finish();
        });
        response.on('end', finish);
        response.on('error', finish);
      });
      request.end();
    });
}

function describeError(error: Error, url: URL): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ABORT_ERR') return 'aborted';
  return code ? `${code} ${url.host}` : error.message;
}
