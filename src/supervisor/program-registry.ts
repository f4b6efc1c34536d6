import { ProgramNotFoundError } from '../errors.js';
import type { ManagedProgram } from './managed-program.js';
import { getProgramKey } from './program-key.js';
import { resolveTargets } from './targets.js';

// The programs this daemon supervises, by name, and the lookups every operation starts from: a NAME
// as users write it (targets.ts), the instances of one key, the order a reload takes them in.

export class ProgramRegistry {
  #programs = new Map<string, ManagedProgram>();

  add(program: ManagedProgram): void {
    this.#programs.set(program.name, program);
  }

  remove(name: string): void {
    this.#programs.delete(name);
  }

  has(name: string): boolean {
    return this.#programs.has(name);
  }

  get(name: string): ManagedProgram | undefined {
    return this.#programs.get(name);
  }

  getAll(): ManagedProgram[] {
    return [...this.#programs.values()];
  }

  /** The program called `name`; throws NOT_FOUND. */
  find(name: string): ManagedProgram {
    const program = this.#programs.get(name);
    if (!program) throw new ProgramNotFoundError(name);
    return program;
  }

  /** The programs a NAME as users write it stands for (see targets.ts); throws NOT_FOUND. */
  resolve(target: string): string[] {
    const addressable = [...this.#programs.values()].map((program) => {
      const { spec } = program.snapshot();
      return { name: spec.name, key: spec.instanceOf ?? spec.name, instance: spec.instance };
    });
    return resolveTargets(target, addressable);
  }

  findTargets(target: string): ManagedProgram[] {
    return this.resolve(target).map((name) => this.find(name));
  }

  /** Every instance of a program key (socket activation starts and stops them together). */
  findInstances(key: string): ManagedProgram[] {
    return [...this.#programs.values()].filter((program) => getProgramKey(program.snapshot().spec) === key);
  }

  /** A name, `all`, or a program key whose instances go in instance order. */
  findReloadTargets(name: string): ManagedProgram[] {
    if (name === 'all' || this.#programs.has(name)) return this.findTargets(name);
    const instances = [...this.#programs.values()]
      .filter((program) => program.snapshot().spec.instanceOf === name)
      .sort((a, b) => (a.snapshot().spec.instance ?? 0) - (b.snapshot().spec.instance ?? 0));
    if (instances.length === 0) throw new ProgramNotFoundError(name);
    return instances;
  }
}
