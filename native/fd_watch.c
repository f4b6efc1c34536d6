#include "fd_watch.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "common.h"

static void on_closed(uv_handle_t *handle) {
  fd_watch_t *watch = handle->data;
  watch->handle_closed = 1;
  napi_delete_reference(watch->env, watch->callback);
  napi_async_destroy(watch->env, watch->context);
  if (watch->finalized) free(watch);
}

void fd_watch_close(fd_watch_t *watch) {
  if (watch->closing) return;
  watch->closing = 1;
  if (watch->on_close) watch->on_close(watch);
  uv_poll_stop(&watch->poll);
  close(watch->fd);
  uv_close((uv_handle_t *)&watch->poll, on_closed);
}

static void finalize(napi_env env, void *data, void *hint) {
  fd_watch_t *watch = data;
  (void)env;
  (void)hint;
  watch->finalized = 1;
  if (watch->handle_closed) free(watch);
  else fd_watch_close(watch);
}

static void on_poll(uv_poll_t *handle, int status, int events) {
  fd_watch_t *watch = handle->data;
  (void)status;
  (void)events;
  if (watch->closing) return;
  napi_handle_scope scope;
  napi_open_handle_scope(watch->env, &scope);
  watch->on_ready(watch);
  napi_close_handle_scope(watch->env, scope);
}

void fd_watch_call(fd_watch_t *watch, size_t argc, const napi_value *argv) {
  napi_env env = watch->env;
  napi_value callback, receiver, result;
  napi_get_reference_value(env, watch->callback, &callback);
  napi_get_global(env, &receiver);
  if (napi_make_callback(env, watch->context, receiver, callback, argc, argv, &result) == napi_pending_exception) {
    napi_value error;
    napi_get_and_clear_last_exception(env, &error);
    napi_fatal_exception(env, error);
  }
}

static napi_value close_method(napi_env env, napi_callback_info info) {
  napi_value self;
  fd_watch_t *watch = NULL;
  napi_get_cb_info(env, info, NULL, NULL, &self, NULL);
  if (napi_unwrap(env, self, (void **)&watch) == napi_ok && watch) fd_watch_close(watch);
  return NULL;
}

napi_value fd_watch_start(napi_env env, int fd, int events, napi_value callback, const char *resource,
                          fd_watch_ready on_ready, fd_watch_t **out) {
  fd_watch_t *watch = calloc(1, sizeof *watch);
  if (!watch) return throw_errno(env, "calloc", ENOMEM);
  uv_loop_t *loop;
  napi_get_uv_event_loop(env, &loop);
  int error = uv_poll_init(loop, &watch->poll, fd);
  if (error != 0) {
    free(watch);
    return throw_errno(env, "uv_poll_init", -error);
  }
  watch->fd = fd;
  watch->env = env;
  watch->on_ready = on_ready;
  watch->poll.data = watch;
  napi_value self, close_function, resource_name;
  napi_create_reference(env, callback, 1, &watch->callback);
  napi_create_string_utf8(env, resource, NAPI_AUTO_LENGTH, &resource_name);
  napi_create_object(env, &self);
  napi_async_init(env, self, resource_name, &watch->context);
  napi_wrap(env, self, watch, finalize, NULL, NULL);
  napi_create_function(env, "close", NAPI_AUTO_LENGTH, close_method, NULL, &close_function);
  napi_set_named_property(env, self, "close", close_function);
  uv_poll_start(&watch->poll, events, on_poll);
  if (out) *out = watch;
  return self;
}
