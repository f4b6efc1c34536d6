// 7. Log throughput: one program writes `bytes` of numbered 100-byte lines to stdout as fast as it can
// and the supervisor appends them to its log file. The generator is started through the supervisor,
// waits (SIGUSR2 blocked) until the bench sees it ready, and the clock starts with the SIGUSR2 that
// lets it write. Done when the log file holds every byte and ends with the last numbered line.
// Figures: MB/s (1 MB = 10^6 bytes) and the supervisor's CPU seconds over that time.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { cpuSeconds, handlesSignal, Scanner, schedSeconds } from '../lib/proc.mjs';
import { nowMs, sleep, waitFor } from '../lib/util.mjs';

const SIGUSR2 = 12;

function lastLine(path, size) {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(100);
    readSync(fd, buf, 0, 100, size - 100);
    return buf.toString('latin1');
  } finally {
    closeSync(fd);
  }
}

export async function measureLogs(
  instance,
  method,
  { bytes, marker, useEnviron, name, timeoutMs = 300_000 },
) {
  const scanner = new Scanner(marker, { useEnviron });
  await instance.start(method);
  const pid = await waitFor(
    () => {
      const found = scanner.poll().get('log');
      return found && handlesSignal(found, SIGUSR2) ? found : null;
    },
    { intervalMs: 2, timeoutMs: 60_000, what: 'the log generator to start' },
  );
  // Summed over the supervisor's processes where it has several (s6: s6-svscan, s6-supervise, s6-log).
  const supervisors = instance.supervisorPids?.() ?? [instance.supervisorPid()];
  const total = (read) => supervisors.reduce((sum, pid) => sum + read(pid), 0);
  const path = instance.logPath(name);
  const lastNumber = String(Math.floor(bytes / 100) - 1).padStart(10, '0');
  await sleep(200);
  const cpu0 = total(cpuSeconds);
  const sched0 = total(schedSeconds);
  const t0 = nowMs();
  process.kill(pid, 'SIGUSR2');
  let size = 0;
  for (;;) {
    try {
      size = statSync(path).size;
    } catch {
      size = 0;
    }
    if (size >= bytes && lastLine(path, size).startsWith(lastNumber)) break;
    if (nowMs() - t0 > timeoutMs)
      throw new Error(`the log file holds ${size} of ${bytes} bytes after ${timeoutMs} ms`);
    await sleep(2);
  }
  const seconds = (nowMs() - t0) / 1000;
  const cpu = total(cpuSeconds) - cpu0;
  const sched = total(schedSeconds) - sched0;
  return {
    mbPerSec: bytes / 1e6 / seconds,
    seconds,
    cpuSeconds: cpu,
    schedCpuSeconds: sched,
    fileBytes: size,
    cpuPer200MB: (cpu * 200e6) / bytes,
  };
}
