import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ApiRequestOptions,
  apiRequest,
  findProcesses,
  killQuietly,
  runTend,
  type TendHome,
  type TendOptions,
  waitFor,
} from '../test/e2e/helpers.js';

// A private TEND_HOME for the soak script (tests use test/e2e/helpers' createTendHome), with the
// same shape, and a cleanup that always leaves no process behind.

const CLI_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5000;

export interface SoakHome extends TendHome {
  /** Stops the daemon and its programs, SIGKILLs anything left; returns what had to be killed. */
  stopEverything(): Promise<string[]>;
  /** Removes the home directory. */
  remove(): Promise<void>;
}

export async function createSoakHome(prefix = 'tend-soak-'): Promise<SoakHome> {
  const home = await mkdtemp(join(tmpdir(), prefix));
  const socket = join(home, 'tend.sock');
  const tend = (args: string[], options: TendOptions = {}) =>
    runTend(home, args, { timeoutMs: CLI_TIMEOUT_MS, ...options });
  const tendJson = async <T>(args: string[], options?: TendOptions): Promise<T> => {
    const result = await tend([...args, '--json'], options);
    if (result.code !== 0)
      throw new Error(`tend ${args.join(' ')} exited ${result.code}: ${result.stderr.trim()}`);
    return JSON.parse(result.stdout) as T;
  };
  const stopEverything = async () => {
    try {
      await tend(['daemon', 'stop']);
    } catch {
      // a daemon that does not stop in time is killed below with everything else
    }
    const left = () => findProcesses(home);
    await waitFor(() => left().length === 0, STOP_GRACE_MS, 'the programs to exit').catch(() => {});
    const survivors = left();
    for (const survivor of survivors) killQuietly(survivor.pid);
    return survivors.map((survivor) => `${survivor.pid} (${survivor.cmdline})`);
  };
  const remove = () => rm(home, { recursive: true, force: true });
  const cleanup = async () => {
    await stopEverything();
    await remove();
  };
  return {
    home,
    socket,
    tend,
    tendJson,
    api: <T>(request: ApiRequestOptions) => apiRequest<T>(socket, request),
    cleanup,
    stopEverything,
    remove,
  };
}
