import type { ProgramSpec } from '../config/program-schema.js';
import { AlreadyStartedError, NotRunningError, ProgramExistsError } from '../errors.js';
import type { CgroupUsage } from '../process/cgroup.js';
import type { ProgramSnapshot, State, StateChange } from '../program-record.js';
import { nodeActivationSystem } from '../sockets/activation.js';
import { type HeldSocket, HeldSockets } from '../sockets/held-sockets.js';
import { nodeSocketSystem } from '../sockets/socket-system.js';
import type { HistoryEvent, SavedProgram } from '../store/program-store.js';
import { checkProgramCanStart, getStartProblems, type StartProblem } from './command-check.js';
import { LogTargetOwners } from './log-targets.js';
import type { ManagedProgram } from './managed-program.js';
import { ProgramActivation } from './program-activation.js';
import { createManagedProgram, type ProgramWiring } from './program-factory.js';
import { getProgramKey } from './program-key.js';
import { ProgramRegistry } from './program-registry.js';
import { releaseUnusedSockets, removePrograms } from './program-removal.js';
import { drainLeftovers, stopPrograms, waitForState } from './program-waits.js';
import { type RestoreReport, restorePrograms } from './restore.js';
import { reloadOne, restartRolling } from './rolling-restart.js';
import { StatePersistence } from './state-persistence.js';
import { hasProcess, isActive } from './states.js';
import type { SupervisorLog, SupervisorOptions } from './supervisor-options.js';
import { shutDownPrograms } from './supervisor-shutdown.js';

export type { RestoreReport, SupervisorLog, SupervisorOptions };
export { getProgramKey };

// The public operations on the supervised programs that the API, deploy/ and the daemon call (create,
// start, stop, restart, reload, delete, signal, list, shutdown, restore). The parts they use live in
// files of their own: the registry, the wiring of one program, socket activation, restore, persistence,
// removal, shutdown.

export class Supervisor {
  #programs = new ProgramRegistry();
  #logOwners: LogTargetOwners;
  #options: SupervisorOptions;
  #sockets: HeldSockets;
  #activation: ProgramActivation;
  #persistence: StatePersistence;
  #wiring: ProgramWiring;

