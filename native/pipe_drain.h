#ifndef TEND_PIPE_DRAIN_H
#define TEND_PIPE_DRAIN_H
#include <node_api.h>

napi_value watch_readable(napi_env env, napi_callback_info info);
napi_value peek_pipe(napi_env env, napi_callback_info info);
napi_value pipe_bytes(napi_env env, napi_callback_info info);
napi_value splice_to_file(napi_env env, napi_callback_info info);

#endif
