// The clock and timers every stateful part takes by injection, so unit tests can drive time by hand.

/**
 * Node fires a timer longer than 2^31-1 ms (24.8 days) after 1 ms; a `stopTimeout: 30d` must not
 * mean SIGKILL at once. Longer timers wait this long instead.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  now(): number;
  /** `background`: the timer does not keep the process alive on its own (Node's unref). */
  setTimer(ms: number, callback: () => void, options?: { readonly background?: boolean }): TimerHandle;
}

export const nodeClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, callback, options) {
    const timer = setTimeout(callback, Math.min(ms, MAX_TIMER_MS));
    if (options?.background) timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
};
