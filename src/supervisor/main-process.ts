import type { ProgramSpec } from '../config/program-schema.js';
import type { Capture } from '../logs/capture.js';
import type { ProcessTree } from '../process/process-tree.js';
import type { ProgramSnapshot, RuntimeRecord, SpawnIntent, State } from '../program-record.js';
import { AdoptedExit } from './adopted-exit.js';
import { findPidFileSuccessor } from './pid-file-follow.js';
import { ProcessGroup } from './process-group.js';
import { ProcessReports } from './process-reports.js';
import type { MainProcessHooks, ProcessWiring, ReadySoFar } from './process-wiring.js';
import { ProcessChecks } from './program-checks.js';
import type { ReadinessChannel } from './readiness.js';
import type { CandidateProcess, Retirees } from './reload-candidate.js';
import { isTransientSpawnError, type ListenFdSource, spawnProgram } from './spawn-program.js';
import type { MachineEvent } from './states.js';
import type { System } from './system.js';

// The main process of one program and what is known of it: pid, group and start time, how its end is
// heard (its exit as our child; a pidfd or a poll when adopted), its checks, the halves of readiness
// that arrived, STATUS= and WATCHDOG_USEC=, and why tend is killing it (those last four kept by
// ProcessReports, process-reports.ts). The spawn and exit effects happen here and reach the program's
// table only as events.

const NO_PROCESS: RuntimeRecord = { pid: null, pgid: null, procStartTime: null, startedAt: null };

export class MainProcess {
  #spec: ProgramSpec;
  #system: System;
  #capture: Capture;
  #readiness: ReadinessChannel | null;
  #recordSpawnIntent: (intent: SpawnIntent) => void;
  #listenFds: ListenFdSource | null;
  #tree: ProcessTree | null;
  #hooks: MainProcessHooks;
  #retirees: Retirees;
  #group: ProcessGroup;
  #checks: ProcessChecks;
  #runtime: RuntimeRecord = { ...NO_PROCESS };
  #reports: ProcessReports;
  #exitedPgid: number | null = null;
  #exitedPid: number | null = null;
  #adoption: AdoptedExit;

