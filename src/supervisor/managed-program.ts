import { EventEmitter } from 'node:events';
import type { ProgramSpec } from '../config/program-schema.js';
import { BadTransitionError } from '../errors.js';
import type { Capture, ChildFds } from '../logs/capture.js';
import { getBackoffDelayMs } from './backoff.js';
import { getLaunch } from './launch.js';
import { isSameProcess, readStartTime } from './proc.js';
import { isInGroup, type ReadinessChannel } from './readiness.js';
import {
  type Desired,
  type Effect,
  type ExitInfo,
  isActive,
  type MachineContext,
  type MachineEvent,
  type State,
  type Timer,
} from './states.js';
import type { ChildHandle, System, TimerHandle } from './system.js';
import { IMPOSSIBLE, transition } from './transitions.js';

// One supervised program: it feeds events into the transition table and is the one place that applies
// the resulting effects and changes state. Every change is announced once, as a `state-changed` event.

const ADOPTED_POLL_MS = 1000;
const ADOPTED_STOPPING_POLL_MS = 50;

const TIMER_EVENTS: Record<Timer, MachineEvent['type']> = {
  ready: 'ready',
  backoff: 'backoff-elapsed',
  'stop-deadline': 'stop-timeout',
  'start-deadline': 'start-timeout',
  watchdog: 'watchdog-timeout',
};

export interface RuntimeRecord {
  pid: number | null;
  pgid: number | null;
  procStartTime: number | null;
  startedAt: number | null;
}

export interface ProgramSnapshot {
  readonly spec: ProgramSpec;
  readonly state: State;
  readonly desired: Desired;
  readonly runtime: Readonly<RuntimeRecord>;
  readonly restarts: number;
  readonly exitCode: number | null;
  readonly exitSignal: NodeJS.Signals | null;
  readonly reason: string | null;
  readonly consecutiveFailures: number;
  readonly recentFailures: readonly number[];
  readonly adopted: boolean;
  /** The last STATUS= a program sent over sd_notify. */
  readonly statusText: string | null;
}

export interface StateChange {
  readonly name: string;
  readonly from: State;
  readonly to: State;
  readonly event: MachineEvent['type'];
  readonly reason: string | null;
  readonly pid: number | null;
  readonly exit: ExitInfo | null;
}

export class ManagedProgram extends EventEmitter<{ 'state-changed': [StateChange] }> {
  #spec: ProgramSpec;
  #system: System;
  #capture: Capture;
  #state: State;
  #desired: Desired;
  #runtime: RuntimeRecord = { pid: null, pgid: null, procStartTime: null, startedAt: null };
  #restarts: number;
  #exitCode: number | null;
  #exitSignal: NodeJS.Signals | null;
  #reason: string | null;
  #consecutiveFailures: number;
  #recentFailures: readonly number[];
  #timers: Partial<Record<Timer, TimerHandle>> = {};
  #exitedPgid: number | null = null;
  #exitedPid: number | null = null;
  #adoptedWatch: TimerHandle | null = null;
  #adoptedByPidfd = false;
  #dispatching = false;
  #queue: MachineEvent[] = [];
  #readiness: ReadinessChannel | null;
  #statusText: string | null = null;
  #watchdogOverrideMs: number | null = null;

  constructor(options: {
    spec: ProgramSpec;
    system: System;
    capture: Capture;
    readiness?: ReadinessChannel;
    saved?: ProgramSnapshot;
  }) {
    super();
    this.#readiness = options.readiness ?? null;
    this.#spec = options.spec;
    this.#system = options.system;
    this.#capture = options.capture;
    const saved = options.saved;
    // A program waiting in backoff has no process to lose: it resumes waiting (see resumeBackoff).
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
      adopted: this.#adoptedWatch !== null,
      statusText: this.#statusText,
    };
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

