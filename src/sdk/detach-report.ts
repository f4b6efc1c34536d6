import type { Readable } from 'node:stream';
import type { DetachOptions } from './detach.js';
import { DaemonAlreadyRunningError, DetachFailedError } from './errors.js';

// The starting process's end of the detach pipe (detach.ts): it reads stage 1's `pid <n>` and stage
// 2's `ready`, `error ...` or `running <pid>`, and settles once, on that line, the pipe's end or the
// ready timeout.

export const DEFAULT_DETACH_READY_TIMEOUT_MS = 30_000;

export function waitForReport(
  name: string,
  pidFile: string,
  report: Readable,
  options: DetachOptions,
): Promise<{ pid: number }> {
  const timeoutMs = options.readyTimeoutMs ?? DEFAULT_DETACH_READY_TIMEOUT_MS;
  const waitForReady = options.waitForReady ?? true;
  return new Promise((resolvePid, reject) => {
    let pid: number | null = null;
    let buffered = '';
    let settled = false;
    const finish = (error: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      report.destroy();
      if (error) reject(error);
      else resolvePid({ pid: pid ?? 0 });
    };
    const timer = setTimeout(() => {
      const which = pid === null ? '' : ` (pid ${pid} may still be starting)`;
      finish(new DetachFailedError(name, `it did not report ready within ${timeoutMs} ms${which}`));
    }, timeoutMs);
    report.setEncoding('utf8');
    report.on('data', (chunk: string) => {
      buffered += chunk;
      for (let end = buffered.indexOf('\n'); end !== -1; end = buffered.indexOf('\n')) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 1);
        if (line.startsWith('pid ')) pid = Number(line.slice(4));
        if (line.startsWith('error ')) return finish(new DetachFailedError(name, line.slice(6)));
        if (line.startsWith('running ')) {
          return finish(new DaemonAlreadyRunningError(name, Number(line.slice(8)), pidFile));
        }
        if (line === 'ready' || (line.startsWith('pid ') && !waitForReady)) return finish(null);
      }
    });
    const log = options.stderr ?? options.stdout;
    const where = log
      ? `see ${log}`
      : 'its output went to /dev/null: set the detach option stderr to keep it';
    report.on('end', () => finish(new DetachFailedError(name, `it exited before it was ready (${where})`)));
    report.on('error', (error) => finish(new DetachFailedError(name, error.message, error)));
  });
}
