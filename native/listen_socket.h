#ifndef TEND_LISTEN_SOCKET_H
#define TEND_LISTEN_SOCKET_H
#include <node_api.h>

napi_value listen_tcp(napi_env env, napi_callback_info info);
napi_value listen_unix(napi_env env, napi_callback_info info);
napi_value take_fd(napi_env env, napi_callback_info info);
napi_value describe_socket(napi_env env, napi_callback_info info);
napi_value dup_fd(napi_env env, napi_callback_info info);

#endif
