#ifndef TEND_COMMON_H
#define TEND_COMMON_H
#include <node_api.h>
#include <stddef.h>

// The errno name (ENOENT, EPIPE, …) that Node itself would give, or "EUNKNOWN".
const char *errno_code(int err);

// A JavaScript Error whose code is the errno name and whose message is "syscall: strerror".
napi_value make_errno_error(napi_env env, const char *syscall, int err);

// Throws make_errno_error(...) and returns NULL.
napi_value throw_errno(napi_env env, const char *syscall, int err);

#endif
