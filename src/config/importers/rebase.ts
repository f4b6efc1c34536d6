import { isAbsolute, join, relative } from 'node:path';
import { orderProgram } from './shape.js';
import type { TendYamlConfig, TendYamlProgram } from './types.js';

// Importers write paths relative to the imported file's directory; tend.yaml reads them relative to
// its own. When tend.yaml goes elsewhere (-o), relative paths are rewritten to keep pointing at
// the same places, and programs without a cwd keep running where they did.

export function rebaseConfig(config: TendYamlConfig, fromDir: string, toDir: string): TendYamlConfig {
  if (relative(toDir, fromDir) === '') return config;
  const move = (path: string) => (isMovable(path) ? relative(toDir, join(fromDir, path)) || '.' : path);
  const rebase = (program: TendYamlProgram): TendYamlProgram => {
    const moved: TendYamlProgram = { ...program };
    if (program.cwd !== undefined) moved.cwd = move(program.cwd);
    if (program.envFile !== undefined)
      moved.envFile = Array.isArray(program.envFile) ? program.envFile.map(move) : move(program.envFile);
    if (program.logs) {
      moved.logs = { ...program.logs };
      if (program.logs.out !== undefined) moved.logs.out = move(program.logs.out);
      if (program.logs.err !== undefined) moved.logs.err = move(program.logs.err);
    }
    return moved;
  };
  const defaults = config.defaults && rebase(config.defaults);
  const originalDir = relative(toDir, fromDir);
  const programs = Object.fromEntries(
    Object.entries(config.programs).map(([name, program]) => {
      const moved = rebase(program);
      if (moved.cwd === undefined && defaults?.cwd === undefined)
        return [name, orderProgram({ ...moved, cwd: originalDir })];
      return [name, moved];
    }),
  );
  return defaults ? { defaults, programs } : { programs };
}

function isMovable(path: string): boolean {
  return !isAbsolute(path) && !path.startsWith('${') && path !== 'console';
}
