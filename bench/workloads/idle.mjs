// 5. Idle CPU of the supervisor process with N programs running: utime+stime from /proc/PID/stat over
// the window, as a percentage of one core. The scheduler's ns-precise figure (sum of
// /proc/PID/task/*/schedstat) is recorded beside it, since 10 s is only 1000 clock ticks.
import { cpuSeconds, schedSeconds } from '../lib/proc.mjs';
import { nowMs, sleep } from '../lib/util.mjs';

export async function measureIdle(instance, { seconds }) {
  const pid = instance.supervisorPid();
  const cpu0 = cpuSeconds(pid);
  const sched0 = schedSeconds(pid);
  const t0 = nowMs();
  await sleep(seconds * 1000);
  const wall = (nowMs() - t0) / 1000;
  const cpu = cpuSeconds(pid) - cpu0;
  const sched = schedSeconds(pid) - sched0;
  return {
    percent: (cpu / wall) * 100,
    schedPercent: (sched / wall) * 100,
    cpuSeconds: cpu,
    wallSeconds: wall,
  };
}
