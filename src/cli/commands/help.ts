import type { Command } from '../context.js';
import { print } from '../output.js';

export const HELP_TEXT = `tend — keeps programs running

Usage:
  tend start [options] -- COMMAND [ARGS...]   create and start a program, wait until it runs
  tend start NAME...|all [--no-wait]          start stopped programs, wait until they run
  tend stop NAME...|all                       stop gracefully (signal, deadline, SIGKILL)
  tend restart NAME...|all [--no-wait]        stop, then start again (instances one at a time)
  tend reload NAME...|all                     reloadSignal, or a new process on the held sockets, one at a time
  tend delete NAME...|all                     stop and forget
  tend signal SIGNAL NAME...                  send a signal to the main process
  tend ls [NAME...] [--json]                  list programs (aliases: list, status)
  tend show NAME... [--json] [--show-env]     every setting of a program
  tend events [NAME...] [-n N] [--json]       state-change history
  tend logs [NAME...|all] [-n N] [-f] [--out|--err] [--since DUR] [-t] [--json]
                                              last lines, then follow (-f)
  tend flush [NAME|all]                       empty log files
  tend up [NAMES...] [-f FILE] [--dry-run] [--dependency-timeout DUR]
                                              start what tend.yaml declares; apply only what changed
  tend down [NAMES...] [-f FILE]              stop and remove what tend.yaml declares
  tend scale NAME N                           grow or shrink a program's instances
  tend daemon start|stop|restart|status|run   manage the background daemon
  tend daemon run [-f FILE]                   the daemon in the foreground (systemd, a container's PID 1)
  tend startup [systemd|launchd] [--user|--system] [--run-as USER] [--dry-run|--check]
                                              start the daemon at boot; --check verifies the unit
  tend unstartup [systemd|launchd] [--user|--system]   remove the boot unit
  tend import pm2|supervisord|procfile|systemd FILE... [-o OUT] [--force] [--stdout] [--env NAME]
                                              write a tend.yaml from another tool's config
  tend export systemd|kubernetes|compose [NAMES...] [-f FILE] [-o DIR] [--stdout] [--force]
              [--user] [--image [NAME=]IMAGE] [--workdir DIR]
                                              write tend.yaml's programs for another engine
  tend version

Options of start:
  -n, --name NAME            program name (default: derived from the command)
      --cwd DIR              working directory (default: the current one)
  -e, --env KEY=VALUE        environment variable (repeatable)
      --restart POLICY       always | on-failure | never (default: always)
      --on-exit POLICY       restart | shutdown (stop everything, exit the daemon with its status) | ignore
      --restart-delay DUR    wait before every restart (default: 0)
      --start-secs DUR       time up before a start counts as successful (default: 1s)
      --ready notify|fd      the program says when it is ready: sd_notify READY=1 (NOTIFY_SOCKET),
                             or a newline on fd 3 (NOTIFY_FD); default: after --start-secs
      --start-timeout DUR    notify/fd: not ready by then is a failed start (default: 60s)
      --watchdog DUR         notify: no WATCHDOG=1 within DUR → SIGABRT, SIGKILL, restart
      --stop-signal SIG      signal that asks it to stop (default: TERM)
      --stop-timeout DUR     SIGKILL after this long (default: 10s)
      --success-codes LIST   exit codes that count as success (default: 0)
      --give-up N/DUR        N failed starts within DUR make it fatal (default: never)
      --socket ADDRESS       a listening socket tend holds and passes as LISTEN_FDS from fd 3
                             (tcp://127.0.0.1:3000, tcp://[::]:8080, unix:/path; repeatable)
      --check-http URL       a health check (repeatable): healthy on HTTP 200-399
      --check-tcp HOST:PORT  a health check: healthy when it accepts a connection
      --check-exec COMMAND   a health check: healthy when the command exits 0
      --check-level LEVEL    alive (default: failing restarts it) | ready (gates running) | startup
      --check-period DUR     how often the checks run (default: 10s)
      --check-timeout DUR    a run slower than this fails; exec checks are killed (default: 1s)
      --no-start             create without starting
      --no-wait              return at once instead of waiting until it runs
      --out-log PATH         stdout target: a file, /dev/null or "console" (default: TEND_HOME/logs/NAME.out.log)
      --err-log PATH         stderr target, likewise
      --merge-logs           stderr into the stdout target, never torn mid-line
      --log-timestamps       prefix each line with an ISO 8601 time
      --log-json             write JSON lines {"time","stream","line"}
      --log-max-size SIZE    rotate at this size (default: 10MB; 0: never)
      --log-keep N           rotated files to keep (default: 5)
      --log-compress         gzip rotated files
      --log-daily            also rotate at midnight

NAME: a program, a program with instances (all of them), an instance (web-2), several, or all.
Read-only verbs (ls, show, events, logs) never start the daemon.
Durations: 500ms, 10s, 2m, 1h. TEND_HOME (default ~/.tend) holds the daemon's socket, state and logs.
Docs: docs/cli.md`;

export const helpCommand: Command = async () => {
  print(HELP_TEXT);
  return 0;
};
