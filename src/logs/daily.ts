// Calls `task` at every local midnight. One timer, re-armed after each run; never keeps the process alive.

export function getMsUntilMidnight(now: Date): number {
  const next = new Date(now);
  next.setHours(24, 0, 0, 0);
  return next.getTime() - now.getTime();
}

export function scheduleDaily(task: () => void): { cancel(): void } {
  let timer: NodeJS.Timeout;
  const arm = () => {
    timer = setTimeout(() => {
      task();
      arm();
    }, getMsUntilMidnight(new Date()) + 50);
    timer.unref();
  };
  arm();
  return { cancel: () => clearTimeout(timer) };
}
