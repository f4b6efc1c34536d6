// The types a tend.config.ts is written against. file-schema.ts checks the same shape at run time
// (its test keeps the two in step); this file imports nothing so `import 'tend'` stays tiny.

export type DurationUnit = 'ms' | 's' | 'm' | 'h' | 'd';
/** `500ms`, `10s`, `2m`, `1h`, `1d`; a bare number is milliseconds. */
export type Duration = number | `${number}` | `${number}${DurationUnit}`;

export type SizeUnit =
  | 'B'
  | 'KB'
  | 'K'
  | 'MB'
  | 'M'
  | 'GB'
  | 'G'
  | 'b'
  | 'kb'
  | 'k'
  | 'mb'
  | 'm'
  | 'gb'
  | 'g';
/** `512KB`, `10MB`, `1GB`; a bare number is bytes. */
export type Size = number | `${number}` | `${number}${SizeUnit}`;

type CommonSignal = 'TERM' | 'INT' | 'HUP' | 'QUIT' | 'KILL' | 'USR1' | 'USR2' | 'WINCH';
/** A signal name with or without `SIG` (`TERM`, `SIGINT`) or its number. */
export type Signal = CommonSignal | `SIG${CommonSignal}` | (string & {}) | number;

export type RestartPolicyName = 'always' | 'on-failure' | 'never';

export interface BackoffConfig {
  /** The first delay after a failed start. Default `250ms`. */
  initial?: Duration;
  /** Each further failure multiplies the delay by this (1–100). Default `2`. */
  multiplier?: number;
  /** The delay never grows past this. Default `30s`. */
  max?: Duration;
  /** A run this long resets the delay to `initial`. Default `10s`. */
  resetAfter?: Duration;
}

export interface GiveUpConfig {
  /** Give up (state `fatal`) after this many failed starts… */
  failures: number;
  /** …within this window. */
  within: Duration;
}

export interface LogsConfig {
  /** A file (relative to the config file's directory), `/dev/null`, `console`, or null for `TEND_HOME/logs/NAME.out.log`. */
  out?: string | null;
  /** Likewise for stderr. */
  err?: string | null;
  /** stderr goes into the stdout target, line by line. Default `false`. */
  merge?: boolean;
  /** Each line starts with an ISO 8601 time. Default `false`. */
  timestamps?: boolean;
  /** `json`: one `{"time","stream","line"}` object per line. Default `raw`. */
  format?: 'raw' | 'json';
  /** Rotate when a file would grow past this; `0` never. Default `10MB`. */
  maxSize?: Size;
  /** Rotated files kept per stream. Default `5`. */
  keep?: number;
  /** gzip rotated files. Default `false`. */
  compress?: boolean;
  /** Also rotate at local midnight. Default `false`. */
  rotateDaily?: boolean;
}

/** Every key a program takes that may also be set once under `defaults`. */
export interface ProgramDefaults {
  /** The working directory, relative to the config file's directory. Default: that directory. */
  cwd?: string;
  /** How many copies to run (`NAME-0`, `NAME-1`, …), or `max` for one per CPU. Default `1`. */
  instances?: number | 'max';
  /** Variables whose integer value each instance increases by its number (`PORT` 3000 → 3000, 3001…). */
  offsetEnv?: string[];
  /** Environment variables; merged key by key over `defaults.env` and over `envFile`. */
  env?: Record<string, string>;
  /** A dotenv file (relative to the config file's directory) or a list of them. */
  envFile?: string | string[];
  /** `false`: `tend up` creates the program but does not start it. Default `true`. */
  autostart?: boolean;
  /** When to restart after an exit. Default `always`. */
  restart?: RestartPolicyName;
  /** When it ends for good: `shutdown` stops everything and exits the daemon with its status. Default `restart`. */
  onExit?: 'restart' | 'shutdown' | 'ignore';
  /** Exit codes that count as success for `on-failure`. Default `[0]`. */
  successExitCodes?: number[];
  /** Wait this long before every restart. Default `0s`. */
  restartDelay?: Duration;
  backoff?: BackoffConfig;
  /** null: never give up. Default null. */
  giveUp?: GiveUpConfig | null;
  /** A run shorter than this counts as a failed start. Default `1s`. */
  startSecs?: Duration;
  /** How the program says it is ready: `notify` (sd_notify READY=1), `fd` (a newline on NOTIFY_FD), or after `startSecs`. */
  ready?: 'startSecs' | 'notify' | 'fd';
  /** The fd number for `ready: fd`. Default 3. */
  readyFd?: number;
  /** With `ready: notify` or `fd`: not ready by then is a failed start. Default `60s`. */
  startTimeout?: Duration;
  /** With `ready: notify`: no WATCHDOG=1 within this → SIGABRT, SIGKILL, restart. Default none. */
  watchdog?: Duration | null;
  /** Sent to the process group to stop it. Default `TERM`. */
  stopSignal?: Signal;
  /** SIGKILL follows after this long. Default `10s`. */
  stopTimeout?: Duration;
  /** `tend reload` sends this (the program reloads itself) instead of replacing the process. */
  reloadSignal?: Signal | null;
  /** Run as this user (the daemon must run as root); HOME, USER and LOGNAME follow it. */
  user?: string | null;
  /** Run with this group (the daemon must run as root). Default: the user's primary group. */
  group?: string | null;
  /** An octal umask in quotes, like `"022"`. */
  umask?: string | null;
  /** Through the program's cgroup, where the controller exists (docs/config.md#limits). */
  limits?: { memory?: Size | null; cpu?: number | null; pids?: number | null };
  /** Merged key by key over `defaults.logs`. */
  logs?: LogsConfig;
}

