import * as z from 'zod';
import {
  CONSOLE_TARGET,
  DEFAULT_LOG_KEEP,
  DEFAULT_LOG_MAX_SIZE_BYTES,
  DEFAULT_LOG_OPTIONS,
} from '../logs/log-options.js';
import { normalizeSignal } from '../signals.js';
import { parseDuration, parseSize } from '../units.js';
import { createCheckSchema, DEFAULT_CHECK, nameChecks } from './check-schema.js';
import { socketsSchema } from './socket-schema.js';

// The shape of a program as users write it (API body, later tend.yaml) and its normalized form.

export const DEFAULT_START_SECS_MS = 1000;
export const DEFAULT_STOP_TIMEOUT_MS = 10_000;
export const DEFAULT_START_TIMEOUT_MS = 60_000;
export const DEFAULT_BACKOFF = {
  initialMs: 250,
  multiplier: 2,
  maxMs: 30_000,
  resetAfterMs: 10_000,
} as const;
/** The shortest wait between quick restarts: without it, `initial: 0` restarts a crash loop thousands of times a second. */
export const MIN_BACKOFF_MS = 100;

export const PROGRAM_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const RESERVED_NAMES = new Set(['all']);

export const RESTART_POLICIES = ['always', 'on-failure', 'never'] as const;
export type RestartPolicy = (typeof RESTART_POLICIES)[number];

/**
 * What the daemon does when a program ends for good (exited under its restart policy, or fatal):
 * `restart` nothing more (the restart policy is all there is), `ignore` never restart it, whatever
 * `restart` says, `shutdown` stop every other program and exit with its exit status (containers).
 */
export const ON_EXIT_POLICIES = ['restart', 'shutdown', 'ignore'] as const;
export type OnExitPolicy = (typeof ON_EXIT_POLICIES)[number];

const duration = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected a duration like 500ms, 10s or 2m` });
    return z.NEVER;
  }
  return ms;
});

/** A backoff delay: a duration no shorter than MIN_BACKOFF_MS. */
const backoffDelay = duration.refine((ms) => ms >= MIN_BACKOFF_MS, {
  message: `must be at least ${MIN_BACKOFF_MS}ms (a shorter wait lets a crash loop take a whole CPU)`,
});

const signal = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const normalized = normalizeSignal(value);
  if (!normalized) {
    ctx.addIssue({ code: 'custom', message: `expected a signal name like TERM or SIGINT` });
    return z.NEVER;
  }
  return normalized;
});

const size = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const bytes = parseSize(value);
  if (bytes === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected a size like 10MB or 512KB` });
    return z.NEVER;
  }
  return bytes;
});

// A NUL can never reach exec(2) or open(2): refuse it here rather than fail at spawn.
const NO_NUL = /^[^\0]*$/;

const logTarget = z
  .string()
  .regex(NO_NUL, 'a path cannot contain NUL')
  .refine((value) => value === CONSOLE_TARGET || value.startsWith('/'), {
    message: `expected an absolute path, /dev/null or "${CONSOLE_TARGET}"`,
  })
  .nullable()
  .default(null);

export const logsSchema = z
  .strictObject({
    out: logTarget,
    err: logTarget,
    merge: z.boolean().default(false),
    timestamps: z.boolean().default(false),
    format: z.enum(['raw', 'json']).default('raw'),
    maxSize: size.default(DEFAULT_LOG_MAX_SIZE_BYTES),
    keep: z.number().int().min(0).max(10_000).default(DEFAULT_LOG_KEEP),
    compress: z.boolean().default(false),
    rotateDaily: z.boolean().default(false),
  })
  .default({ ...DEFAULT_LOG_OPTIONS });

export const programNameSchema = z
  .string()
  .regex(
    PROGRAM_NAME_PATTERN,
    'names use letters, digits, ".", "_" and "-", start with a letter or digit, ≤ 64 chars',
  )
  .refine((name) => !RESERVED_NAMES.has(name), { message: '"all" is reserved' });

const MIN_CHECK_PERIOD_MS = 100;
const MAX_CHECKS = 32;

// A check with every default filled in: what the daemon runs (and what parses again to itself).
const checkSchema = createCheckSchema(duration).transform((check, ctx) => {
  const period = check.period ?? DEFAULT_CHECK.periodMs;
  const timeout = check.timeout ?? DEFAULT_CHECK.timeoutMs;
  const failureThreshold = check.failureThreshold ?? DEFAULT_CHECK.failureThreshold;
  if (period < MIN_CHECK_PERIOD_MS)
    ctx.addIssue({ code: 'custom', path: ['period'], message: `expected at least ${MIN_CHECK_PERIOD_MS}ms` });
  if (timeout < 1) ctx.addIssue({ code: 'custom', path: ['timeout'], message: 'expected more than 0ms' });
  return {
    ...check,
    period,
    timeout,
    failureThreshold,
    successThreshold: check.successThreshold ?? DEFAULT_CHECK.successThreshold,
    initialDelay: check.initialDelay ?? DEFAULT_CHECK.initialDelayMs,
    ...(check.level === 'startup' ? { budget: check.budget ?? failureThreshold * period } : {}),
  };
});

