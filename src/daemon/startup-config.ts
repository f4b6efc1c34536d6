import { applyRoute } from '../api/config-routes.js';
import type { LoadedConfig } from '../config/load.js';
import { CONSOLE_TARGET } from '../logs/log-options.js';
import type { Supervisor } from '../supervisor/supervisor.js';

// `tend daemon run -f tend.yaml`: the container's entrypoint. The file is read and validated before
// the daemon takes its home (a bad file changes nothing and the container fails at once), then
// applied as `tend up` applies it. A container's logs are its stdout, so every stream the file
// does not send somewhere itself goes to the daemon's output as `NAME | line`.

export async function loadStartupConfig(file: string): Promise<LoadedConfig> {
  // Loaded here only: the YAML parser stays out of a daemon that never reads a file (less memory).
  const { loadConfig } = await import('../config/load.js');
  const config = await loadConfig({ file, cwd: process.cwd(), env: process.env });
  const programs = config.programs.map((program) => ({
    ...program,
    logs: {
      ...program.logs,
      out: program.logs?.out ?? CONSOLE_TARGET,
      err: program.logs?.err ?? CONSOLE_TARGET,
    },
  }));
  return { ...config, programs };
}

/** Creates, updates and starts what the file declares (dependencies first), like `tend up`. */
export async function applyStartupConfig(supervisor: Supervisor, config: LoadedConfig): Promise<number> {
  const result = await applyRoute(supervisor, {
    source: config.path,
    programs: config.programs,
    only: null,
    dryRun: false,
  });
  return result.plan.actions.length;
}
