import type { ProgramSpec } from '../config/program-schema.js';
import {
  AlreadyStartedError,
  NotRunningError,
  ProgramExistsError,
  ProgramNotFoundError,
  StateNotSavedError,
} from '../errors.js';
import type { ProgramLogs } from '../logs/program-logs.js';
import type { TendPaths } from '../paths.js';
import type { CgroupUsage } from '../process/cgroup.js';
import type { ProcessTreeFactory } from '../process/process-tree.js';
import type { Desired, ProgramSnapshot, SpawnIntent, State, StateChange } from '../program-record.js';
import { type ActivationSystem, nodeActivationSystem, SocketActivation } from '../sockets/activation.js';
import { type HeldSocket, HeldSockets } from '../sockets/held-sockets.js';
import { nodeSocketSystem, type SocketSystem } from '../sockets/socket-system.js';
import type { HistoryEvent, ProgramStore, SavedProgram } from '../store/program-store.js';
import { checkProgramCanStart, getStartProblems, type StartProblem } from './command-check.js';
import { killLeftovers } from './kill-leftovers.js';
import { checkLogTargets, getLogTargetKeys } from './log-targets.js';
import { ManagedProgram } from './managed-program.js';
import type { ProbeFactory } from './program-checks.js';
import { getProgramKey } from './program-key.js';
import { drainLeftovers, settle, waitForState } from './program-waits.js';
import { createReadinessChannel, type ReadinessChannel } from './readiness.js';
import {
  findLostSpawns,
  RESTARTING_STATES,
  recoverSockets,
  restoreDead,
  stopAdopted,
} from './restore-helpers.js';
import { reloadOne, restartInTurn } from './rolling-restart.js';
import { StatePersistence } from './state-persistence.js';
import { hasProcess, isActive } from './states.js';
import type { System } from './system.js';
import { resolveTargets } from './targets.js';

export { getProgramKey };

// The registry of programs: the public operations the API calls (create, start, stop, restart,
// delete, signal, list) and the restore step that re-adopts what a previous daemon left running.

const NO_LIMITS = { memory: null, cpu: null, pids: null } as const;

export interface SupervisorLog {
  info(message: string): void;
  warn(message: string): void;
}

export interface SupervisorOptions {
  readonly paths: TendPaths;
  readonly store: ProgramStore;
  readonly system: System;
  readonly log: SupervisorLog;
  readonly logs: ProgramLogs;
  /** Where commands are looked up: the PATH the daemon itself was started with. */
  readonly searchPath: string | undefined;
  /** Hears every state change after it is recorded (the daemon's status line, its exit policies). */
  readonly onStateChanged?: (change: StateChange, program: ProgramSnapshot) => void;
  /** How checks probe; default the real ones (tests give fakes). */
  readonly probes?: ProbeFactory;
  /** The kernel side of held sockets; default the native helper (tests give fakes). */
  readonly socketSystem?: SocketSystem;
  /** Tracks each program's processes beyond its group (cgroups, or a /proc sweep); none in unit tests. */
  readonly trees?: ProcessTreeFactory;
  readonly activationSystem?: ActivationSystem;
}

export interface RestoreReport {
  readonly adopted: string[];
  readonly restarted: string[];
  readonly resting: string[];
}

export class Supervisor {
  #programs = new Map<string, ManagedProgram>();
  /** Log file → the program writing it, for checkLogTargets; kept as programs come and go. */
  #logOwners = new Map<string, ProgramSpec>();
  #options: SupervisorOptions;
  #sockets: HeldSockets;
  #activation: SocketActivation;
  #persistence: StatePersistence;

