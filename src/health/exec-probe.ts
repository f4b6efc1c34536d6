import { spawn } from 'node:child_process';
import { OutputTail } from './output-tail.js';
import { OUTPUT_KEPT_BYTES, type Probe, type ProbeContext } from './probe.js';

// An exec check: the command runs in its own process group (a string through /bin/sh -c); exit 0 is
// healthy. Stdout and stderr are kept together, the last 4 KB. When the runner aborts (the check's
// timeout), the whole group is SIGKILLed, so a hung check never piles up.

export function createExecProbe(command: string | readonly string[], context: ProbeContext): Probe {
  const argv = typeof command === 'string' ? ['/bin/sh', '-c', command] : [...command];
  const [file, ...args] = argv as [string, ...string[]];
  return (signal) =>
    new Promise((resolve) => {
      const output = new OutputTail(OUTPUT_KEPT_BYTES);
      let child: ReturnType<typeof spawn>;
      try {
        child = spawn(file, args, {
          cwd: context.cwd,
          env: context.env,
          stdio: ['ignore', 'pipe', 'pipe'],
          detached: true,
          ...(context.uid !== undefined ? { uid: context.uid } : {}),
          ...(context.gid !== undefined ? { gid: context.gid } : {}),
        });
      } catch (error) {
        resolve({ ok: false, message: `cannot run: ${(error as Error).message}`, output: '' });
        return;
      }
      const killGroup = () => {
        if (child.pid === undefined) return;
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      };
      signal.addEventListener('abort', killGroup, { once: true });
      child.stdout?.on('data', (chunk: Buffer) => output.push(chunk));
      child.stderr?.on('data', (chunk: Buffer) => output.push(chunk));
      child.on('error', (error) => {
        signal.removeEventListener('abort', killGroup);
        resolve({ ok: false, message: `cannot run: ${error.message}`, output: output.toString() });
      });
      child.on('close', (code, exitSignal) => {
        signal.removeEventListener('abort', killGroup);
        // What the command left behind in its group goes with it.
        if (!signal.aborted) killGroup();
        const message = exitSignal ? `killed by ${exitSignal}` : `exit ${code}`;
        resolve({ ok: code === 0, message, output: output.toString() });
      });
    });
}
