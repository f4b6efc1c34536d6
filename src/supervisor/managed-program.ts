import { EventEmitter } from 'node:events';
import type { ProgramSpec } from '../config/program-schema.js';
import { BadTransitionError } from '../errors.js';
import type { ProgramHealth } from '../health/program-health.js';
import type { Capture } from '../logs/capture.js';
import type { CgroupUsage } from '../process/cgroup.js';
import type { ProcessTree } from '../process/process-tree.js';
import type {
  Desired,
  HealthNote,
  ProgramSnapshot,
  RuntimeRecord,
  SpawnIntent,
  State,
  StateChange,
} from '../program-record.js';
import { AdoptionWatch } from './adoption-watch.js';
import { readNotifyFields } from './notify-message.js';
import { readPidFile } from './pid-file-follow.js';
import { ProcessGroup } from './process-group.js';
import { createProgramProbe, type ProbeFactory, startProgramChecks } from './program-checks.js';
import { getMachineContext } from './program-context.js';
import type { ReadinessChannel } from './readiness.js';
import { type CandidateProcess, Retirees, spawnCandidate } from './reload-candidate.js';
import { isTransientSpawnError, type ListenFdSource, spawnProgram } from './spawn-program.js';
import { type Effect, isActive, type MachineEvent, type Timer } from './states.js';
import type { System, TimerHandle } from './system.js';
import { IMPOSSIBLE, transition } from './transitions.js';

// One supervised program: every input (a request, an exit, a timer, a readiness message) becomes an
// event for the transition table, and this is the one place that applies the resulting effects and
// changes state. Every change is announced once, as a `state-changed` event.

const TIMER_EVENTS: Record<Timer, MachineEvent['type']> = {
  ready: 'ready',
  backoff: 'backoff-elapsed',
  'stop-deadline': 'stop-timeout',
  'start-deadline': 'start-timeout',
  watchdog: 'watchdog-timeout',
  'next-ready': 'next-ready',
  'next-deadline': 'next-timeout',
};

const NO_PROCESS: RuntimeRecord = { pid: null, pgid: null, procStartTime: null, startedAt: null };

