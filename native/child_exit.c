// The exit of one of the daemon's own children, seen on its pidfd and collected with
// waitid(P_PIDFD): the status comes with it (exit code or signal), and only this watcher can reap
// that child, so neither libuv nor the orphan reaper ever takes its status.
#define _GNU_SOURCE
#include "child_exit.h"

#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "fd_watch.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

static void (*forget_pid)(pid_t) = NULL;

static void on_close(fd_watch_t *watch) {
  if (forget_pid) forget_pid((pid_t)watch->tag);
}

static void on_child_ready(fd_watch_t *watch) {
  siginfo_t status = {0};
  int result;
  do result = waitid(P_PIDFD, (id_t)watch->fd, &status, WEXITED | WNOHANG);
  while (result != 0 && errno == EINTR);
  if (result == 0 && status.si_pid == 0) return;  // readable before the zombie was ready: not yet
  int code = -1, signal_number = 0;
  if (result == 0 && status.si_code == CLD_EXITED) code = status.si_status;
  else if (result == 0) signal_number = status.si_status;
  fd_watch_close(watch);
  napi_value argv[2];
  napi_create_int32(watch->env, code, &argv[0]);
  napi_create_int32(watch->env, signal_number, &argv[1]);
  fd_watch_call(watch, 2, argv);
}

napi_value watch_child_exit(napi_env env, pid_t pid, int pidfd, napi_value callback, void (*on_forget)(pid_t)) {
  fd_watch_t *watch = NULL;
  forget_pid = on_forget;
  napi_value handle = fd_watch_start(env, pidfd, UV_READABLE, callback, "tend:child-exit", on_child_ready, &watch);
  if (!handle) {
    close(pidfd);
    if (on_forget) on_forget(pid);
    return NULL;
  }
  watch->tag = pid;
  watch->on_close = on_close;
  return handle;
}
