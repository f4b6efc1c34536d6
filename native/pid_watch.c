// The end of a process that is not our child (one a previous daemon started and this one adopted):
// the kernel reports it on a pidfd (pidfd_open(2), Linux 5.3), which becomes readable when the
// process exits. Watched by libuv's poll, so an adopted program costs one fd and no timer.
#define _GNU_SOURCE
#include "pid_watch.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <uv.h>

#include "common.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

// Freed once both are done with it: libuv (the handle closed) and JavaScript (the object finalized),
// so a close() after the process ended, or a garbage-collected handle, touches no freed memory.
typedef struct {
  uv_poll_t poll;
  int fd;
  int closing;
  int handle_closed;
  int finalized;
  napi_env env;
  napi_ref callback;
  napi_async_context context;
} pid_watch_t;

static void on_closed(uv_handle_t *handle) {
  pid_watch_t *watch = handle->data;
  watch->handle_closed = 1;
  napi_delete_reference(watch->env, watch->callback);
  napi_async_destroy(watch->env, watch->context);
  if (watch->finalized) free(watch);
}

static void close_watch(pid_watch_t *watch) {
  if (watch->closing) return;
  watch->closing = 1;
  uv_poll_stop(&watch->poll);
  close(watch->fd);
  uv_close((uv_handle_t *)&watch->poll, on_closed);
}

static void finalize(napi_env env, void *data, void *hint) {
  pid_watch_t *watch = data;
  (void)env;
  (void)hint;
  watch->finalized = 1;
  if (watch->handle_closed) free(watch);
  else close_watch(watch);
}

static void on_exit_readable(uv_poll_t *handle, int status, int events) {
  pid_watch_t *watch = handle->data;
  (void)status;
  (void)events;
  if (watch->closing) return;
  napi_env env = watch->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  // Once: the process has ended. The handle is released after this call (libuv closes it later).
  close_watch(watch);
  call_js(env, watch->callback, watch->context, 0, NULL);
  napi_close_handle_scope(env, scope);
}

static napi_value close_method(napi_env env, napi_callback_info info) {
  napi_value self;
  pid_watch_t *watch = NULL;
  napi_get_cb_info(env, info, NULL, NULL, &self, NULL);
  if (napi_unwrap(env, self, (void **)&watch) == napi_ok && watch) close_watch(watch);
  return NULL;
}

// watchExit(pid, onExit): calls onExit() once when process pid ends; close() stops watching.
// Throws ESRCH when there is no such process, ENOSYS on kernels before 5.3.
napi_value watch_exit(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], self, close_function, resource_name;
  int32_t pid;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2 || napi_get_value_int32(env, argv[0], &pid) != napi_ok || pid <= 0) {
    napi_throw_type_error(env, NULL, "watchExit(pid, onExit): pid must be a positive integer");
    return NULL;
  }
  int fd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (fd < 0) return throw_errno(env, "pidfd_open", errno);
  pid_watch_t *watch = calloc(1, sizeof *watch);
  if (!watch) {
    close(fd);
    return throw_errno(env, "calloc", ENOMEM);
  }
  watch->fd = fd;
  watch->env = env;
  watch->poll.data = watch;
  uv_loop_t *loop;
  napi_get_uv_event_loop(env, &loop);
  int error = uv_poll_init(loop, &watch->poll, fd);
  if (error != 0) {
    close(fd);
    free(watch);
    return throw_errno(env, "uv_poll_init", -error);
  }
  uv_poll_start(&watch->poll, UV_READABLE, on_exit_readable);
  napi_create_reference(env, argv[1], 1, &watch->callback);
  napi_create_string_utf8(env, "tend:pid-watch", NAPI_AUTO_LENGTH, &resource_name);
  napi_create_object(env, &self);
  napi_async_init(env, self, resource_name, &watch->context);
  napi_wrap(env, self, watch, finalize, NULL, NULL);
  napi_create_function(env, "close", NAPI_AUTO_LENGTH, close_method, NULL, &close_function);
  napi_set_named_property(env, self, "close", close_function);
  return self;
}
