import type { ProgramSpec } from '../config/program-schema.js';

/** The name all instances of a program share (web for web-0, web-1): the owner of held sockets. */
export function getProgramKey(spec: ProgramSpec): string {
  return spec.instanceOf ?? spec.name;
}
