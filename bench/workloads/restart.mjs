// 3. Restart latency: SIGKILL one child, then poll /proc every pollMs until a new process of the same
// program (same marker and index, another pid) exists. Each sample kills a different program that
// has been up for a while, so every kill is a crash after a stable run (tend's backoff resets after
// 10 s of stable running; supervisord and pm2 restart such a crash at once too).
import { Scanner } from '../lib/proc.mjs';
import { median, nowMs, sleep, sleepSync } from '../lib/util.mjs';

export async function measureRestart(
  _instance,
  { marker, useEnviron, samples = 10, pollMs = 1, timeoutMs = 10_000 },
) {
  const times = [];
  for (let k = 0; k < samples; k++) {
    const index = String(k);
    const scanner = new Scanner(marker, { useEnviron });
    const oldPid = scanner.poll().get(index);
    if (!oldPid) throw new Error(`program p${k} has no process to kill`);
    process.kill(oldPid, 'SIGKILL');
    const t0 = nowMs();
    let replaced = null;
    for (let polls = 0; ; polls++) {
      // after 50 ms, every 20th poll also re-reads the pids that were foreign (one may have been
      // reused by the replacement: see Scanner)
      scanner.poll({ refresh: polls % 20 === 19 && nowMs() - t0 > 50 });
      for (const [pid, found] of scanner.known) if (found === index && pid !== oldPid) replaced = pid;
      if (replaced) break;
      if (nowMs() - t0 > timeoutMs) break;
      sleepSync(pollMs);
    }
    if (!replaced) throw new Error(`p${k} was not restarted within ${timeoutMs} ms`);
    times.push(nowMs() - t0);
    await sleep(300);
  }
  return { ms: median(times), samples: times };
}
