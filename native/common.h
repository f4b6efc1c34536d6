#ifndef TEND_COMMON_H
#define TEND_COMMON_H
#include <node_api.h>
#include <stddef.h>

// Throws a JavaScript Error whose code is the errno name (ENOENT, …) and returns NULL.
napi_value throw_errno(napi_env env, const char *syscall, int err);

// Calls a JavaScript callback from a libuv callback, inside the caller's open handle scope and with
// its async context (so microtasks and async hooks behave); what it throws becomes uncaught.
void call_js(napi_env env, napi_ref callback, napi_async_context context, size_t argc, const napi_value *argv);

#endif
