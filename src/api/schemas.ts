import * as z from 'zod';
import { programInputSchema } from '../config/program-schema.js';
import { describeZodIssue } from '../config/zod-problems.js';
import { BadRequestError } from '../errors.js';
import { normalizeSignal } from '../signals.js';

// Request validation for the control API. A failure names the field and what was wrong.

export const createProgramBody = programInputSchema.extend({ start: z.boolean().default(true) });

export const signalBody = z.strictObject({
  signal: z.union([z.string(), z.number()]).refine((value) => normalizeSignal(value) !== undefined, {
    message: 'expected a signal name like HUP or SIGUSR1',
  }),
});

export const shutdownBody = z.strictObject({ stopPrograms: z.boolean().default(true) });

/** NAME in a path: a program, a program key (all its instances), `all`, or several, comma-separated. */
export const targetName = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}(,[A-Za-z0-9][A-Za-z0-9._-]{0,63})*$/,
    'expected program names (letters, digits, ".", "_", "-"), separated by commas',
  );

export function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, where: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue && issue.path.length > 0 ? `${where}.${issue.path.join('.')}` : where;
  throw new BadRequestError(path, issue ? describeZodIssue(issue, value) : 'invalid');
}
