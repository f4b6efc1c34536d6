// Small helpers: clocks, sleeping, medians, running a command and timing it.
import { spawn } from 'node:child_process';

export const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const sleeper = new Int32Array(new SharedArrayBuffer(4));
/** Blocks the thread (no CPU) for ms: the 1 ms /proc polls use it, setTimeout is coarser. */
export function sleepSync(ms) {
  Atomics.wait(sleeper, 0, 0, ms);
}

export function median(values) {
  const sorted = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Runs a command to completion. Resolves {code, signal, stdout, stderr, ms} (never rejects on a
 * non-zero exit; `check: true` does). ms is wall time from spawn to exit.
 */
export function run(file, args, { env, cwd, timeoutMs = 120_000, check = false, input } = {}) {
  return new Promise((resolve, reject) => {
    const started = nowMs();
    const child = spawn(file, args, {
      env: env ?? process.env,
      cwd,
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out = [];
    const err = [];
    child.stdout.on('data', (chunk) => out.push(chunk));
    child.stderr.on('data', (chunk) => err.push(chunk));
    if (input !== undefined) child.stdin.end(input);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = {
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        ms: nowMs() - started,
      };
      if (check && code !== 0) {
        const what = `${file} ${args.join(' ')}`.slice(0, 200);
        reject(
          new Error(
            `${what} exited ${code ?? signal}: ${(result.stderr || result.stdout).trim().slice(-800)}`,
          ),
        );
      } else resolve(result);
    });
  });
}

/** Polls `check` (sync, truthy = done) every intervalMs until it is done or timeoutMs passes. */
export async function waitFor(check, { intervalMs = 1, timeoutMs = 60_000, what = 'condition' } = {}) {
  const deadline = nowMs() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (nowMs() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** Runs `tasks` (functions returning promises) with at most `limit` at a time. */
export async function pool(tasks, limit) {
  const results = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

export function log(message) {
  process.stderr.write(`${message}\n`);
}

/** Share of the machine's CPU time that was busy over `ms` (from /proc/stat; 0..1). */
export async function machineBusy(ms = 1000) {
  const { readFileSync } = await import('node:fs');
  const sample = () => {
    const fields = readFileSync('/proc/stat', 'latin1')
      .split('\n')[0]
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const idle = fields[3] + (fields[4] ?? 0);
    const total = fields.reduce((a, b) => a + b, 0);
    return { idle, total };
  };
  const a = sample();
  await sleep(ms);
  const b = sample();
  const total = b.total - a.total;
  return total > 0 ? 1 - (b.idle - a.idle) / total : 0;
}

/**
 * Waits (up to maxSeconds) until the machine is quiet: less than `threshold` of its CPU busy over a
 * second, so another job's load does not land in one peer's figures. Returns the last busy share.
 */
export async function waitQuiet({ maxSeconds, threshold = 0.15 }) {
  const deadline = nowMs() + maxSeconds * 1000;
  let busy = await machineBusy();
  let said = false;
  while (busy >= threshold && nowMs() < deadline) {
    if (!said) {
      log(
        `    (machine ${Math.round(busy * 100)} % busy with something else; waiting up to ${maxSeconds} s for it to calm down)`,
      );
      said = true;
    }
    busy = await machineBusy();
  }
  return busy;
}
