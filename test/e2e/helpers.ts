import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProgramStatusView } from '../../src/api/views.js';
import { isAlive } from '../../src/proc/liveness.js';
import { getTreeName } from '../../src/process/cgroup.js';
import {
  findCgroup2Mount,
  findCgroupV1Mount,
  findOwnCgroup,
  findOwnV1Cgroup,
  getCgroupDirectory,
} from '../../src/process/cgroup-mounts.js';
import type { HistoryEvent } from '../../src/store/program-store.js';

// Shared by the end-to-end tests: a private TEND_HOME per test, the real CLI (bin/tend.js, built
// bundles), the real daemon and socket, and /proc to see what really runs.

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TEND_BIN = join(ROOT, 'bin', 'tend.js');
const DEFAULT_CLI_TIMEOUT_MS = 30_000;
const POLL_INTERVAL_MS = 20;
const CLEANUP_GRACE_MS = 2000;

export function fixture(name: string): string {
  return join(ROOT, 'test', 'fixtures', name);
}

export interface TendResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface TendOptions {
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

export interface ApiResult<T = unknown> {
  status: number;
  body: T;
}

export interface ApiRequestOptions {
  method: string;
  path: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is, instead of `body`. */
  raw?: string | Buffer;
  /** Fails the request when no answer comes within this (a daemon SIGKILLed mid-request). */
  timeoutMs?: number;
}

export interface TendHome {
  readonly home: string;
  readonly socket: string;
  tend(args: string[], options?: TendOptions): Promise<TendResult>;
  /** Runs a command that must succeed, with `--json`, and parses what it prints. */
  tendJson<T>(args: string[], options?: TendOptions): Promise<T>;
  /** One request straight to the daemon's socket (no daemon is started). */
  api<T = unknown>(request: ApiRequestOptions): Promise<ApiResult<T>>;
  cleanup(): Promise<void>;
}

// The API's own shapes: a test reads what the daemon really sends.
export type ProgramRow = ProgramStatusView;
export type { HistoryEvent };

export interface DaemonStatus {
  running: boolean;
  pid: number | null;
  version: string | null;
  home: string;
}

/** `home`: a directory to use (it must not exist yet; it is created, and removed by cleanup). */
export async function createTendHome(options: { home?: string } = {}): Promise<TendHome> {
  const home = options.home ?? (await mkdtemp(join(tmpdir(), 'tend-test-')));
  if (options.home) await mkdir(home, { mode: 0o700 });
  const socket = join(home, 'tend.sock');
  let cleaned = false;

  const tend = (args: string[], options: TendOptions = {}) => runTend(home, args, options);

  const tendJson = async <T>(args: string[], options?: TendOptions): Promise<T> => {
    const separator = args.indexOf('--');
    const withJson = args.includes('--json')
      ? args
      : separator === -1
        ? [...args, '--json']
        : [...args.slice(0, separator), '--json', ...args.slice(separator)];
    const result = await tend(withJson, options);
    if (result.code !== 0) {
      throw new Error(`tend ${withJson.join(' ')} exited ${result.code}: ${result.stderr.trim()}`);
    }
    return JSON.parse(result.stdout) as T;
  };

  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    const stop = await tend(['daemon', 'stop']);
    // Signals are delivered and zombies reaped asynchronously: give stragglers a moment.
    let survivors = findProcesses(home);
    const deadline = Date.now() + CLEANUP_GRACE_MS;
    while (survivors.length > 0 && Date.now() < deadline) {
      await delay(POLL_INTERVAL_MS);
      survivors = findProcesses(home);
    }
    for (const survivor of survivors) killQuietly(survivor.pid);
    removeCgroupTrees(home);
    await rm(home, { recursive: true, force: true });
    if (stop.code !== 0) throw new Error(`cleanup: tend daemon stop exited ${stop.code}: ${stop.stderr}`);
    if (survivors.length > 0) {
      const list = survivors.map((survivor) => `${survivor.pid} (${survivor.cmdline})`).join(', ');
      throw new Error(`cleanup: had to SIGKILL processes still alive after tend daemon stop: ${list}`);
    }
  };

  return { home, socket, tend, tendJson, api: (req) => apiRequest(socket, req), cleanup };
}

/**
 * What a test's daemons left in the cgroup hierarchies (a SIGKILLed daemon's program cgroups, which
 * only the next daemon of that home would remove): the home's tree in cgroup v2 and in each v1
 * hierarchy, once empty. A cgroup that still holds a process stays (the leak check names it).
 */