export class ManagedProgram extends EventEmitter<{
  'state-changed': [StateChange];
  'health-changed': [HealthNote];
}> {
  #spec: ProgramSpec;
  #system: System;
  #capture: Capture;
  #readiness: ReadinessChannel | null;
  #group: ProcessGroup;
  #tree: ProcessTree | null;
  #state: State;
  #desired: Desired;
  #runtime: RuntimeRecord = { ...NO_PROCESS };
  #restarts: number;
  #exitCode: number | null;
  #exitSignal: NodeJS.Signals | null;
  #reason: string | null;
  #consecutiveFailures: number;
  #recentFailures: readonly number[];
  #statusText: string | null = null;
  #watchdogOverrideMs: number | null = null;
  #timers: Partial<Record<Timer, TimerHandle>> = {};
  #exitedPgid: number | null = null;
  #exitedPid: number | null = null;
  #adoption: AdoptionWatch | null = null;
  #dispatching = false;
  #queue: MachineEvent[] = [];
  #probes: ProbeFactory;
  #listenFds: ListenFdSource | null;
  #health: ProgramHealth | null = null;
  /** Of the current process: the halves of readiness that arrived, and why tend is killing it. */
  #readySoFar = { said: false, checks: false };
  #killCause: string | null = null;
  #recordSpawnIntent: (intent: SpawnIntent) => void;
  /** The new process of a replacing reload, until it is ready (docs/reload.md). */
  #next: CandidateProcess | null = null;
  #nextSoFar = { said: false, checks: false };
  #retirees: Retirees;

  constructor(options: {
    spec: ProgramSpec;
    system: System;
    capture: Capture;
    readiness?: ReadinessChannel;
    saved?: ProgramSnapshot;
    /** How checks probe (tests give fakes); default the real http, tcp and exec probes. */
    probes?: ProbeFactory;
    /** Records a spawn intent before each fork (see spawn-program.ts); throwing fails the spawn. */
    recordSpawnIntent?: (intent: SpawnIntent) => void;
    /** The held sockets every process of the program gets (docs/reload.md). */
    listenFds?: ListenFdSource;
    /** Where its processes are tracked beyond the process group (a cgroup, or a /proc sweep). */
    tree?: ProcessTree;
  }) {
    super();
    this.#probes = options.probes ?? createProgramProbe;
    this.#recordSpawnIntent = options.recordSpawnIntent ?? (() => {});
    this.#listenFds = options.listenFds ?? null;
    this.#spec = options.spec;
    this.#system = options.system;
    this.#capture = options.capture;
    this.#readiness = options.readiness ?? null;
    this.#tree = options.tree ?? null;
    this.#group = new ProcessGroup(options.system, this.#tree);
    this.#retirees = new Retirees(options.system);
    const saved = options.saved;
    // A program waiting in backoff has no process to lose: it resumes waiting (a resume-backoff event).
    this.#state = saved && (!isActive(saved.state) || saved.state === 'backoff') ? saved.state : 'stopped';
    this.#desired = saved?.desired ?? 'stopped';
    this.#restarts = saved?.restarts ?? 0;
    this.#exitCode = saved?.exitCode ?? null;
    this.#exitSignal = saved?.exitSignal ?? null;
    this.#reason = saved?.reason ?? null;
    this.#consecutiveFailures = saved?.consecutiveFailures ?? 0;
    this.#recentFailures = saved?.recentFailures ?? [];
  }

  get name(): string {
    return this.#spec.name;
  }

  get state(): State {
    return this.#state;
  }

  get pid(): number | null {
    return this.#runtime.pid;
  }

  get capture(): Capture {
    return this.#capture;
  }

  snapshot(): ProgramSnapshot {
    return {
      spec: this.#spec,
      state: this.#state,
      desired: this.#desired,
      runtime: { ...this.#runtime },
      restarts: this.#restarts,
      exitCode: this.#exitCode,
      exitSignal: this.#exitSignal,
      reason: this.#reason,
      consecutiveFailures: this.#consecutiveFailures,
      recentFailures: this.#recentFailures,
      adopted: this.#adoption !== null,
      statusText: this.#statusText,
      health: this.#health && { summary: this.#health.summary(), checks: this.#health.views() },
      ...(this.#tree ? { tracking: this.#tree.tracking } : {}),
    };
  }

  /** CPU and memory of the program's whole process tree (its cgroup); null where there is none. */
  usage(): CgroupUsage | null {
    return this.#tree?.usage() ?? null;
  }

  /** Feeds one event through the table. Events raised while effects run are queued, never nested. */
  dispatch(event: MachineEvent): void {
    this.#queue.push(event);
    if (this.#dispatching) return;
    this.#dispatching = true;
    try {
      for (let next = this.#queue.shift(); next; next = this.#queue.shift()) this.#step(next);
    } finally {
      this.#dispatching = false;
      this.#queue.length = 0;
    }
  }

  /** Takes over a process that a previous daemon started and that is still alive. */
  adopt(runtime: RuntimeRecord): void {
    this.#runtime = { ...runtime };
    this.#capture.attach(runtime.pid ?? undefined);
    this.dispatch({ type: 'adopt' });
    const { pid, procStartTime } = this.#runtime;
    if (pid === null) return;
    this.#startChecks(true);
    this.#adoption = new AdoptionWatch(
      this.#system,
      { pid, startTime: procStartTime },
      { isStopping: () => this.#state === 'stopping', onGone: () => this.#onExit(pid, null, null) },
    );
    this.#adoption.start();
  }

  /** Called on a FIFO EOF: for an adopted program it means the process tree has likely gone. */
  checkAdoptedNow(): void {
    this.#adoption?.checkNow();
  }

  /** Called when a stop is requested of an adopted program, so its end is noticed quickly. */
  pollAdoptedSoon(): void {
    this.#adoption?.pollSoon();
  }

  /** Sends a signal to the main process only (like `kill`), not to its group. */
  signal(signal: NodeJS.Signals): boolean {
    const pid = this.#runtime.pid;
    return pid !== null && this.#system.kill(pid, signal);
  }

  /**
   * An sd_notify datagram. Only processes of the program's own group are listened to; during a
   * reload the new process's group is heard too, for its READY=1.
   */
  onNotify(fields: ReadonlyMap<string, string>, senderPid: number): void {
    const next = this.#next;
    if (next && (senderPid === next.pid || this.#system.isInGroup(senderPid, next.pgid))) {
      if (fields.get('READY') === '1') this.dispatch({ type: 'next-ready' });
      return;
    }
    if (senderPid !== this.#runtime.pid && !this.#system.isInGroup(senderPid, this.#runtime.pgid)) return;
    const message = readNotifyFields(fields);
    if (message.status !== undefined) this.#statusText = message.status;
    if (message.watchdogMs !== null) this.#watchdogOverrideMs = message.watchdogMs;
    for (const event of message.events) this.dispatch(event);
    const mainPid = Number(fields.get('MAINPID'));
    // The new main process must be one of the program's own (its process group), as systemd requires.
    if (Number.isInteger(mainPid) && mainPid > 0 && mainPid !== this.#runtime.pid) {
      if (this.#system.isInGroup(mainPid, this.#runtime.pgid))
        this.dispatch({ type: 'main-pid', pid: mainPid, source: 'MAINPID=' });
    }
  }

  /** The fd protocol: a newline from the program means ready (from the new process, during a reload). */
  onReadyLine(): void {
    this.dispatch(this.#next ? { type: 'next-ready' } : { type: 'ready' });
  }

  /** Whether any process of the program is alive (its cgroup, or the /proc sweep, still finds one). */
  hasProcessesLeft(): boolean {
    return (this.#tree?.countAlive() ?? 0) > 0;
  }

  /** Stops watching and reading without touching the process: it keeps running for the next daemon. */
  release(): void {
    this.#readiness?.close();
    this.#cancelTimers();
    this.#group.cancel();
    this.#adoption?.cancel();
    this.#adoption = null;
    this.#stopChecks();
    this.#next?.health?.stop();
    this.#retirees.cancel();
    this.#capture.detach();
    this.#tree?.remove();
  }

  #step(event: MachineEvent): void {
    const from = this.#state;
    const context = getMachineContext(
      this.#spec,
      {
        desired: this.#desired,
        consecutiveFailures: this.#consecutiveFailures,
        recentFailures: this.#recentFailures,
        watchdogOverrideMs: this.#watchdogOverrideMs,
        readySoFar: this.#readySoFar,
        killCause: this.#killCause,
        next: this.#next ? this.#nextSoFar : null,
      },
      this.#system.now(),
    );
    const result = transition(from, event, context);
    if (result === IMPOSSIBLE) throw new BadTransitionError(this.name, from, event.type);
    if (result.desired) this.#desired = result.desired;
    const exit = event.type === 'exit' ? event.exit : null;
    if (exit) {
      this.#exitCode = exit.code;
      this.#exitSignal = exit.signal;
    }
    this.#state = result.next;
    if (result.reason !== undefined || from !== result.next) this.#reason = result.reason ?? null;
    const pidBefore = this.#runtime.pid;
    for (const effect of result.effects) this.#apply(effect);
    const noted = result.reason !== undefined && event.type !== 'watchdog-ping';
    if (from !== result.next || exit || this.#runtime.pid !== pidBefore || noted) {
      this.emit('state-changed', {
        name: this.name,
        from,
        to: this.#state,
        event: event.type,
        reason: this.#reason,
        // An exit is recorded with the pid that exited, not the one a restart just spawned.
        pid: exit ? this.#exitedPid : (this.#runtime.pid ?? pidBefore),
        exit,
      });
    }
  }

  #apply(effect: Effect): void {
    switch (effect.type) {
      case 'spawn':
        this.#spawn();
        return;
      case 'kill-group':
        this.#group.kill(this.#runtime.pgid, this.#runtime.pid, effect.signal);
        return;
      case 'reap-group':
        this.#group.reap(this.#exitedPgid, effect.signal, this.#spec.stopTimeout);
        this.#exitedPgid = null;
        return;
      case 'arm-timer':
        this.#timers[effect.timer]?.cancel();
        this.#timers[effect.timer] = this.#system.setTimer(effect.ms, () => {
          delete this.#timers[effect.timer];
          this.dispatch({ type: TIMER_EVENTS[effect.timer] } as MachineEvent);
        });
        return;
      case 'cancel-timers':
        this.#cancelTimers();
        return;
      case 'count-restart':
        this.#restarts += 1;
        return;
      case 'set-failures':
        this.#consecutiveFailures = effect.consecutive;
        this.#recentFailures = effect.recent;
        return;
      case 'note-ready':
        this.#readySoFar = { ...this.#readySoFar, [effect.part]: true };
        return;
      case 'note-kill-cause':
        this.#killCause = effect.cause;
        return;
      case 'spawn-next':
        this.#spawnNext();
        return;
      case 'promote-next':
        this.#promoteNext();
        return;
      case 'retire-next':
        this.#retireNext();
        return;
      case 'note-next-ready':
        this.#nextSoFar = { ...this.#nextSoFar, [effect.part]: true };
        return;
      case 'cancel-timer':
        this.#timers[effect.timer]?.cancel();
        delete this.#timers[effect.timer];
        return;
      case 'signal-main':
        if (this.#runtime.pid !== null) this.#system.kill(this.#runtime.pid, effect.signal);
        return;
      case 'follow-pid':
        this.#followPid(effect.pid);
        return;
    }
  }

  /** A reload: the new process starts beside the running one, with the same launch and sockets. */
  #spawnNext(): void {
    const next = spawnCandidate({
      spec: this.#spec,
      system: this.#system,
      capture: this.#capture,
      readiness: this.#readiness,
      recordIntent: this.#recordSpawnIntent,
      listenFds: this.#listenFds,
      tree: this.#tree,
      onExit: (pid, code, signal) => this.#onExit(pid, code, signal),
    });
    if ('failure' in next) {
      this.#queue.push({ type: 'next-failed', reason: next.failure });
      return;
    }
    this.#next = next;
    this.#nextSoFar = { said: false, checks: false };
    next.health = startProgramChecks({
      spec: this.#spec,
      clock: this.#system,
      probes: this.#probes,
      adopted: false,
      dispatch: (event) => {
        if (this.#next !== next) return;
        if (event.type === 'checks-passed') this.dispatch({ type: 'next-ready', part: 'checks' });
        else if (event.type === 'health-failed') this.dispatch({ type: 'next-failed', reason: event.reason });
      },
      note: (message) => this.emit('health-changed', { name: this.name, pid: next.pid, message }),
    });
  }

  /** The new process is ready: it is the main one now; the old one is stopped. */
  #promoteNext(): void {
    const next = this.#next;
    if (!next) return;
    const old = this.#runtime;
    const oldAdoption = this.#adoption;
    if (old.pid !== null && old.pgid !== null) {
      this.#retirees.retire(old.pid, old.pgid, this.#spec.stopSignal, this.#spec.stopTimeout, () =>
        oldAdoption?.cancel(),
      );
    }
    this.#adoption = null;
    this.#stopChecks();
    this.#next = null;
    this.#runtime = {
      pid: next.pid,
      pgid: next.pgid,
      procStartTime: next.procStartTime,
      startedAt: next.startedAt,
    };
    this.#health = next.health;
    this.#readySoFar = { said: true, checks: true };
    this.#killCause = null;
    this.#statusText = null;
    this.#watchdogOverrideMs = null;
  }

  /** The new process failed (or a stop came): it goes; the old one stays as it was. */
  #retireNext(): void {
    const next = this.#next;
    if (!next) return;
    this.#next = null;
    next.health?.stop();
    if (!next.exited)
      this.#retirees.retire(next.pid, next.pgid, this.#spec.stopSignal, this.#spec.stopTimeout);
  }

  /** MAINPID=: another process of the program is the main one; its end is watched by pidfd. */
  #followPid(pid: number): void {
    this.#adoption?.cancel();
    this.#runtime = { ...this.#runtime, pid, procStartTime: this.#system.readStartTime(pid) };
    this.#adoption = new AdoptionWatch(
      this.#system,
      { pid, startTime: this.#runtime.procStartTime },
      { isStopping: () => this.#state === 'stopping', onGone: () => this.#onExit(pid, null, null) },
    );
    this.#adoption.start();
  }

  #spawn(): void {
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
      this.#queue.push({ type: 'spawn-failed', reason: outcome.failure, transient: outcome.transient });
      return;
    }
    const { child } = outcome;
    this.#statusText = null;
    this.#watchdogOverrideMs = null;
    const pid = child.pid;
    child.onError((error) => {
      if (pid === undefined)
        this.dispatch({
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

  /** Checks belong to a process: a fresh start for each spawn, the startup checks skipped on adoption. */
  #startChecks(adopted: boolean): void {
    this.#stopChecks();
    this.#readySoFar = { said: false, checks: false };
    this.#killCause = null;
    const pid = this.#runtime.pid;
    this.#health = startProgramChecks({
      spec: this.#spec,
      clock: this.#system,
      probes: this.#probes,
      adopted,
      dispatch: (event) => this.dispatch(event),
      note: (message) => this.emit('health-changed', { name: this.name, pid, message }),
    });
  }

  #stopChecks(): void {
    this.#health?.stop();
    this.#health = null;
  }

  /** The main process ended: with its status when it was our child, with none when it was adopted. */
  #onExit(pid: number, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#retirees.has(pid)) {
      this.#retirees.onExit(pid);
      return;
    }
    const next = this.#next;
    if (next && next.pid === pid && !next.exited) {
      next.exited = true;
      next.health?.stop();
      // What the new process left in its group goes with it.
      this.#system.kill(-next.pgid, 'SIGKILL');
      const uptimeMs = this.#system.now() - next.startedAt;
      this.dispatch({ type: 'next-exit', exit: { code, signal, uptimeMs } });
      return;
    }
    if (this.#runtime.pid !== pid) return;
    const successor = this.#findSuccessor(pid);
    if (successor !== null) {
      this.dispatch({ type: 'main-pid', pid: successor, source: `pid file ${this.#spec.pidFile}` });
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
    this.#statusText = null;
    this.#adoption?.cancel();
    this.#adoption = null;
    this.#stopChecks();
    const oomKilled = signal === 'SIGKILL' && (this.#tree?.takeOomKills() ?? 0) > 0;
    const cause = oomKilled
      ? `out of memory: limits.memory is ${this.#spec.limits?.memory} bytes`
      : undefined;
    const facts = { ...(cause ? { cause } : {}), ...(leftBehind > 0 ? { leftBehind } : {}) };
    this.dispatch({ type: 'exit', exit: { code, signal, uptimeMs, ...facts } });
  }

  /** pidFile: a live process of the program named there, other than the one that ended, follows it. */
  #findSuccessor(pid: number): number | null {
    const file = this.#spec.pidFile;
    if (file === null || this.#state === 'stopping') return null;
    const named = readPidFile(file);
    if (named === null || named === pid || !this.#system.isInGroup(named, this.#runtime.pgid)) return null;
    return named;
  }

  #cancelTimers(): void {
    for (const timer of Object.values(this.#timers)) timer?.cancel();
    this.#timers = {};
  }
}
