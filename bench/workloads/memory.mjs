// 6. Memory of the supervisor process with N programs running: PSS from /proc/PID/smaps_rollup (MiB).
import { pssKiB, rssKiB } from '../lib/proc.mjs';

export function measureMemory(instance) {
  const pid = instance.supervisorPid();
  return { pssMB: pssKiB(pid) / 1024, rssMB: rssKiB(pid) / 1024 };
}