function removeCgroupTrees(home: string): void {
  const mountinfo = readTextQuietly('/proc/self/mountinfo');
  const own = readTextQuietly('/proc/self/cgroup');
  const places = [
    { mount: findCgroup2Mount(mountinfo), cgroup: findOwnCgroup(own) },
    ...['memory', 'cpu', 'pids'].map((controller) => ({
      mount: findCgroupV1Mount(mountinfo, controller),
      cgroup: findOwnV1Cgroup(own, controller),
    })),
  ];
  for (const { mount, cgroup } of places) {
    if (!mount || cgroup === null) continue;
    const tree = join(getCgroupDirectory(mount, cgroup), getTreeName(home));
    let entries: string[];
    try {
      entries = readdirSync(tree, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name);
    } catch {
      continue;
    }
    for (const entry of [...entries, '']) {
      try {
        rmdirSync(join(tree, entry));
      } catch {
        // still in use
      }
    }
  }
}

function readTextQuietly(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Runs the real CLI against `home`; kills it and fails past its timeout. */
export function runTend(home: string, args: string[], options: TendOptions = {}): Promise<TendResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TEND_BIN, ...args], {
      cwd: options.cwd ?? home,
      env: { ...process.env, NO_COLOR: '1', ...options.env, TEND_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timeoutMs = options.timeoutMs ?? DEFAULT_CLI_TIMEOUT_MS;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tend ${args.join(' ')} did not finish within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export function apiRequest<T = unknown>(
  socketPath: string,
  options: ApiRequestOptions,
): Promise<ApiResult<T>> {
  const payload = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath,
        method: options.method,
        path: options.path,
        headers: payload === undefined ? {} : { 'content-type': 'application/json' },
        ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
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
            reject(new Error(`${options.method} ${options.path}: answer is not JSON: ${text}`));
          }
        });
      },
    );
    req.on('timeout', () =>
      req.destroy(new Error(`${options.method} ${options.path}: no answer within ${options.timeoutMs} ms`)),
    );
    req.on('error', reject);
    req.end(payload);
  });
}

type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

