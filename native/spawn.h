#ifndef TEND_SPAWN_H
#define TEND_SPAWN_H
#include <node_api.h>
#include <sys/types.h>

napi_value spawn_process(napi_env env, napi_callback_info info);
napi_value get_group_list(napi_env env, napi_callback_info info);

// The daemon's own children, started by spawn_process and reaped only through their pidfd: the orphan
// reaper (reaper.c) leaves these alone.
int owned_children_has(pid_t pid);

#endif
