// 5. Idle CPU of the supervisor process with N programs running: utime+stime from /proc/PID/stat over
// the window, as a percentage of one core. The scheduler's ns-precise figure (sum of
// /proc/PID/task/*/schedstat) is recorded beside it, since 10 s is only 1000 clock ticks.
import { cpuSeconds, schedSeconds } from '../lib/proc.mjs';
import { nowMs, sleep } from '../lib/util.mjs';

export async function measureIdle(instance, { seconds }) {
  // Summed over the supervisor's processes where it has several (s6-svscan and every s6-supervise).
  const pids = instance.supervisorPids?.() ?? [instance.supervisorPid()];
  const total = (read) => pids.reduce((sum, pid) => sum + read(pid), 0);
  const cpu0 = total(cpuSeconds);
  const sched0 = total(schedSeconds);
  const t0 = nowMs();
  await sleep(seconds * 1000);
  const wall = (nowMs() - t0) / 1000;
  const cpu = total(cpuSeconds) - cpu0;
  const sched = total(schedSeconds) - sched0;
  return {
    percent: (cpu / wall) * 100,
    schedPercent: (sched / wall) * 100,
    cpuSeconds: cpu,
    wallSeconds: wall,
  };
}
