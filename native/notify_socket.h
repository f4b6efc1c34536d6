#ifndef TEND_NOTIFY_SOCKET_H
#define TEND_NOTIFY_SOCKET_H
#include <node_api.h>

napi_value bind_notify_socket(napi_env env, napi_callback_info info);

#endif
