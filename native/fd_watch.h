#ifndef TEND_FD_WATCH_H
#define TEND_FD_WATCH_H
#include <node_api.h>
#include <stddef.h>
#include <uv.h>

// One fd watched by libuv's poll on behalf of JavaScript, shared by every watcher of the native
// helper (notify socket, FIFO drain, pidfd). JavaScript holds a handle whose close() stops watching
// and closes the fd; the memory is freed once both libuv and JavaScript are done with it, so a
// close() after the watch ended, twice, or from a garbage-collected handle touches nothing freed.

typedef struct fd_watch fd_watch_t;

// Runs on the loop thread when the fd is ready, inside an open handle scope.
typedef void (*fd_watch_ready)(fd_watch_t *watch);

struct fd_watch {
  uv_poll_t poll;
  int fd;
  int closing;
  int handle_closed;
  int finalized;
  napi_env env;
  napi_ref callback;
  napi_async_context context;
  fd_watch_ready on_ready;
  // Optional: runs once when watching stops (close() from JavaScript, the end of the watch or the
  // handle's collection), before the fd is closed. `tag` is the watcher's own datum (a pid, say).
  void (*on_close)(fd_watch_t *watch);
  long tag;
};

// Starts watching fd for events (UV_READABLE, …) and returns the JavaScript handle (and, when `out`
// is not NULL, the watch itself). On failure it throws and returns NULL; fd then still belongs to the caller.
napi_value fd_watch_start(napi_env env, int fd, int events, napi_value callback, const char *resource,
                          fd_watch_ready on_ready, fd_watch_t **out);

// Stops watching and closes the fd (once; later calls do nothing).
void fd_watch_close(fd_watch_t *watch);

// Calls the watch's JavaScript callback with its async context (microtasks and async hooks behave);
// what it throws becomes an uncaught exception. Valid until the handle is released, even after close.
void fd_watch_call(fd_watch_t *watch, size_t argc, const napi_value *argv);

#endif
