// 4. Stop N programs: wall time from issuing the stop command until no child process is left
// (a zombie waiting to be reaped no longer counts: it has exited).
import { Scanner } from '../lib/proc.mjs';
import { nowMs, sleep } from '../lib/util.mjs';

export async function measureStop(instance, { n, marker, useEnviron, timeoutMs = 600_000 }) {
  const scanner = new Scanner(marker, { useEnviron });
  const before = scanner.live().size;
  if (before < n) throw new Error(`only ${before} of ${n} programs running before stop`);
  const t0 = nowMs();
  let commandMs = null;
  let failure = null;
  const command = instance.stopAll().then(
    () => {
      commandMs = nowMs() - t0;
    },
    (error) => {
      failure = error;
    },
  );
  for (;;) {
    const left = scanner.live().size;
    if (left === 0) break;
    if (failure) throw failure;
    if (nowMs() - t0 > timeoutMs) throw new Error(`${left} programs still running after ${timeoutMs} ms`);
    await sleep(1);
  }
  const ms = nowMs() - t0;
  await command;
  if (failure) throw failure;
  return { ms, commandMs };
}