/** An http check: a URL, or the request in full. */
export interface HttpCheckConfig {
  url: string;
  /** Default `GET`. */
  method?: string;
  headers?: Record<string, string>;
  /** The statuses that count as healthy: `200`, `200-399` (the default), `200,204`. */
  status?: number | string;
}

/** A health check (docs/health.md): exactly one of `http`, `tcp` or `exec`. */
export interface CheckConfig {
  /** Shown in `tend show` and the history. Default: the kind (`http`, then `http-2`…). */
  name?: string;
  http?: string | HttpCheckConfig;
  /** `host:port` that must accept a connection. */
  tcp?: string;
  /** A command (string through /bin/sh, or argv) that must exit 0; its last 4 KB of output are kept. */
  exec?: string | string[];
  /** `alive` (default; failing restarts the program), `ready` (gates running and reloads), `startup`. */
  level?: 'alive' | 'ready' | 'startup';
  /** Default `10s`. */
  period?: Duration;
  /** Default `1s`; an exec check is killed at it. */
  timeout?: Duration;
  /** Failures in a row that make it unhealthy. Default 3. */
  failureThreshold?: number;
  /** Successes in a row that make it healthy. Default 1. */
  successThreshold?: number;
  /** Wait this long after the start before the first run. Default `0`. */
  initialDelay?: Duration;
  /** startup only: it must pass once within this. Default failureThreshold × period. */
  budget?: Duration;
}

export interface ProgramConfig extends ProgramDefaults {
  /** A string run by `/bin/sh -c`, or a list of words run directly (argv). */
  command: string | string[];
  /** Programs of this file that must be running before this one starts. */
  dependsOn?: string[];
  /** Health checks, run by the daemon while the program runs. */
  checks?: CheckConfig[];
  /** Listening sockets the daemon holds and passes as LISTEN_FDS from fd 3 (docs/reload.md). */
  sockets?: (string | SocketConfig)[];
  /** Where the program writes its main pid: a new main process named there is followed (docs/reload.md). */
  pidFile?: string | null;
  /** `socket`: started by the first connection on its sockets, not by `tend up` (docs/reload.md). */
  activation?: 'start' | 'socket';
  /** With activation: socket, stopped after this long without a connection. Default: never. */
  idleStop?: Duration | null;
}

/** A held socket: `tcp://127.0.0.1:3000`, `tcp://[::]:8080` or `unix:/path`, with options. */
export interface SocketConfig {
  address: string;
  /** In LISTEN_FDNAMES. Default: the program's name (then name-2, …). */
  name?: string;
  /** Default 511. */
  backlog?: number;
  /** unix only: the socket file's mode, in quotes (`"0660"`, the default). */
  mode?: string;
}

export interface TendConfig {
  /** Merged under every program: program keys win; `env` and `logs` merge key by key. */
  defaults?: ProgramDefaults;
  /** Program name → program. */
  programs: Record<string, ProgramConfig>;
}

/**
 * Types a tend.config.ts (or .js) and returns it unchanged.
 *
 * @example
 * import { defineConfig } from 'tend';
 * export default defineConfig({
 *   programs: { api: { command: 'node server.js', instances: 2, offsetEnv: ['PORT'], env: { PORT: '3000' } } },
 * });
 */
export function defineConfig(config: TendConfig): TendConfig {
  return config;
}
