// The package's main export, for tend.config.ts files: `import { defineConfig } from 'tend'`.
export type {
  BackoffConfig,
  Duration,
  GiveUpConfig,
  LogsConfig,
  ProgramConfig,
  ProgramDefaults,
  RestartPolicyName,
  Signal,
  Size,
  TendConfig,
} from './config/define-config.js';
export { defineConfig } from './config/define-config.js';