/** Polls until `condition` returns a truthy value (which it returns) or the deadline passes. */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  timeoutMs: number,
  what: string,
): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value as Truthy<T>;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${detail})`);
    }
    await delay(POLL_INTERVAL_MS);
  }
}

/** Watches for `durationMs` that `condition` keeps holding; fails as soon as it does not. */
export async function assertStays(
  condition: () => boolean | Promise<boolean>,
  durationMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + durationMs;
  while (Date.now() < deadline) {
    if (!(await condition()))
      throw new Error(`expected ${what} to hold for ${durationMs} ms, but it changed`);
    await delay(POLL_INTERVAL_MS);
  }
}

export async function readLog(home: string, name: string, stream: 'out' | 'err'): Promise<string> {
  try {
    return await readFile(join(home, 'logs', `${name}.${stream}.log`), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
}

/** Complete lines only: a line still being written (no newline yet) is left out. */
export function getCompleteLines(text: string): string[] {
  const lines = text.split('\n');
  lines.pop();
  return lines;
}

/** The counter fixture's log must read "line 1", "line 2", ... with no gap and no duplicate. */
export function assertCountsUp(lines: string[]): void {
  for (const [index, line] of lines.entries()) {
    if (line !== `line ${index + 1}`) {
      throw new Error(`log line ${index + 1} is "${line}" after "${lines[index - 1]}": a gap or a duplicate`);
    }
  }
}

/** Fields of /proc/PID/stat after the command name, numbered as in proc(5): 3 = state, 5 = pgrp, ... */
export function readProcStat(pid: number): Map<number, string> | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return new Map(fields.map((value, index) => [index + 3, value]));
  } catch {
    return null;
  }
}

/** Alive means it exists and is not a zombie: the product's own test, so tests and daemon agree. */
export { isAlive };

export function isGroupLeader(pid: number): boolean {
  return readProcStat(pid)?.get(5) === String(pid);
}

export interface ProcessInfo {
  pid: number;
  environ: Map<string, string>;
  cmdline: string;
}

/** Live processes whose process group is `pgid`. */
export function findGroupMembers(pgid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => readProcStat(pid)?.get(5) === String(pgid) && isAlive(pid));
}

/** Live processes whose environment has TEND_HOME=home (and every extra KEY=VALUE given). */
export function findProcesses(home: string, match: Record<string, string> = {}): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    try {
      const environ = new Map(
        readFileSync(`/proc/${pid}/environ`, 'latin1')
          .split('\0')
          .filter(Boolean)
          .map((pair): [string, string] => {
            const at = pair.indexOf('=');
            return [pair.slice(0, at), pair.slice(at + 1)];
          }),
      );
      if (environ.get('TEND_HOME') !== home) continue;
      if (Object.entries(match).some(([key, value]) => environ.get(key) !== value)) continue;
      if (!isAlive(pid)) continue;
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ').trim();
      found.push({ pid, environ, cmdline });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

/** The daemon processes of a home (the CLI that started them has exited by the time we look). */
export function findDaemons(home: string): ProcessInfo[] {
  return findProcesses(home).filter((info) => info.cmdline.includes('dist/daemon.js'));
}

/** A program's status straight from the socket: cheaper than `tend ls` for polling. */
export async function getProgram(tendHome: TendHome, name: string): Promise<ProgramRow> {
  const { status, body } = await tendHome.api<ProgramRow[]>({ method: 'GET', path: '/v1/programs' });
  if (status !== 200) throw new Error(`GET /v1/programs answered ${status}`);
  const row = body.find((candidate) => candidate.name === name);
  if (!row) throw new Error(`no program "${name}"`);
  return row;
}

/** Creates a program through the API (for settings the CLI has no flag for); the daemon is started first. */
export async function createProgram(tendHome: TendHome, spec: Record<string, unknown>): Promise<ProgramRow> {
  const started = await tendHome.tend(['daemon', 'start']);
  if (started.code !== 0) throw new Error(`tend daemon start exited ${started.code}: ${started.stderr}`);
  const { status, body } = await tendHome.api<ProgramRow>({
    method: 'POST',
    path: '/v1/programs',
    body: { cwd: tendHome.home, ...spec },
  });
  if (status !== 200) throw new Error(`POST /v1/programs answered ${status}: ${JSON.stringify(body)}`);
  return body;
}

/** Waits until the program matches; returns its row. */
export function waitForProgram(
  tendHome: TendHome,
  name: string,
  matches: (row: ProgramRow) => boolean,
  timeoutMs: number,
  what: string,
): Promise<ProgramRow> {
  return waitFor(
    async () => {
      const row = await getProgram(tendHome, name);
      return matches(row) ? row : false;
    },
    timeoutMs,
    `${name}: ${what}`,
  );
}

/** A program's history through `tend events --json`, oldest first. */
/** `tend start --name NAME --start-secs 100ms [OPTIONS] -- COMMAND` (a sleeper), then waits until it runs. */
export async function startRunning(
  tendHome: TendHome,
  name: string,
  command: string[] = [fixture('sleeper.sh')],
  options: string[] = [],
): Promise<ProgramRow> {
  const args = ['start', '--name', name, '--start-secs', '100ms', ...options, '--', ...command];
  const started = await tendHome.tend(args);
  if (started.code !== 0) throw new Error(`tend ${args.join(' ')} exited ${started.code}: ${started.stderr}`);
  return waitForProgram(tendHome, name, (row) => row.state === 'running', 5000, 'running');
}

/** SIGKILLs the home's daemon (no cleanup of any kind) and waits until it is gone; returns its pid. */
export async function killDaemon(tendHome: TendHome): Promise<number> {
  const { pid } = await tendHome.tendJson<DaemonStatus & { pid: number }>(['daemon', 'status']);
  process.kill(pid, 'SIGKILL');
  await waitFor(() => !isAlive(pid), 2000, `the daemon (pid ${pid}) to die`);
  return pid;
}

export async function getEvents(tendHome: TendHome, name: string): Promise<HistoryEvent[]> {
  const events = await tendHome.tendJson<HistoryEvent[]>(['events', name, '-n', '1000']);
  return events.sort((a, b) => a.id - b.id);
}

export function killQuietly(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A device like /dev/full (every write fails with ENOSPC) of the test's own: as root, a node made
 * in `parent`, so no broken line of the product (`npm run mutate` breaks them on purpose) can rename
 * or replace the machine's /dev/full. Elsewhere /dev/full itself, which a non-root user cannot move.
 */
export function makeFullDevice(parent: string): string {
  if (process.getuid?.() !== 0) return '/dev/full';
  const path = join(parent, 'full');
  execFileSync('mknod', ['-m', '666', path, 'c', '1', '7']);
  return path;
}

/** A TCP port on 127.0.0.1 that was free a moment ago (the kernel picked it). */
export async function getFreePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}