  constructor(options: SupervisorOptions) {
    this.#options = options;
    this.#persistence = new StatePersistence({
      store: options.store,
      system: options.system,
      warn: (message) => options.log.warn(message),
      isRegistered: (name) => this.#programs.has(name),
      recordNote: (name, event, message) => this.recordNote(name, event, message),
    });
    this.#sockets = new HeldSockets(options.socketSystem ?? nodeSocketSystem);
    this.#activation = new SocketActivation(options.activationSystem ?? nodeActivationSystem, options.system);
  }

  /** Brings back every saved program: live processes are adopted with their pids, dead ones follow their policy. */
  restore(): RestoreReport {
    const report: RestoreReport = { adopted: [], restarted: [], resting: [] };
    const saved = this.#options.store.loadAll();
    const live = new Set(
      saved.filter(
        ({ savedState, runtime }) =>
          hasProcess(savedState) &&
          runtime.pid !== null &&
          this.#options.system.isSameProcess(runtime.pid, runtime.procStartTime),
      ),
    );
    recoverSockets(live, this.#sockets, (message) => this.#options.log.info(message));
    const lostSpawns = findLostSpawns(saved, live, (message) => this.#options.log.info(message));
    for (const record of saved) {
      if (!live.has(record)) killLeftovers(this.#options.system, this.#options.log, record);
    }
    for (const record of saved) {
      const lost = lostSpawns.get(record.spec.name);
      if (live.has(record)) {
        const program = this.#register(record.spec, record);
        program.adopt(record.runtime);
        // A stop or a restart was under way: it is finished, as the user asked (desired says which).
        if (record.savedState === 'stopping') stopAdopted(program, record.desired);
        report.adopted.push(record.spec.name);
      } else if (lost) {
        // The previous daemon had decided to run it: whatever the record says, it runs, once. From a
        // record that was running or waiting to retry, that spawn was a restart and counts as one.
        const restarts = record.restarts + (RESTARTING_STATES.has(record.savedState) ? 1 : 0);
        const program = this.#register(record.spec, { ...record, state: 'stopped', restarts });
        program.adopt(lost);
        this.#options.log.warn(
          `${record.spec.name}: adopted pid ${lost.pid}, started by the previous daemon just before it died`,
        );
        report.adopted.push(record.spec.name);
      } else {
        this.#restoreRecord(record, report);
      }
    }
    return report;
  }

  #restoreRecord(saved: SavedProgram, report: RestoreReport): void {
    const program = this.#register(saved.spec, saved);
    if (saved.spec.activation === 'socket' && saved.spec.autostart && saved.savedState !== 'fatal') {
      this.#armActivation(saved.spec);
      report.resting.push(saved.spec.name);
      return;
    }
    if (saved.savedState === 'backoff') {
      program.dispatch({ type: 'resume-backoff', since: saved.savedAt });
      report.restarted.push(saved.spec.name);
    } else if (
      (isActive(saved.savedState) || saved.savedState === 'stopped') &&
      saved.desired === 'running'
    ) {
      restoreDead(program, saved);
      report.restarted.push(saved.spec.name);
    } else {
      if (isActive(saved.savedState)) this.#persistence.persist(program, null);
      report.resting.push(saved.spec.name);
    }
  }

  /** The CPU and memory of a program's whole process tree, from its cgroup; null without one (metrics). */
  usage(name: string): CgroupUsage | null {
    return this.#find(name).usage();
  }

  list(): ProgramSnapshot[] {
    return [...this.#programs.values()].map((program) => this.#snapshot(program));
  }

  /** The programs a NAME as users write it stands for (see targets.ts); throws NOT_FOUND. */
  resolve(target: string): string[] {
    const addressable = [...this.#programs.values()].map((program) => {
      const { spec } = program.snapshot();
      return { name: spec.name, key: spec.instanceOf ?? spec.name, instance: spec.instance };
    });
    return resolveTargets(target, addressable);
  }

  get(name: string): ProgramSnapshot {
    return this.#snapshot(this.#find(name));
  }

  #snapshot(program: ManagedProgram): ProgramSnapshot {
    const snapshot = program.snapshot();
    const listening = !hasProcess(snapshot.state) && this.#activation.isArmed(getProgramKey(snapshot.spec));
    return listening ? { ...snapshot, listening } : snapshot;
  }

  /** activation: socket — the first connection on the held sockets starts every instance of the key. */
  #armActivation(spec: ProgramSpec): void {
    const key = getProgramKey(spec);
    const fds = this.#sockets.acquire(key, spec.sockets).map((socket) => socket.fd);
    this.#activation.arm(key, fds, () => {
      this.#options.log.info(`${key}: a connection arrived on its socket; starting it`);
      for (const program of this.#programs.values()) {
        if (getProgramKey(program.snapshot().spec) === key && !hasProcess(program.state))
          program.dispatch({ type: 'start' });
      }
    });
  }

  /** idleStop: a running activated program with no connection for that long is stopped and listens again. */
  #watchIdle(spec: ProgramSpec): void {
    if (spec.activation !== 'socket' || spec.idleStop === null) return;
    const key = getProgramKey(spec);
    const addresses = this.#sockets.get(key).map((socket) => socket.address);
    this.#activation.watchIdle(key, addresses, spec.idleStop, () => {
      const instances = [...this.#programs.values()].filter((p) => getProgramKey(p.snapshot().spec) === key);
      this.#options.log.info(`${key}: no connection for ${spec.idleStop} ms; stopping it until the next one`);
      void this.#stopPrograms(instances).then(() => {
        if (instances.every((p) => this.#programs.has(p.name))) this.#armActivation(spec);
      });
    });
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
      this.#checkLogTargets(spec);
    } catch (error) {
      problems.push({ key: 'logs', error: error as StartProblem['error'] });
    }
    return problems;
  }

  create(spec: ProgramSpec, start: boolean): ProgramSnapshot {
    if (this.#programs.has(spec.name)) throw new ProgramExistsError(spec.name);
    checkProgramCanStart(spec, this.#options.searchPath);
    this.#checkLogTargets(spec);
    // Bound before anything is written: an address in use is an error that changes nothing.
    if (spec.sockets.length > 0) this.#sockets.acquire(getProgramKey(spec), spec.sockets);
    this.#options.store.insert(spec, this.#options.system.now());
    const program = this.#register(spec);
    if (start && spec.activation === 'socket') this.#armActivation(spec);
    else if (start) program.dispatch({ type: 'start' });
    return program.snapshot();
  }

  #checkLogTargets(spec: ProgramSpec): void {
    const { logs, paths } = this.#options;
    checkLogTargets(spec, logs.getTargets(spec), paths, this.#logOwners);
  }

  /** Starts what has no process; naming only programs that already run is an error. */
  start(target: string): ProgramSnapshot[] {
    const named = this.#targets(target);
    const idle = named.filter((program) => !hasProcess(program.state) || program.state === 'stopping');
    const busy = named.find((program) => !idle.includes(program));
    if (target !== 'all' && idle.length === 0 && busy) {
      throw new AlreadyStartedError(busy.name, busy.state, busy.pid);
    }
    const targets = target === 'all' ? named.filter((program) => !hasProcess(program.state)) : idle;
    this.#saveDesired(targets, 'running', 'start');
    this.batch(targets.map((program) => () => program.dispatch({ type: 'start' })));
    return targets.map((program) => program.snapshot());
  }

  /**
   * Runs steps that each write the database (create, start) in one transaction: `tend up` and
   * `start all` commit once, not once per program. A step that throws ends the batch there; what
   * the steps before it did is kept (committed), as it would be without the batch.
   */
  batch(steps: readonly (() => void)[]): void {
    let failure: { error: unknown } | null = null;
    this.#options.store.transaction(() => {
      for (const step of steps) {
        try {
          step();
        } catch (error) {
          failure = { error };
          return;
        }
      }
    });
    if (failure) throw (failure as { error: unknown }).error;
  }

  async stop(name: string): Promise<ProgramSnapshot[]> {
    const targets = this.#targets(name);
    this.#saveDesired(targets, 'stopped', 'stop');
    // A stop asked for by the user ends socket activation too (`tend start` runs it again).
    for (const program of targets) {
      const key = getProgramKey(program.snapshot().spec);
      this.#activation.disarm(key);
      this.#activation.stopIdle(key);
    }
    await this.#stopPrograms(targets);
    return targets.map((program) => program.snapshot());
  }

  async restart(name: string): Promise<ProgramSnapshot[]> {
    const targets = this.#targets(name);
    this.#saveDesired(targets, 'running', 'restart');
    // The instances of one program go one at a time (rolling): each waits until the previous one
    // runs again, and the roll stops at the first that does not. Different programs go side by side.
    const byKey = new Map<string, ManagedProgram[]>();
    for (const program of targets) {
      const { spec } = program.snapshot();
      const key = spec.instanceOf ?? spec.name;
      byKey.set(key, [...(byKey.get(key) ?? []), program]);
    }
    await Promise.all(
      [...byKey.values()].map((group) =>
        restartInTurn(group, this.#options.system, (n, accept, timeoutMs) =>
          this.waitForState(n, accept, timeoutMs),
        ),
      ),
    );
    return targets.map((program) => program.snapshot());
  }

  /**
   * `tend reload` (docs/reload.md): one program at a time, each waiting until its reload is over.
   * The first that fails stops the rest and throws with the reason; its old process still runs.
   */
  async reload(name: string): Promise<ProgramSnapshot[]> {
    const targets = this.#reloadTargets(name);
    for (const program of targets) {
      if (program.state !== 'running') throw new NotRunningError(program.name, program.state);
    }
    for (const program of targets) await reloadOne(program);
    return targets.map((program) => program.snapshot());
  }

  #reloadTargets(name: string): ManagedProgram[] {
    if (name === 'all' || this.#programs.has(name)) return this.#targets(name);
    const instances = [...this.#programs.values()]
      .filter((program) => program.snapshot().spec.instanceOf === name)
      .sort((a, b) => (a.snapshot().spec.instance ?? 0) - (b.snapshot().spec.instance ?? 0));
    if (instances.length === 0) throw new ProgramNotFoundError(name);
    return instances;
  }

  /** `keepSockets`: the program is being replaced (tend up), so its held sockets stay open. */
  async delete(name: string, options: { keepSockets?: boolean } = {}): Promise<string[]> {
    const targets = this.#targets(name);
    const stopping = targets.filter((program) => isActive(program.state));
    await this.stop(name);
    // Their cgroups go with them: once what the stop signal reached has exited.
    await drainLeftovers(stopping, this.#options.system);
    for (const program of targets) {
      // Stopped and recorded as stopped: if the record cannot go, it stays (stopped) and says so.
      try {
        this.#options.store.remove(program.name);
      } catch (error) {
        throw new StateNotSavedError(program.name, 'delete (it is stopped)', error);
      }
      program.release();
      program.capture.removeFifos();
      program.removeAllListeners();
      this.#programs.delete(program.name);
      for (const key of getLogTargetKeys(this.#options.logs.getTargets(program.snapshot().spec)))
        if (this.#logOwners.get(key)?.name === program.name) this.#logOwners.delete(key);
      this.#options.logs.remove(program.name);
    }
    if (!options.keepSockets) this.#releaseUnusedSockets(targets.map((program) => program.snapshot().spec));
    return targets.map((program) => program.name);
  }

  /** The held sockets of each program key (docs/reload.md). */
  getSockets(spec: ProgramSpec): readonly HeldSocket[] {
    return this.#sockets.get(getProgramKey(spec));
  }

  /** A key's sockets are closed once no instance of it is left. */
  #releaseUnusedSockets(removed: readonly ProgramSpec[]): void {
    const keys = new Set(removed.filter((spec) => spec.sockets.length > 0).map(getProgramKey));
    for (const program of this.#programs.values()) keys.delete(getProgramKey(program.snapshot().spec));
    for (const key of keys) this.#sockets.release(key);
  }

  /** Sends a signal to the main process of each program named; those without one are skipped. */
  signal(target: string, signal: NodeJS.Signals): ProgramSnapshot[] {
    const targets = this.#targets(target);
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
    if (options.stopPrograms) {
      // Exited and fatal programs keep their state: the next daemon must not run them again.
      const active = [...this.#programs.values()].filter((program) => isActive(program.state));
      const wanted = active.filter((program) => program.snapshot().desired === 'running');
      await this.#stopPrograms(active);
      await drainLeftovers(active, this.#options.system);
      const now = this.#options.system.now();
      for (const program of wanted) {
        try {
          this.#options.store.save({ ...program.snapshot(), desired: 'running' }, null, now);
        } catch (error) {
          this.#options.log.warn(
            `${program.name}: cannot record that it should run again: ${(error as Error).message}`,
          );
        }
      }
    }
    this.#persistence.flush();
    for (const program of this.#programs.values()) program.release();
    this.#activation.close();
    // With the programs stopped the sockets go; left running, the programs hold them for the next daemon.
    this.#sockets.closeAll({ removeFiles: options.stopPrograms });
  }

  async #stopPrograms(targets: ManagedProgram[]): Promise<void> {
    for (const program of targets) {
      program.dispatch({ type: 'stop' });
      program.pollAdoptedSoon();
    }
    await Promise.all(targets.map((program) => this.#settle(program)));
  }

  #targets(target: string): ManagedProgram[] {
    return this.resolve(target).map((name) => this.#find(name));
  }

  #find(name: string): ManagedProgram {
    const program = this.#programs.get(name);
    if (!program) throw new ProgramNotFoundError(name);
    return program;
  }

  #register(spec: ProgramSpec, saved?: SavedProgram): ManagedProgram {
    const { system, logs } = this.#options;
    let program: ManagedProgram | undefined;
    const capture = logs.create(spec, () => program?.checkAdoptedNow());
    let readiness: ReadinessChannel | undefined;
    try {
      readiness = createReadinessChannel(spec, this.#options.paths, {
        onNotify: (fields, pid) => program?.onNotify(fields, pid),
        onReadyLine: () => program?.onReadyLine(),
      });
    } catch (error) {
      // Only a restored program can get here (create checks first): it runs, but nobody hears it.
      this.#options.log.warn(`${spec.name}: ${(error as Error).message}`);
    }
    const recordSpawnIntent = (intent: SpawnIntent) =>
      this.#options.store.recordSpawnIntent(spec.name, intent);
    const probes = this.#options.probes;
    const key = getProgramKey(spec);
    const listenFds = spec.sockets.length > 0 ? () => this.#sockets.acquire(key, spec.sockets) : undefined;
    const tree = this.#options.trees?.({
      home: this.#options.paths.home,
      name: spec.name,
      limits: spec.limits ?? NO_LIMITS,
    });
    program = new ManagedProgram({
      spec,
      system,
      capture,
      readiness,
      saved,
      probes,
      recordSpawnIntent,
      listenFds,
      ...(tree ? { tree } : {}),
    });
    program.on('state-changed', (change) => this.#onStateChanged(program, change));
    program.on('health-changed', (note) => this.recordNote(note.name, 'health', note.message));
    this.#programs.set(spec.name, program);
    for (const key of getLogTargetKeys(logs.getTargets(spec))) this.#logOwners.set(key, spec);
    return program;
  }

  /** A note in a program's history that is not a state change (a log fault, say). */
  recordNote(name: string, event: string, message: string): void {
    const program = this.#programs.get(name);
    if (!program) return;
    this.#options.log.warn(`${name}: ${message}`);
    try {
      this.#options.store.addNote(
        name,
        event,
        program.state,
        program.pid,
        message,
        this.#options.system.now(),
      );
    } catch (error) {
      this.#options.log.warn(`${name}: the note could not be saved: ${(error as Error).message}`);
    }
  }

  /**
   * What a user asks for is written before it is done: a stop the database never heard of would be
   * undone by the next daemon. When the write fails nothing is done and the caller hears why.
   */
  #saveDesired(targets: readonly ManagedProgram[], desired: Desired, what: string): void {
    if (targets.length === 0) return;
    try {
      this.#options.store.saveDesired(
        targets.map((program) => program.name),
        desired,
      );
    } catch (error) {
      throw new StateNotSavedError(targets.map((program) => program.name).join(', '), what, error);
    }
  }

  #onStateChanged(program: ManagedProgram, change: StateChange): void {
    this.#persistence.persist(program, change);
    if (change.to === 'running' && change.from !== 'running') this.#watchIdle(program.snapshot().spec);
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
    return waitForState(this.#find(name), this.#options.system, accept, timeoutMs);
  }

  #settle(program: ManagedProgram): Promise<void> {
    return settle(program, this.#options.system);
  }
}

export type { State };
