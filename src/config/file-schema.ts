import * as z from 'zod';
import { normalizeSignal } from '../signals.js';
import { parseDuration, parseSize } from '../units.js';
import { createCheckSchema } from './check-schema.js';
import type { Duration, Signal, Size } from './define-config.js';
import { ON_EXIT_POLICIES, RESTART_POLICIES } from './program-schema.js';
import { socketsSchema } from './socket-schema.js';

// The shape of tend.yaml (and of tend.config.ts) as written, before defaults, instances and paths
// are applied. Every custom message starts with "expected": problems.ts appends what was found.

type Path = readonly PropertyKey[];

const duration = z.custom<Duration>(
  (value) => (typeof value === 'string' || typeof value === 'number') && parseDuration(value) !== undefined,
  { message: 'expected a duration like 500ms, 10s or 2m' },
);
const size = z.custom<Size>(
  (value) => (typeof value === 'string' || typeof value === 'number') && parseSize(value) !== undefined,
  { message: 'expected a size like 512KB or 10MB' },
);
const signal = z.custom<Signal>(
  (value) => (typeof value === 'string' || typeof value === 'number') && normalizeSignal(value) !== undefined,
  { message: 'expected a signal like TERM, SIGINT or 15' },
);
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name');
const nonEmpty = z.string().min(1, 'expected a non-empty string');
const logTarget = z.string().min(1, 'expected a path, console or null').nullable();

const backoffSchema = z.strictObject({
  initial: duration.optional(),
  multiplier: z.number().min(1).max(100).optional(),
  max: duration.optional(),
  resetAfter: duration.optional(),
});

const giveUpSchema = z.strictObject({ failures: z.int().min(1), within: duration }).nullable();

const logsSchema = z.strictObject({
  out: logTarget.optional(),
  err: logTarget.optional(),
  merge: z.boolean().optional(),
  timestamps: z.boolean().optional(),
  format: z.enum(['raw', 'json']).optional(),
  maxSize: size.optional(),
  keep: z.int().min(0).max(10_000).optional(),
  compress: z.boolean().optional(),
  rotateDaily: z.boolean().optional(),
});

const limitsSchema = z.strictObject({
  memory: size.nullable().optional(),
  cpu: z
    .number({ error: 'expected a number of CPUs, like 0.5 or 2' })
    .positive()
    .max(4096)
    .nullable()
    .optional(),
  pids: z.int().min(1).nullable().optional(),
});

const defaultsShape = {
  cwd: nonEmpty.optional(),
  instances: z
    .union([z.int().min(1), z.literal('max')], { error: 'expected a whole number ≥ 1 or "max"' })
    .optional(),
  offsetEnv: z.array(envName).optional(),
  env: z
    .record(
      z.string().regex(/^[^=\0]+$/, 'expected a variable name without "="'),
      z.string({ error: 'expected a string (quote numbers and booleans: "3000")' }),
    )
    .optional(),
  envFile: z
    .union([nonEmpty, z.array(nonEmpty)], { error: 'expected a file name or a list of them' })
    .optional(),
  autostart: z.boolean().optional(),
  restart: z.enum(RESTART_POLICIES).optional(),
  onExit: z.enum(ON_EXIT_POLICIES).optional(),
  successExitCodes: z.array(z.int().min(0).max(255)).min(1).optional(),
  restartDelay: duration.optional(),
  backoff: backoffSchema.optional(),
  giveUp: giveUpSchema.optional(),
  startSecs: duration.optional(),
  ready: z.enum(['startSecs', 'notify', 'fd']).optional(),
  readyFd: z.int().min(3).max(255).optional(),
  startTimeout: duration.optional(),
  watchdog: duration.nullable().optional(),
  stopSignal: signal.optional(),
  stopTimeout: duration.optional(),
  reloadSignal: signal.nullable().optional(),
  user: nonEmpty.nullable().optional(),
  group: nonEmpty.nullable().optional(),
  umask: z
    .string({ error: 'expected an octal umask in quotes, like "022"' })
    .regex(/^0?[0-7]{3}$/, 'expected an octal umask in quotes, like "022"')
    .nullable()
    .optional(),
  logs: logsSchema.optional(),
  limits: limitsSchema.optional(),
};

const checkSchema = createCheckSchema(duration);
const CHECK_KEYS = [
  'name',
  'http',
  'tcp',
  'exec',
  'level',
  'period',
  'timeout',
  'failureThreshold',
  'successThreshold',
  'initialDelay',
  'budget',
];
const HTTP_CHECK_KEYS = ['url', 'method', 'headers', 'status'];

export const defaultsFileSchema = z.strictObject(defaultsShape);

export const programFileSchema = z.strictObject(
  {
    ...defaultsShape,
    // Only the program itself must be named: an empty argument (`--save ""`) is legal and common.
    command: z.union(
      [
        z.string().trim().min(1),
        z
          .array(z.string())
          .min(1)
          .refine((words) => words[0] !== '', {
            path: [0],
            message: 'expected the program to run (a non-empty first word)',
          }),
      ],
      {
        error: 'expected a command: a string, or a list of strings (argv) whose first is not empty',
      },
    ),
    dependsOn: z.array(z.string()).optional(),
    checks: z.array(checkSchema, { error: 'expected a list of checks' }).optional(),
    sockets: socketsSchema.optional(),
    pidFile: nonEmpty.nullable().optional(),
    activation: z.enum(['start', 'socket']).optional(),
    idleStop: duration.nullable().optional(),
  },
  { error: 'expected a program: a map with at least "command"' },
);

export const configFileSchema = z.strictObject(
  {
    defaults: defaultsFileSchema.optional(),
    programs: z.record(z.string(), programFileSchema, {
      error: 'expected a map of program names to programs',
    }),
  },
  { error: 'expected a map with "programs" (and optionally "defaults")' },
);

export type ConfigFile = z.output<typeof configFileSchema>;
export type ProgramFile = z.output<typeof programFileSchema>;
export type DefaultsFile = z.output<typeof defaultsFileSchema>;

const KEYS = {
  root: Object.keys(configFileSchema.shape),
  defaults: Object.keys(defaultsFileSchema.shape),
  program: Object.keys(programFileSchema.shape),
  backoff: Object.keys(backoffSchema.shape),
  giveUp: Object.keys(giveUpSchema.unwrap().shape),
  logs: Object.keys(logsSchema.shape),
  limits: Object.keys(limitsSchema.shape),
};

export const PROGRAM_ONLY_KEYS = KEYS.program.filter((key) => !KEYS.defaults.includes(key));

/** The keys allowed in the map at `path`, for "did you mean" suggestions. */
export function getKnownKeys(path: Path): readonly string[] {
  if (path.length === 0) return KEYS.root;
  if (path.length === 1 && path[0] === 'defaults') return KEYS.defaults;
  if (path.length === 2 && path[0] === 'programs') return KEYS.program;
  if (path.length === 4 && path[2] === 'checks') return CHECK_KEYS;
  if (path.length === 4 && path[2] === 'sockets') return ['address', 'name', 'backlog', 'mode'];
  if (path.length === 5 && path[2] === 'checks' && path[4] === 'http') return HTTP_CHECK_KEYS;
  const last = path.at(-1);
  if (last === 'backoff' || last === 'giveUp' || last === 'logs' || last === 'limits') return KEYS[last];
  return [];
}
