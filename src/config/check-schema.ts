import * as z from 'zod';

// The `checks:` of a program (docs/health.md): one probe each (http, tcp or exec) with its timing,
// thresholds and level. One factory serves both forms: tend.yaml as written (durations still text)
// and the normalized spec the daemon keeps, which must parse again to itself (the store re-reads it).

export const CHECK_LEVELS = ['alive', 'ready', 'startup'] as const;
export type CheckLevel = (typeof CHECK_LEVELS)[number];
export const CHECK_KINDS = ['http', 'tcp', 'exec'] as const;
export type CheckKind = (typeof CHECK_KINDS)[number];

export const DEFAULT_CHECK = {
  periodMs: 10_000,
  timeoutMs: 1000,
  failureThreshold: 3,
  successThreshold: 1,
  initialDelayMs: 0,
  status: '200-399',
  method: 'GET',
} as const;

const STATUS_PART = /^([1-5]\d\d)(?:-([1-5]\d\d))?$/;
const HTTP_METHOD = /^[A-Z]+$/;
const CHECK_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const NO_NUL = /^[^\0]*$/;

/** `200-399`, `200`, `200,204,301-302` → [[200,399]]…; undefined when it is not such a list. */
export function parseStatusRanges(text: string): [number, number][] | undefined {
  const ranges: [number, number][] = [];
  for (const part of text.split(',')) {
    const match = STATUS_PART.exec(part.trim());
    if (!match) return undefined;
    const low = Number(match[1]);
    const high = Number(match[2] ?? match[1]);
    if (high < low) return undefined;
    ranges.push([low, high]);
  }
  return ranges;
}

/** `127.0.0.1:5432`, `[::1]:80`, `localhost:3000` → host and port; undefined when malformed. */
export function parseHostPort(text: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[3]);
  if (!match || !Number.isInteger(port) || port < 1 || port > 65_535) return undefined;
  return { host: (match[1] ?? match[2]) as string, port };
}

const statusText = z
  .union([z.number().int(), z.string()])
  .transform((value) => String(value))
  .refine((value) => parseStatusRanges(value) !== undefined, {
    message: 'expected an HTTP status or ranges like 200-399 or 200,204',
  });

const httpUrl = z
  .string()
  .regex(NO_NUL, 'a URL cannot contain NUL')
  .refine((value) => /^https?:\/\/[^/]+/.test(value) && URL.canParse(value), {
    message: 'expected an http:// or https:// URL',
  });

const httpSchema = z.union(
  [
    httpUrl.transform((url) => ({
      url,
      method: DEFAULT_CHECK.method,
      headers: {} as Record<string, string>,
      status: DEFAULT_CHECK.status,
    })),
    z.strictObject({
      url: httpUrl,
      method: z
        .string()
        .transform((value) => value.toUpperCase())
        .refine((value) => HTTP_METHOD.test(value), { message: 'expected an HTTP method like GET or HEAD' })
        .default(DEFAULT_CHECK.method),
      headers: z
        .record(
          z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'expected a header name'),
          z.string().regex(/^[^\r\n\0]*$/, 'a header value cannot contain a line break'),
        )
        .default({}),
      status: statusText.default(DEFAULT_CHECK.status),
    }),
  ],
  { error: 'expected an http:// or https:// URL, or a map with url (and method, headers, status)' },
);

const tcpSchema = z.string().refine((value) => parseHostPort(value) !== undefined, {
  message: 'expected host:port, like 127.0.0.1:5432 or [::1]:80',
});

const execSchema = z.union([
  z.string().trim().min(1, 'the command is empty').regex(NO_NUL, 'cannot contain NUL'),
  z.array(z.string().regex(NO_NUL, 'cannot contain NUL')).min(1, 'the command needs at least one word'),
]);

/** The schema of one check; `duration` is the form durations take (text in a file, ms once parsed). */
export function createCheckSchema<D extends z.ZodType>(duration: D) {
  return z
    .strictObject({
      name: z
        .string()
        .regex(CHECK_NAME, 'expected a short name of letters, digits, ".", "_" or "-"')
        .optional(),
      http: httpSchema.optional(),
      tcp: tcpSchema.optional(),
      exec: execSchema.optional(),
      level: z.enum(CHECK_LEVELS).default('alive'),
      period: duration.optional(),
      timeout: duration.optional(),
      failureThreshold: z.number().int().min(1).max(1000).optional(),
      successThreshold: z.number().int().min(1).max(1000).optional(),
      initialDelay: duration.optional(),
      /** startup only: how long it may take to pass once (default failureThreshold × period). */
      budget: duration.optional(),
    })
    .superRefine((check, ctx) => {
      const kinds = CHECK_KINDS.filter((kind) => check[kind] !== undefined);
      if (kinds.length !== 1) {
        ctx.addIssue({
          code: 'custom',
          message:
            kinds.length === 0
              ? 'expected one of http, tcp or exec'
              : `expected only one of http, tcp or exec, found ${kinds.join(' and ')}`,
        });
      }
      if (check.budget !== undefined && check.level !== 'startup') {
        ctx.addIssue({
          code: 'custom',
          path: ['budget'],
          message: 'expected budget only on a startup check',
        });
      }
    });
}

export type CheckInputOf<D extends z.ZodType> = z.output<ReturnType<typeof createCheckSchema<D>>>;

/** The kind of a validated check. */
export function getCheckKind(check: { http?: unknown; tcp?: unknown; exec?: unknown }): CheckKind {
  if (check.http !== undefined) return 'http';
  if (check.tcp !== undefined) return 'tcp';
  return 'exec';
}

/** Every check named (its kind, then kind-2… when repeated); a name given twice is an error. */
export function nameChecks<T extends { name?: string; http?: unknown; tcp?: unknown; exec?: unknown }>(
  checks: readonly T[],
  ctx: z.RefinementCtx,
): (T & { name: string })[] {
  const taken = new Set(checks.flatMap((check) => (check.name ? [check.name] : [])));
  const seen = new Set<string>();
  return checks.map((check, index) => {
    let name = check.name;
    if (name !== undefined) {
      if (seen.has(name))
        ctx.addIssue({
          code: 'custom',
          path: [index, 'name'],
          message: `expected a unique name, "${name}" is used twice`,
        });
    } else {
      const kind = getCheckKind(check);
      name = kind;
      for (let n = 2; taken.has(name) || seen.has(name); n++) name = `${kind}-${n}`;
    }
    seen.add(name);
    return { ...check, name };
  });
}
