// 1. Start N programs: wall time from issuing the command(s) until every child process exists in /proc
// (after exec: its argv carries the marker). The command's own return time is recorded beside it.
// Once the command has returned, the children get `graceMs` more to appear; after that the figure
// fails, naming the programs that never ran and what the tool says about them.
import { Scanner } from '../lib/proc.mjs';
import { nowMs, sleep } from '../lib/util.mjs';

export async function measureStart(
  instance,
  method,
  { n, marker, useEnviron, timeoutMs = 900_000, graceMs = 30_000 },
) {
  const scanner = new Scanner(marker, { useEnviron });
  const t0 = nowMs();
  let commandMs = null;
  let failure = null;
  const command = instance.start(method).then(
    () => {
      commandMs = nowMs() - t0;
    },
    (error) => {
      failure = error;
    },
  );
  let found = 0;
  let progressAt = nowMs();
  for (;;) {
    const stalled = nowMs() - progressAt > 200;
    const now = scanner.poll({ refresh: stalled }).size;
    if (now > found || stalled) progressAt = nowMs();
    found = now;
    if (found >= n) break;
    if (failure) throw failure;
    const late = commandMs !== null && nowMs() - t0 > commandMs + graceMs;
    if (late || nowMs() - t0 > timeoutMs) {
      // a fresh look, in case a cached entry hid a process
      const running = new Scanner(marker, { useEnviron }).poll();
      if (running.size >= n) break;
      const missing = [];
      for (let i = 0; i < n && missing.length < 5; i++) if (!running.has(String(i))) missing.push(`p${i}`);
      const detail = instance.diagnose
        ? await instance.diagnose(missing).catch((error) => error.message)
        : '';
      throw new Error(
        `only ${running.size} of ${n} programs running ${Math.round(nowMs() - t0)} ms after the start (command returned after ${Math.round(commandMs ?? -1)} ms); missing ${missing.join(', ')}${detail ? `: ${detail}` : ''}`,
      );
    }
    await sleep(1);
  }
  const ms = nowMs() - t0;
  await command;
  if (failure) throw failure;
  return { ms, commandMs, runningAt: Date.now() };
}
