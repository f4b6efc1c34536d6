#ifndef TEND_PID_WATCH_H
#define TEND_PID_WATCH_H
#include <node_api.h>

napi_value watch_exit(napi_env env, napi_callback_info info);

#endif
