// The end of a process that is not our child (one a previous daemon started and this one adopted):
// the kernel reports it on a pidfd (pidfd_open(2), Linux 5.3), which becomes readable when the
// process exits. Watched by libuv's poll, so an adopted program costs one fd and no timer.
#define _GNU_SOURCE
#include "pid_watch.h"

#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common.h"
#include "fd_watch.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

// Once: the process has ended. The watch closes first; its callback stays valid for this call.
static void on_exit_ready(fd_watch_t *watch) {
  fd_watch_close(watch);
  fd_watch_call(watch, 0, NULL);
}

// watchExit(pid, onExit): calls onExit() once when process pid ends; close() stops watching.
// Throws ESRCH when there is no such process, ENOSYS on kernels before 5.3.
napi_value watch_exit(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int32_t pid;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2 || napi_get_value_int32(env, argv[0], &pid) != napi_ok || pid <= 0) {
    napi_throw_type_error(env, NULL, "watchExit(pid, onExit): pid must be a positive integer");
    return NULL;
  }
  int fd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (fd < 0) return throw_errno(env, "pidfd_open", errno);
  napi_value watch = fd_watch_start(env, fd, UV_READABLE, argv[1], "tend:pid-watch", on_exit_ready, NULL);
  if (!watch) close(fd);
  return watch;
}
