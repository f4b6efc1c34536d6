import { isAbsolute, relative } from 'node:path';
import { COMPOSE_KEYS, type ComposeOut } from './compose-keys.js';
import { createPathMapper, getImage, noteImages } from './container.js';
import { applyKeyMappings } from './keys.js';
import type { ExportConfig, ExportProgram } from './programs.js';
import { renderYaml } from './render-yaml.js';
import { getSelected } from './shared.js';
import type { ExportNote, ExportOptions, ExportResult } from './types.js';

// `tend export compose`: one service per program in compose.yaml, each with init: true (a PID 1 that
// reaps and forwards signals, as tend's daemon does) and its programs' own stop signal and grace.

function createService(
  program: ExportProgram,
  config: ExportConfig,
  options: ExportOptions,
  notes: ExportNote[],
): Record<string, unknown> {
  const byName = new Map(config.programs.map((p) => [p.name, p]));
  const out: ComposeOut = {
    service: { image: getImage(program, options), init: true },
    image: getImage(program, options),
    getContainerPath: createPathMapper(config, options),
    getEnvFilePath: (file) => {
      const path = relative(options.outDir, file);
      return path.startsWith('..') || isAbsolute(path) ? file : `./${path}`;
    },
    getReadiness: (name) => {
      const dependency = byName.get(name);
      if (dependency?.spec.checks.length) return 'healthcheck';
      return dependency?.spec.ready === 'startSecs' ? 'started' : 'declared';
    },
    note: (option, reason) => notes.push({ program: program.name, option, reason }),
  };
  applyKeyMappings(COMPOSE_KEYS, program, out, config);
  return out.service;
}

export function exportCompose(config: ExportConfig, options: ExportOptions): ExportResult {
  const notes: ExportNote[] = [];
  const programs = getSelected(config, options);
  noteImages(programs, options, (reason) => notes.push({ program: null, option: 'image', reason }));
  const services = Object.fromEntries(
    programs.map((program) => [program.name, createService(program, config, options, notes)]),
  );
  const header = `exported by \`tend export compose\` from ${options.source}; check with: docker compose config`;
  return { files: [{ name: 'compose.yaml', text: renderYaml([{ services }], header, notes) }], notes };
}
