export { readIncludedFiles } from './include-files.js';
export { getMissingAccountNotes } from './notes.js';
export { importPm2, type Pm2ImportOptions } from './pm2.js';
export { importProcfile, type ProcfileImportOptions } from './procfile.js';
export { rebaseConfig } from './rebase.js';
export { FILE_WIDE, formatNote, renderTendYaml } from './render.js';
export { type IncludedFile, importSupervisord, type SupervisordImportOptions } from './supervisord.js';
export { importSystemd, type UnitFile } from './systemd.js';
export type { ImportNote, ImportResult, ImportSource, TendYamlConfig, TendYamlProgram } from './types.js';