  constructor(options: SupervisorOptions) {
    this.#options = options;
    this.#persistence = new StatePersistence({
      store: options.store,
      system: options.system,
      warn: (message) => options.log.warn(message),
      findProgram: (name) => this.#programs.get(name),
    });
    this.#sockets = new HeldSockets(options.socketSystem ?? nodeSocketSystem);
    this.#activation = new ProgramActivation({
      activationSystem: options.activationSystem ?? nodeActivationSystem,
      system: options.system,
      sockets: this.#sockets,
      registry: this.#programs,
      log: options.log,
    });
    this.#logOwners = new LogTargetOwners(options.paths, (spec) => options.logs.getTargets(spec));
    const { paths, store, system, log, logs, probes, trees } = options;
    this.#wiring = { paths, store, system, log, logs, sockets: this.#sockets, probes, trees };
  }

  /** Brings back every saved program: live processes are adopted with their pids, dead ones follow their policy. */
  restore(): RestoreReport {
    return restorePrograms({
      store: this.#options.store,
      system: this.#options.system,
      sockets: this.#sockets,
      log: this.#options.log,
      register: (spec, saved) => this.#register(spec, saved),
      armActivation: (spec) => this.#activation.arm(spec),
      persist: (program) => this.#persistence.persist(program, null),
    });
  }

  /** The CPU and memory of a program's whole process tree, from its cgroup; null without one (metrics). */
  usage(name: string): CgroupUsage | null {
    return this.#programs.find(name).usage();
  }

  list(): ProgramSnapshot[] {
    return this.#programs.getAll().map((program) => this.#snapshot(program));
  }

  /** The programs a NAME as users write it stands for (see targets.ts); throws NOT_FOUND. */
  resolve(target: string): string[] {
    return this.#programs.resolve(target);
  }

  get(name: string): ProgramSnapshot {
    return this.#snapshot(this.#programs.find(name));
  }

  #snapshot(program: ManagedProgram): ProgramSnapshot {
    const snapshot = program.snapshot();
    const listening = !hasProcess(snapshot.state) && this.#activation.isListening(snapshot.spec);
    return listening ? { ...snapshot, listening } : snapshot;
  }

  events(target: string | null, limit: number): HistoryEvent[] {
    if (target === null || target === 'all') return this.#options.store.listEvents(null, limit);
    const names = this.resolve(target);
    if (names.length === 1) return this.#options.store.listEvents(names[0] as string, limit);
    const merged = names.flatMap((name) => this.#options.store.listEvents(name, limit));
    return merged.sort((a, b) => b.id - a.id).slice(0, limit);
  }

  /** What create would refuse this spec for (bad cwd, missing command, bad user, a log target), changing nothing. */
  check(spec: ProgramSpec): StartProblem[] {
    const problems = getStartProblems(spec, this.#options.searchPath);
    try {
      this.#logOwners.check(spec);
    } catch (error) {
      problems.push({ key: 'logs', error: error as StartProblem['error'] });
    }
    return problems;
  }

  create(spec: ProgramSpec, start: boolean): ProgramSnapshot {
    if (this.#programs.has(spec.name)) throw new ProgramExistsError(spec.name);
    checkProgramCanStart(spec, this.#options.searchPath);
    this.#logOwners.check(spec);
    // Bound before anything is written: an address in use is an error that changes nothing.
    if (spec.sockets.length > 0) this.#sockets.acquire(getProgramKey(spec), spec.sockets);
    this.#options.store.insert(spec, this.#options.system.now());
    const program = this.#register(spec);
    if (start && spec.activation === 'socket') this.#activation.arm(spec);
    else if (start) program.dispatch({ type: 'start' });
    return program.snapshot();
  }

  /** Starts what has no process; naming only programs that already run is an error. */
  start(target: string): ProgramSnapshot[] {
    const named = this.#programs.findTargets(target);
    const idle = named.filter((program) => !hasProcess(program.state) || program.state === 'stopping');
    const busy = named.find((program) => !idle.includes(program));
    if (target !== 'all' && idle.length === 0 && busy) {
      throw new AlreadyStartedError(busy.name, busy.state, busy.pid);
    }
    const targets = target === 'all' ? named.filter((program) => !hasProcess(program.state)) : idle;
    this.#persistence.saveDesired(targets, 'running', 'start');
    this.batch(targets.map((program) => () => program.dispatch({ type: 'start' })));
    return targets.map((program) => program.snapshot());
  }

  /** Runs steps that each write the database (create, start) in one transaction (state-persistence.ts). */
  batch(steps: readonly (() => void)[]): void {
    this.#persistence.batch(steps);
  }

  async stop(name: string): Promise<ProgramSnapshot[]> {
    const targets = this.#programs.findTargets(name);
    this.#persistence.saveDesired(targets, 'stopped', 'stop');
    // A stop asked for by the user ends socket activation too (`tend start` runs it again).
    for (const program of targets) this.#activation.disarm(program.snapshot().spec);
    await stopPrograms(targets, this.#options.system);
    return targets.map((program) => program.snapshot());
  }

  async restart(name: string): Promise<ProgramSnapshot[]> {
    const targets = this.#programs.findTargets(name);
    this.#persistence.saveDesired(targets, 'running', 'restart');
    await restartRolling(targets, this.#options.system, (n, accept, timeoutMs) =>
      this.waitForState(n, accept, timeoutMs),
    );
    return targets.map((program) => program.snapshot());
  }

  /**
   * `tend reload` (docs/reload.md): one program at a time, each waiting until its reload is over.
   * The first that fails stops the rest and throws with the reason; its old process still runs.
   */
  async reload(name: string): Promise<ProgramSnapshot[]> {
    const targets = this.#programs.findReloadTargets(name);
    for (const program of targets) {
      if (program.state !== 'running') throw new NotRunningError(program.name, program.state);
    }
    for (const program of targets) await reloadOne(program);
    return targets.map((program) => program.snapshot());
  }

  /** `keepSockets`: the program is being replaced (tend up), so its held sockets stay open. */
  async delete(name: string, options: { keepSockets?: boolean } = {}): Promise<string[]> {
    const targets = this.#programs.findTargets(name);
    const stopping = targets.filter((program) => isActive(program.state));
    await this.stop(name);
    // Their cgroups go with them: once what the stop signal reached has exited.
    await drainLeftovers(stopping, this.#options.system);
    removePrograms(targets, this.#options, this.#programs, this.#logOwners);
    if (!options.keepSockets) {
      const removed = targets.map((program) => program.snapshot().spec);
      releaseUnusedSockets(removed, this.#programs, this.#sockets);
    }
    return targets.map((program) => program.name);
  }

  /** The held sockets of each program key (docs/reload.md). */
  getSockets(spec: ProgramSpec): readonly HeldSocket[] {
    return this.#sockets.get(getProgramKey(spec));
  }

  /** Sends a signal to the main process of each program named; those without one are skipped. */
  signal(target: string, signal: NodeJS.Signals): ProgramSnapshot[] {
    const targets = this.#programs.findTargets(target);
    const reached = targets.filter((program) => program.signal(signal));
    const first = targets[0];
    if (reached.length === 0 && first) throw new NotRunningError(first.name, first.state);
    return reached.map((program) => program.snapshot());
  }

  /**
   * Stops every program (daemon stop) or leaves them running for the next daemon (daemon restart).
   * Stopping the daemon does not change what users asked for: a program that should run is stopped
   * with the daemon, recorded as wanted, and started again by the next one (this is what brings
   * programs back at boot).
   */
  async shutdown(options: { stopPrograms: boolean }): Promise<void> {
    const parts = {
      programs: this.#programs,
      system: this.#options.system,
      persistence: this.#persistence,
      activation: this.#activation,
      sockets: this.#sockets,
    };
    await shutDownPrograms(parts, options);
  }

  #register(spec: ProgramSpec, saved?: SavedProgram): ManagedProgram {
    const program = createManagedProgram(spec, saved, this.#wiring);
    program.on('state-changed', (change) => this.#onStateChanged(program, change));
    program.on('health-changed', (note) => this.recordNote(note.name, 'health', note.message));
    this.#programs.add(program);
    this.#logOwners.claim(spec);
    return program;
  }

  /** A note in a program's history that is not a state change (a log fault, say). */
  recordNote(name: string, event: string, message: string): void {
    this.#persistence.recordNote(name, event, message);
  }

  #onStateChanged(program: ManagedProgram, change: StateChange): void {
    this.#persistence.persist(program, change);
    if (change.to === 'running' && change.from !== 'running')
      this.#activation.watchIdle(program.snapshot().spec);
    const exit = change.exit;
    const detail = exit ? ` (${change.reason ?? 'exited'})` : change.reason ? ` (${change.reason})` : '';
    this.#options.log.info(
      `${change.name}: ${change.from} → ${change.to}${detail}${change.pid ? ` pid ${change.pid}` : ''}`,
    );
    this.#options.onStateChanged?.(change, program.snapshot());
  }

  /** Resolves with the program's snapshot once `accept(state)` holds; rejects after `timeoutMs`. */
  waitForState(
    name: string,
    accept: (state: State, snapshot: ProgramSnapshot) => boolean,
    timeoutMs: number,
  ): Promise<ProgramSnapshot> {
    return waitForState(this.#programs.find(name), this.#options.system, accept, timeoutMs);
  }
}

export type { State };
