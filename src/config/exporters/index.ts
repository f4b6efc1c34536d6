import { exportCompose } from './compose.js';
import { exportKubernetes } from './kubernetes.js';
import type { ExportConfig } from './programs.js';
import { exportSystemd } from './systemd.js';
import type { ExportOptions, ExportResult } from './types.js';

export { formatNote } from '../importers/render.js';
export { type ExportConfig, type ExportProgram, getExportConfig } from './programs.js';
export type { ExportedFile, ExportNote, ExportOptions, ExportResult } from './types.js';

const EXPORTERS = {
  systemd: exportSystemd,
  kubernetes: exportKubernetes,
  compose: exportCompose,
} as const;

export type ExportTarget = keyof typeof EXPORTERS;

export function exportTarget(
  target: ExportTarget,
  config: ExportConfig,
  options: ExportOptions,
): ExportResult {
  return EXPORTERS[target](config, options);
}