  /**
   * A program that was waiting in backoff (since `since`) when the previous daemon died waits out
   * the rest of its delay rather than starting at once: a daemon restart must not reset a crash loop.
   */
  resumeBackoff(since: number): void {
    const delayMs = getBackoffDelayMs(this.#context(), this.#consecutiveFailures);
    // Never more than the whole delay: a record stamped by a clock that ran ahead must not stall it.
    const remainingMs = Math.min(delayMs, Math.max(0, since + delayMs - this.#system.now()));
    this.#apply({ type: 'arm-timer', timer: 'backoff', ms: remainingMs });
  }

  /** Takes over a process that a previous daemon started and that is still alive. */
  adopt(runtime: RuntimeRecord): void {
    this.#runtime = { ...runtime };
    this.#capture.attach();
    this.dispatch({ type: 'adopt' });
    this.#watchAdopted();
  }

  /** Sends a signal to the main process only (like `kill`), not to its group. */
  signal(signal: NodeJS.Signals): boolean {
    const pid = this.#runtime.pid;
    return pid !== null && this.#system.kill(pid, signal);
  }

  /** An sd_notify datagram. Only processes of the program's own group are listened to. */
  onNotify(fields: Map<string, string>, senderPid: number): void {
    if (senderPid !== this.#runtime.pid && !isInGroup(senderPid, this.#runtime.pgid)) return;
    const status = fields.get('STATUS');
    if (status !== undefined) this.#statusText = status;
    const watchdogUsec = Number(fields.get('WATCHDOG_USEC'));
    if (Number.isFinite(watchdogUsec) && watchdogUsec > 0)
      this.#watchdogOverrideMs = Math.ceil(watchdogUsec / 1000);
    if (fields.get('READY') === '1' && this.#state === 'starting') this.dispatch({ type: 'ready' });
    if (fields.get('WATCHDOG') === '1') this.dispatch({ type: 'watchdog-ping' });
    const extendUsec = Number(fields.get('EXTEND_TIMEOUT_USEC'));
    // Like systemd: the program asks for more time to start; the start deadline moves.
    if (this.#state === 'starting' && Number.isFinite(extendUsec) && extendUsec > 0) {
      this.#apply({ type: 'arm-timer', timer: 'start-deadline', ms: Math.ceil(extendUsec / 1000) });
    }
  }

  /** The fd protocol: a newline from the program means ready. */
  onReadyLine(): void {
    if (this.#state === 'starting') this.dispatch({ type: 'ready' });
  }

  /** Records what the user wants without an event: used when the daemon stops programs on its way out. */
  keepDesired(desired: Desired): void {
    this.#desired = desired;
  }

  /** Stops watching and reading without touching the process: it keeps running for the next daemon. */
  release(): void {
    this.#readiness?.close();
    this.#cancelTimers();
    this.#adoptedWatch?.cancel();
    this.#adoptedWatch = null;
    this.#capture.detach();
  }

  #context(): MachineContext {
    const spec = this.#spec;
    return {
      restart: spec.restart,
      successExitCodes: spec.successExitCodes,
      restartDelayMs: spec.restartDelay,
      backoff: {
        initialMs: spec.backoff.initial,
        multiplier: spec.backoff.multiplier,
        maxMs: spec.backoff.max,
        resetAfterMs: spec.backoff.resetAfter,
      },
      giveUp: spec.giveUp ? { failures: spec.giveUp.failures, withinMs: spec.giveUp.within } : null,
      startSecsMs: spec.startSecs,
      readiness: spec.ready,
      startTimeoutMs: spec.startTimeout,
      watchdogMs: spec.ready === 'notify' ? (this.#watchdogOverrideMs ?? spec.watchdog) : null,
      stopSignal: spec.stopSignal,
      stopTimeoutMs: spec.stopTimeout,
      desired: this.#desired,
      consecutiveFailures: this.#consecutiveFailures,
      recentFailures: this.#recentFailures,
      now: this.#system.now(),
    };
  }

  #step(event: MachineEvent): void {
    const from = this.#state;
    const result = transition(from, event, this.#context());
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
    if (from !== result.next || event.type === 'exit' || this.#runtime.pid !== pidBefore || noted) {
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
        this.#killGroup(this.#runtime.pgid, effect.signal);
        return;
      case 'reap-group':
        this.#reapGroup(effect.signal);
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
    }
  }

  #spawn(): void {
    const spec = this.#spec;
    let child: ChildHandle;
    let fds: ChildFds;
    let readyFd: ReturnType<ReadinessChannel['openChildFd']> = null;
    try {
      fds = this.#capture.openChildFds();
    } catch (error) {
      this.#queue.push({
        type: 'spawn-failed',
        reason: `cannot open its output FIFOs: ${(error as Error).message}`,
      });
      return;
    }
    try {
      const launch = getLaunch(spec);
      readyFd = this.#readiness?.openChildFd() ?? null;
      child = this.#system.spawn({
        name: spec.name,
        cwd: spec.cwd,
        ...launch,
        env: { ...launch.env, ...this.#readiness?.env },
        stdout: fds.out,
        stderr: fds.err,
        extraFds: readyFd ? [readyFd] : [],
      });
    } catch (error) {
      this.#queue.push({ type: 'spawn-failed', reason: `spawn failed: ${(error as Error).message}` });
      return;
    } finally {
      this.#capture.releaseChildFds(fds);
      readyFd?.release();
    }
    this.#statusText = null;
    this.#watchdogOverrideMs = null;
    const pid = child.pid;
    child.onError((error) => {
      if (pid === undefined)
        this.dispatch({ type: 'spawn-failed', reason: `spawn failed: ${error.message}` });
    });
    if (pid === undefined) {
      this.#runtime = { pid: null, pgid: null, procStartTime: null, startedAt: null };
      return;
    }
    const now = this.#system.now();
    this.#runtime = { pid, pgid: pid, procStartTime: readStartTime(pid), startedAt: now };
    child.onExit((code, signal) => this.#onExit(pid, { code, signal }));
  }

  #onExit(pid: number, status: { code: number | null; signal: NodeJS.Signals | null }): void {
    if (this.#runtime.pid !== pid) return;
    const uptimeMs = this.#runtime.startedAt === null ? 0 : this.#system.now() - this.#runtime.startedAt;
    this.#exitedPgid = this.#runtime.pgid;
    this.#exitedPid = pid;
    this.#runtime = { pid: null, pgid: null, procStartTime: null, startedAt: null };
    this.#adoptedWatch?.cancel();
    this.#adoptedWatch = null;
    this.dispatch({ type: 'exit', exit: { code: status.code, signal: status.signal, uptimeMs } });
  }

  #killGroup(pgid: number | null, signal: NodeJS.Signals): void {
    if (pgid === null) return;
    // A group can be empty while its leader is a zombie not yet reaped; fall back to the leader itself.
    if (!this.#system.kill(-pgid, signal) && this.#runtime.pid === pgid) this.#system.kill(pgid, signal);
  }

  /** After the main process is gone, whatever is left of its process group is stopped too. */
  #reapGroup(signal: NodeJS.Signals): void {
    const pgid = this.#exitedPgid;
    this.#exitedPgid = null;
    if (pgid === null || !this.#system.kill(-pgid, signal) || signal === 'SIGKILL') return;
    this.#system.setTimer(this.#spec.stopTimeout, () => this.#system.kill(-pgid, 'SIGKILL'));
  }

  #cancelTimers(): void {
    for (const timer of Object.values(this.#timers)) timer?.cancel();
    this.#timers = {};
  }

  /**
   * An adopted process is not our child, so the kernel does not report its exit to us by SIGCHLD.
   * A pidfd does (Linux ≥ 5.3): no timer at all. Elsewhere a FIFO EOF or a light poll notices it.
   */
  #watchAdopted(): void {
    const { pid, procStartTime } = this.#runtime;
    if (pid === null) return;
    const watch = this.#system.watchExit?.(pid, () => {
      this.#adoptedWatch = null;
      this.#onExit(pid, { code: null, signal: null });
    });
    if (watch) {
      this.#adoptedWatch = watch;
      this.#adoptedByPidfd = true;
      // The pidfd names whatever had this pid when it was opened: make sure that is still our process.
      if (!isSameProcess(pid, procStartTime)) this.#onExit(pid, { code: null, signal: null });
      return;
    }
    this.#adoptedByPidfd = false;
    const check = () => {
      this.#adoptedWatch = null;
      if (this.#runtime.pid === null) return;
      if (!isSameProcess(pid, procStartTime)) return this.#onExit(pid, { code: null, signal: null });
      const interval = this.#state === 'stopping' ? ADOPTED_STOPPING_POLL_MS : ADOPTED_POLL_MS;
      this.#adoptedWatch = this.#system.setTimer(interval, check);
    };
    const first = this.#state === 'stopping' ? ADOPTED_STOPPING_POLL_MS : ADOPTED_POLL_MS;
    this.#adoptedWatch = this.#system.setTimer(first, check);
  }

  /** Called on a FIFO EOF: for an adopted program it means the process tree has likely gone. */
  checkAdoptedNow(): void {
    if (this.#adoptedWatch === null) return;
    const { pid, procStartTime } = this.#runtime;
    if (pid !== null && !isSameProcess(pid, procStartTime)) this.#onExit(pid, { code: null, signal: null });
  }

  /** Called when a stop is requested of an adopted program, so its end is noticed quickly. */
  pollAdoptedSoon(): void {
    if (this.#adoptedWatch === null || this.#adoptedByPidfd) return;
    this.#adoptedWatch.cancel();
    this.#watchAdopted();
  }
}
