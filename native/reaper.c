// Orphans: processes that lost their parent and were handed to the daemon, because it is a child
// subreaper (PR_SET_CHILD_SUBREAPER) or PID 1 of a container. Each is collected when SIGCHLD says a
// child ended, so none stays a zombie.
//
// What is never collected here: a child the daemon spawned itself (the pid is in the owned table of
// spawn.c from clone until its pidfd watcher has reaped it, see child_exit.c), and a child in the
// daemon's own process group (what Node's child_process starts: libuv waits for those by pid). So
// the reaper cannot take an exit status somebody else waits for. It looks with
// waitid(P_ALL, WNOWAIT), which leaves the zombie in place; when the first zombie it sees is
// protected, it walks /proc/self/task/*/children and tries each unprotected child by pid instead.
#define _GNU_SOURCE
#include "reaper.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include "common.h"
#include "spawn.h"

typedef struct {
  uv_signal_t signal;
  napi_env env;
  napi_ref callback;
  napi_async_context context;
  int closing;
} reaper_t;

static int is_protected(pid_t pid) {
  if (owned_children_has(pid)) return 1;
  pid_t group = getpgid(pid);
  return group >= 0 && group == getpgrp();
}

static void report(reaper_t *reaper, const siginfo_t *status) {
  napi_env env = reaper->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value callback, receiver, result, argv[3];
  napi_create_int32(env, status->si_pid, &argv[0]);
  napi_create_int32(env, status->si_code == CLD_EXITED ? status->si_status : -1, &argv[1]);
  napi_create_int32(env, status->si_code == CLD_EXITED ? 0 : status->si_status, &argv[2]);
  napi_get_reference_value(env, reaper->callback, &callback);
  napi_get_global(env, &receiver);
  if (napi_make_callback(env, reaper->context, receiver, callback, 3, argv, &result) == napi_pending_exception) {
    napi_value error;
    napi_get_and_clear_last_exception(env, &error);
    napi_fatal_exception(env, error);
  }
  napi_close_handle_scope(env, scope);
}

// Collects pid if it has exited (WNOHANG: a live child is left alone). 1 when it was collected.
static int reap_pid(reaper_t *reaper, pid_t pid) {
  siginfo_t status = {0};
  if (waitid(P_PID, (id_t)pid, &status, WEXITED | WNOHANG) != 0 || status.si_pid == 0) return 0;
  report(reaper, &status);
  return 1;
}

static void reap_listed_children(reaper_t *reaper) {
  DIR *tasks = opendir("/proc/self/task");
  if (!tasks) return;
  for (struct dirent *task; (task = readdir(tasks));) {
    if (task->d_name[0] == '.') continue;
    char path[300];
    snprintf(path, sizeof path, "/proc/self/task/%s/children", task->d_name);
    FILE *list = fopen(path, "re");
    if (!list) continue;
    long pid;
    while (fscanf(list, "%ld", &pid) == 1)
      if (!is_protected((pid_t)pid)) reap_pid(reaper, (pid_t)pid);
    fclose(list);
  }
  closedir(tasks);
}

static void reap_orphans(reaper_t *reaper) {
  for (;;) {
    siginfo_t status = {0};
    if (waitid(P_ALL, 0, &status, WEXITED | WNOHANG | WNOWAIT) != 0) {
      if (errno == EINTR) continue;
      return;  // ECHILD: no children at all
    }
    if (status.si_pid == 0) return;  // no child has ended
    if (is_protected(status.si_pid)) {
      reap_listed_children(reaper);
      return;
    }
    if (!reap_pid(reaper, status.si_pid)) return;
  }
}

static void on_sigchld(uv_signal_t *handle, int signal_number) {
  (void)signal_number;
  reaper_t *reaper = handle->data;
  if (!reaper->closing) reap_orphans(reaper);
}

static void on_closed(uv_handle_t *handle) {
  reaper_t *reaper = handle->data;
  napi_delete_reference(reaper->env, reaper->callback);
  napi_async_destroy(reaper->env, reaper->context);
  free(reaper);
}

static napi_value close_method(napi_env env, napi_callback_info info) {
  void *data;
  napi_get_cb_info(env, info, NULL, NULL, NULL, &data);
  reaper_t *reaper = data;
  if (reaper && !reaper->closing) {
    reaper->closing = 1;
    uv_signal_stop(&reaper->signal);
    uv_close((uv_handle_t *)&reaper->signal, on_closed);
  }
  return NULL;
}

static napi_value reap_now_method(napi_env env, napi_callback_info info) {
  void *data;
  napi_get_cb_info(env, info, NULL, NULL, NULL, &data);
  reaper_t *reaper = data;
  if (reaper && !reaper->closing) reap_orphans(reaper);
  return NULL;
}

// becomeSubreaper(): PR_SET_CHILD_SUBREAPER, so orphaned descendants are re-parented to this process
// instead of init. Throws on failure (EINVAL before Linux 3.4).
napi_value become_subreaper(napi_env env, napi_callback_info info) {
  (void)info;
  if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) return throw_errno(env, "prctl(PR_SET_CHILD_SUBREAPER)", errno);
  return NULL;
}

// startOrphanReaper(onReaped): collects every ended child that is not protected (see above) on each
// SIGCHLD and once at once; onReaped(pid, code, signal) for each. Returns { reapNow(), close() }.
// The signal handle does not keep the event loop alive.
napi_value start_orphan_reaper(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], self, function, name;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_valuetype type;
  if (argc < 1 || napi_typeof(env, argv[0], &type) != napi_ok || type != napi_function) {
    napi_throw_type_error(env, NULL, "startOrphanReaper(onReaped): onReaped must be a function");
    return NULL;
  }
  reaper_t *reaper = calloc(1, sizeof *reaper);
  if (!reaper) return throw_errno(env, "calloc", ENOMEM);
  uv_loop_t *loop;
  napi_get_uv_event_loop(env, &loop);
  uv_signal_init(loop, &reaper->signal);
  reaper->signal.data = reaper;
  reaper->env = env;
  napi_create_reference(env, argv[0], 1, &reaper->callback);
  napi_create_object(env, &self);
  napi_create_string_utf8(env, "tend:orphan-reaper", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, self, name, &reaper->context);
  int error = uv_signal_start(&reaper->signal, on_sigchld, SIGCHLD);
  if (error != 0) {
    reaper->closing = 1;
    uv_close((uv_handle_t *)&reaper->signal, on_closed);
    return throw_errno(env, "uv_signal_start", -error);
  }
  uv_unref((uv_handle_t *)&reaper->signal);
  napi_create_function(env, "close", NAPI_AUTO_LENGTH, close_method, reaper, &function);
  napi_set_named_property(env, self, "close", function);
  napi_create_function(env, "reapNow", NAPI_AUTO_LENGTH, reap_now_method, reaper, &function);
  napi_set_named_property(env, self, "reapNow", function);
  return self;
}
