import { BadArgumentError, ConfigError } from '../../errors.js';
import { createProgramName } from './names.js';
import { sortNotes } from './notes.js';
import { convertPm2App, getPm2AppName } from './pm2-app.js';
import { isObject, loadPm2Ecosystem } from './pm2-load.js';
import { Pm2ValueError } from './pm2-values.js';
import { createConfig } from './shape.js';
import type { ImportNote, ImportResult, TendYamlProgram } from './types.js';

// `tend import pm2 ecosystem.config.js|.cjs|.json`: every app becomes a tend program.

export interface Pm2ImportOptions {
  /** Like `pm2 start ecosystem.config.js --env production`: env_production is merged over env. */
  env?: string;
}

export function importPm2(text: string, path: string, options: Pm2ImportOptions = {}): ImportResult {
  const { apps, deploy } = loadPm2Ecosystem(text, path);
  const envName = options.env;
  if (envName !== undefined && !apps.some((app) => `env_${envName}` in app)) {
    throw new BadArgumentError(`import: --env ${envName}: no app in ${path} has env_${envName}`);
  }
  const deployTarget = envName !== undefined && deploy ? deploy[envName] : undefined;
  const deployEnv = isObject(deployTarget) && isObject(deployTarget.env) ? deployTarget.env : {};
  const notes: ImportNote[] = [];
  const taken = new Set<string>();
  const programs: Record<string, TendYamlProgram> = {};
  apps.forEach((app, index) => {
    const raw = getPm2AppName(app);
    const name = createProgramName(raw, taken);
    taken.add(name);
    const note = (option: string, reason: string) => notes.push({ program: name, option, reason });
    if (name !== raw) note('name', `"${raw}" is not a valid tend name; renamed`);
    try {
      programs[name] = convertPm2App(app, { envName, deployEnv }, note);
    } catch (error) {
      if (error instanceof Pm2ValueError)
        throw new ConfigError(`${path}: apps[${index}] (${raw}): ${error.message}`);
      throw error;
    }
  });
  if (deploy) {
    notes.push({
      program: null,
      option: 'deploy',
      reason: 'pm2 deploy is not part of tend; keep your deploy tool and run `tend up` at its end',
    });
  }
  return { config: createConfig(programs), notes: sortNotes(notes, Object.keys(programs)) };
}
