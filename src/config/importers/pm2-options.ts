// pm2 app options tend has no counterpart for, and when each one matters. Aliases come from pm2's
// lib/API/schema.json.

type When = 'always' | 'truthy' | 'falsy';

const MONITORING = 'pm2.io monitoring; not part of tend';
const WATCH =
  'tend does not watch files; restart from your deploy script or a watcher with `tend restart NAME`';

export const UNSUPPORTED_PM2_OPTIONS: Record<string, { reason: string; when: When }> = {
  max_memory_restart: {
    reason:
      'tend does not restart on memory use; limit memory with a cgroup (systemd MemoryMax) or in the program',
    when: 'truthy',
  },
  watch: { reason: WATCH, when: 'truthy' },
  ignore_watch: { reason: WATCH, when: 'always' },
  watch_options: { reason: WATCH, when: 'always' },
  watch_delay: { reason: WATCH, when: 'always' },
  cron_restart: {
    reason: 'tend has no scheduled restarts; run `tend restart NAME` from cron or a systemd timer',
    when: 'truthy',
  },
  cron: {
    reason: 'tend has no scheduled restarts; run `tend restart NAME` from cron or a systemd timer',
    when: 'truthy',
  },
  namespace: { reason: 'tend has no namespaces; program names are global', when: 'always' },
  filter_env: {
    reason: 'tend passes the daemon’s environment to every program; no filtering',
    when: 'truthy',
  },
  source_map_support: {
    reason: 'pm2 injected source-map-support; add --enable-source-maps to the node arguments',
    when: 'truthy',
  },
  disable_source_map_support: { reason: 'tend never injects source-map-support', when: 'falsy' },
  vizion: { reason: 'pm2’s version-control metadata; not part of tend', when: 'truthy' },
  post_update: { reason: 'pm2’s version-control hooks; not part of tend', when: 'always' },
  pmx: { reason: MONITORING, when: 'truthy' },
  automation: { reason: MONITORING, when: 'truthy' },
  trace: { reason: MONITORING, when: 'truthy' },
  disable_trace: { reason: MONITORING, when: 'falsy' },
  v8: { reason: MONITORING, when: 'truthy' },
  event_loop_inspector: { reason: MONITORING, when: 'truthy' },
  deep_monitoring: { reason: MONITORING, when: 'truthy' },
  io: { reason: MONITORING, when: 'always' },
  treekill: { reason: 'tend always signals the whole process group', when: 'falsy' },
  windowsHide: { reason: 'Windows only', when: 'falsy' },
  force: { reason: 'tend refuses two programs with one name; not needed', when: 'truthy' },
  append_env_to_name: { reason: 'names are imported as written', when: 'truthy' },
  kill_retry_time: { reason: 'tend notices the exit itself', when: 'always' },
  pid_file: { reason: 'tend keeps pids in its own state (see `tend ls --json`)', when: 'always' },
  pid: { reason: 'tend keeps pids in its own state (see `tend ls --json`)', when: 'always' },
  shutdown_with_message: {
    reason: 'tend stops programs with a signal (INT, as pm2 does by default), not a “shutdown” message',
    when: 'truthy',
  },
  kill_signal: {
    reason: 'pm2 ignores kill_signal and sends SIGINT; kept INT — set stopSignal if the app expects another',
    when: 'always',
  },
  name_prefix: { reason: 'names are imported as written', when: 'always' },
  username: { reason: 'set user instead', when: 'always' },
  install_url: { reason: 'not supported', when: 'always' },
  execute_command: { reason: 'not supported', when: 'always' },
  write: { reason: 'not supported', when: 'always' },
};

export function isNoteworthy(value: unknown, when: When): boolean {
  if (when === 'always') return true;
  const truthy = value !== false && value !== 'false' && value !== 0 && value !== '' && value !== null;
  return when === 'truthy' ? truthy : !truthy;
}