  constructor(wiring: ProcessWiring, retirees: Retirees, hooks: MainProcessHooks) {
    this.#spec = wiring.spec;
    this.#system = wiring.system;
    this.#capture = wiring.capture;
    this.#readiness = wiring.readiness;
    this.#recordSpawnIntent = wiring.recordSpawnIntent;
    this.#listenFds = wiring.listenFds;
    this.#tree = wiring.tree;
    this.#hooks = hooks;
    this.#retirees = retirees;
    this.#group = new ProcessGroup(wiring.system, wiring.tree);
    this.#adoption = new AdoptedExit(wiring.system, {
      isStopping: () => this.#state === 'stopping',
      onGone: (pid) => this.#onExit(pid, null, null),
    });
    this.#reports = new ProcessReports(wiring.system, (event) => hooks.dispatch(event));
    this.#checks = new ProcessChecks({
      spec: wiring.spec,
      clock: wiring.system,
      probes: wiring.probes,
      dispatch: (event) => hooks.dispatch(event),
      note: (pid, message) => hooks.note(pid, message),
    });
  }

  get pid(): number | null {
    return this.#runtime.pid;
  }

  /** The pid that last exited: the exit event is recorded with it, not with a fresh spawn's. */
  get exitedPid(): number | null {
    return this.#exitedPid;
  }

  /** What the table's context needs of the current process. */
  get facts(): ProcessReports['facts'] {
    return this.#reports.facts;
  }

  /** The process part of the program's snapshot. */
  snapshot(): Pick<ProgramSnapshot, 'runtime' | 'adopted' | 'statusText' | 'health'> {
    return {
      runtime: { ...this.#runtime },
      adopted: this.#adoption.isWatching,
      statusText: this.#reports.statusText,
      health: this.#checks.view(),
    };
  }

  // The program's state, events and exit routing, under the names the spawn and exit code has always used.
  get #state(): State {
    return this.#hooks.getState();
  }

  #dispatch(event: MachineEvent): void {
    this.#hooks.dispatch(event);
  }

  #onExit(pid: number, code: number | null, signal: NodeJS.Signals | null): void {
    this.#hooks.onExit(pid, code, signal);
  }

  /** Takes over a process that a previous daemon started and that is still alive. */
  adopt(runtime: RuntimeRecord): void {
    this.#runtime = { ...runtime };
    this.#capture.attach(runtime.pid ?? undefined);
    this.#dispatch({ type: 'adopt' });
    const { pid, procStartTime } = this.#runtime;
    if (pid === null) return;
    this.#startChecks(true);
    this.#adoption.watch(pid, procStartTime);
  }

  /** Called on a FIFO EOF: for an adopted program it means the process tree has likely gone. */
  checkAdoptedNow(): void {
    this.#adoption.checkNow();
  }

  /** Called when a stop is requested of an adopted program, so its end is noticed quickly. */
  pollAdoptedSoon(): void {
    this.#adoption.pollSoon();
  }

  /** Sends a signal to the main process only (like `kill`), not to its group. */
  signal(signal: NodeJS.Signals): boolean {
    const pid = this.#runtime.pid;
    return pid !== null && this.#system.kill(pid, signal);
  }

  /** An sd_notify datagram; only processes of the program's own group are listened to. */
  onNotify(fields: ReadonlyMap<string, string>, senderPid: number): void {
    this.#reports.onNotify(fields, senderPid, this.#runtime);
  }

  killGroup(signal: NodeJS.Signals): void {
    this.#group.kill(this.#runtime.pgid, this.#runtime.pid, signal);
  }

  /** What is left of the group of the process that exited: signalled, SIGKILLed at the stop timeout. */
  reapGroup(signal: NodeJS.Signals): void {
    this.#group.reap(this.#exitedPgid, signal, this.#spec.stopTimeout);
    this.#exitedPgid = null;
  }

  noteReady(part: keyof ReadySoFar): void {
    this.#reports.noteReady(part);
  }

  noteKillCause(cause: string | null): void {
    this.#reports.noteKillCause(cause);
  }

  /** A reload's new process is ready: it is the main one now; the old one is stopped. */
  promote(next: CandidateProcess): void {
    const old = this.#runtime;
    const oldAdoption = this.#adoption.takeWatch();
    if (old.pid !== null && old.pgid !== null) {
      this.#retirees.retire(old.pid, old.pgid, this.#spec.stopSignal, this.#spec.stopTimeout, () =>
        oldAdoption?.cancel(),
      );
    }
    this.#checks.stop();
    this.#runtime = {
      pid: next.pid,
      pgid: next.pgid,
      procStartTime: next.procStartTime,
      startedAt: next.startedAt,
    };
    this.#checks.takeOver(next.health);
    this.#reports.takeOverReady();
  }

  /** MAINPID=: another process of the program is the main one; its end is watched by pidfd. */
  followPid(pid: number): void {
    this.#adoption.cancel();
    this.#runtime = { ...this.#runtime, pid, procStartTime: this.#system.readStartTime(pid) };
    this.#adoption.watch(pid, this.#runtime.procStartTime);
  }

  spawn(): void {
    const outcome = spawnProgram(
      this.#spec,
      this.#system,
      this.#capture,
      this.#readiness,
      this.#recordSpawnIntent,
      this.#listenFds,
      this.#tree,
    );
    if ('failure' in outcome) {
      // Raised while effects run: queued behind the current step, like any event raised here.
      this.#hooks.enqueue({ type: 'spawn-failed', reason: outcome.failure, transient: outcome.transient });
      return;
    }
    const { child } = outcome;
    this.#reports.clearNotified();
    const pid = child.pid;
    child.onError((error) => {
      if (pid === undefined)
        this.#dispatch({
          type: 'spawn-failed',
          reason: `spawn failed: ${error.message}`,
          transient: isTransientSpawnError(error),
        });
    });
    if (pid === undefined) {
      this.#runtime = { ...NO_PROCESS };
      return;
    }
    const procStartTime = this.#system.readStartTime(pid);
    this.#runtime = { pid, pgid: pid, procStartTime, startedAt: this.#system.now() };
    child.onExit((code, signal) => this.#onExit(pid, code, signal));
    this.#startChecks(false);
  }

  #startChecks(adopted: boolean): void {
    this.#reports.clearReadiness();
    this.#checks.start(adopted, this.#runtime.pid);
  }

  /** The main process ended: with its status when it was our child, with none when it was adopted. */
  onMainExit(pid: number, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#runtime.pid !== pid) return;
    const successor = this.#findSuccessor(pid);
    if (successor !== null) {
      this.#dispatch({ type: 'main-pid', pid: successor, source: `pid file ${this.#spec.pidFile}` });
      return;
    }
    const uptimeMs = this.#runtime.startedAt === null ? 0 : this.#system.now() - this.#runtime.startedAt;
    // A clean exit while starting, with processes of its own still alive: it daemonized itself.
    const daemonized = code === 0 && signal === null && this.#state === 'starting';
    const leftBehind = daemonized ? (this.#tree?.countAlive() ?? 0) : 0;
    this.#exitedPgid = this.#runtime.pgid;
    this.#exitedPid = pid;
    this.#runtime = { ...NO_PROCESS };
    // STATUS= described the process that just ended: a stopped program says nothing any more.
    this.#reports.clearStatus();
    this.#adoption.cancel();
    this.#checks.stop();
    const oomKilled = signal === 'SIGKILL' && (this.#tree?.takeOomKills() ?? 0) > 0;
    const cause = oomKilled
      ? `out of memory: limits.memory is ${this.#spec.limits?.memory} bytes`
      : undefined;
    const facts = { ...(cause ? { cause } : {}), ...(leftBehind > 0 ? { leftBehind } : {}) };
    this.#dispatch({ type: 'exit', exit: { code, signal, uptimeMs, ...facts } });
  }

  /** pidFile: a live process of the program named there follows the one that ended (not while stopping). */
  #findSuccessor(pid: number): number | null {
    if (this.#state === 'stopping') return null;
    return findPidFileSuccessor(this.#spec.pidFile, pid, this.#runtime.pgid, this.#system);
  }

  /** Stops watching the process without touching it (it keeps running for the next daemon). */
  release(): void {
    this.#group.cancel();
    this.#adoption.cancel();
    this.#checks.stop();
  }
}
