#ifndef TEND_COMMON_H
#define TEND_COMMON_H
#include <node_api.h>
#include <stddef.h>

// Throws a JavaScript Error whose code is the errno name (ENOENT, …) and returns NULL.
napi_value throw_errno(napi_env env, const char *syscall, int err);

#endif