export type CheckSpec = z.output<typeof checkSchema> & { name: string };

export const programInputSchema = z.strictObject({
  name: programNameSchema,
  // Only the program itself must be named: an empty argument (`--save ''`) is legal and common.
  command: z.union(
    [
      z
        .array(z.string().regex(NO_NUL, 'cannot contain NUL'))
        .min(1, 'the command needs at least one word')
        .refine((words) => words[0] !== '', {
          path: [0],
          message: 'expected the program to run (a non-empty first word)',
        }),
      z.string().trim().min(1, 'the command is empty').regex(NO_NUL, 'cannot contain NUL'),
    ],
    { error: 'expected a command: a string, or a list of words whose first names the program' },
  ),
  cwd: z.string().min(1).optional(),
  env: z
    .record(
      z.string().regex(/^[^=\0]+$/, 'env names cannot contain "=" or NUL'),
      z.string().regex(NO_NUL, 'env values cannot contain NUL'),
    )
    .default({}),
  restart: z.enum(RESTART_POLICIES).default('always'),
  onExit: z.enum(ON_EXIT_POLICIES).default('restart'),
  successExitCodes: z.array(z.number().int().min(0).max(255)).min(1).default([0]),
  restartDelay: duration.default(0),
  backoff: z
    .strictObject({
      initial: backoffDelay.default(DEFAULT_BACKOFF.initialMs),
      multiplier: z.number().min(1).max(100).default(DEFAULT_BACKOFF.multiplier),
      max: backoffDelay.default(DEFAULT_BACKOFF.maxMs),
      resetAfter: duration.default(DEFAULT_BACKOFF.resetAfterMs),
    })
    .default({
      initial: DEFAULT_BACKOFF.initialMs,
      multiplier: DEFAULT_BACKOFF.multiplier,
      max: DEFAULT_BACKOFF.maxMs,
      resetAfter: DEFAULT_BACKOFF.resetAfterMs,
    }),
  giveUp: z
    .strictObject({ failures: z.number().int().min(1), within: duration })
    .nullable()
    .default(null),
  startSecs: duration.default(DEFAULT_START_SECS_MS),
  ready: z.enum(['startSecs', 'notify', 'fd']).default('startSecs'),
  readyFd: z.number().int().min(3).max(255).default(3),
  startTimeout: duration.default(DEFAULT_START_TIMEOUT_MS),
  watchdog: duration.nullable().default(null),
  stopSignal: signal.default('SIGTERM'),
  // `tend reload` (docs/reload.md): a program that reloads itself gets this signal; else it is replaced.
  reloadSignal: signal.nullable().default(null),
  // A file where the program writes its main pid: followed when the main process changes.
  pidFile: z
    .string()
    .regex(NO_NUL, 'a path cannot contain NUL')
    .refine((v) => v.startsWith('/'), {
      message: 'expected an absolute path',
    })
    .nullable()
    .default(null),
  stopTimeout: duration.default(DEFAULT_STOP_TIMEOUT_MS),
  checks: z
    .array(checkSchema)
    .max(MAX_CHECKS, `expected at most ${MAX_CHECKS} checks`)
    .default([])
    .transform((checks, ctx): CheckSpec[] => nameChecks(checks, ctx)),
  // Listening sockets the daemon holds for the program (docs/reload.md).
  sockets: socketsSchema.default([]),
  // socket: not started until the first connection on its sockets; idleStop: stopped again when quiet.
  activation: z.enum(['start', 'socket']).default('start'),
  idleStop: duration.nullable().default(null),
  logs: logsSchema,
  // Set by `tend up` from a config file (see config/): where a program came from and how it relates
  // to the others. Programs started with `tend start` leave them at their defaults.
  source: z.string().nullable().default(null),
  instanceOf: programNameSchema.nullable().default(null),
  instance: z.number().int().min(0).nullable().default(null),
  offsetEnv: z
    .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name'))
    .default([]),
  dependsOn: z.array(programNameSchema).default([]),
  autostart: z.boolean().default(true),
  user: z.string().min(1).nullable().default(null),
  group: z.string().min(1).nullable().default(null),
  umask: z
    .string()
    .regex(/^0?[0-7]{3}$/, 'expected an octal umask like 022 or 0077')
    .nullable()
    .default(null),
  // Through the program's cgroup, where the daemon has one and the controller is there (docs/config.md).
  limits: z
    .strictObject({
      memory: size.nullable().default(null),
      cpu: z.number().positive().max(4096).nullable().default(null),
      pids: z.number().int().min(1).nullable().default(null),
    })
    .default({ memory: null, cpu: null, pids: null }),
});

export type ProgramInput = z.input<typeof programInputSchema>;
export type ProgramSpec = z.output<typeof programInputSchema> & { cwd: string };
