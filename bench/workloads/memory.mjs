// 6. Memory of the supervisor with N programs running: PSS from /proc/PID/smaps_rollup (MiB), summed
// over its processes where it has several (s6: s6-svscan and one s6-supervise per program).
import { pssKiB, rssKiB } from '../lib/proc.mjs';

export function measureMemory(instance) {
  const pids = instance.supervisorPids?.() ?? [instance.supervisorPid()];
  const sum = (read) => pids.reduce((total, pid) => total + (read(pid) ?? 0), 0);
  return { pssMB: sum(pssKiB) / 1024, rssMB: sum(rssKiB) / 1024, processes: pids.length };
}
