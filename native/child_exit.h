#ifndef TEND_CHILD_EXIT_H
#define TEND_CHILD_EXIT_H
#include <node_api.h>
#include <sys/types.h>

// Watches a child's pidfd and reaps it with waitid(P_PIDFD) when it exits, so its status is known and
// nobody else can collect it. Calls callback(code, signal) once; on_forget(pid) runs when the watch
// ends either way (exit or close()). Returns the JavaScript handle, or NULL with an exception pending
// (the pidfd is then closed).
napi_value watch_child_exit(napi_env env, pid_t pid, int pidfd, napi_value callback, void (*on_forget)(pid_t));

#endif
