#ifndef TEND_REAPER_H
#define TEND_REAPER_H
#include <node_api.h>

napi_value become_subreaper(napi_env env, napi_callback_info info);
napi_value start_orphan_reaper(napi_env env, napi_callback_info info);

#endif
