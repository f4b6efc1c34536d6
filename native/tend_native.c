// The few system calls Node does not expose and the supervisor needs on its hot paths:
// mkfifo(3) (so creating a program does not cost a fork+exec of `mkfifo`) and, on Linux,
// F_SETPIPE_SZ (a larger FIFO buffer means fewer wake-ups per megabyte of logs and more room
// for output written while no daemon is reading). tend falls back to plain Node when this addon
// is missing.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <node_api.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#ifdef __linux__
#include "notify_socket.h"
#endif

static const char *errno_code(int err) {
  switch (err) {
    case EEXIST: return "EEXIST";
    case ENOENT: return "ENOENT";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case ENOTDIR: return "ENOTDIR";
    case ENOSPC: return "ENOSPC";
    case EINVAL: return "EINVAL";
    case EBADF: return "EBADF";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case EROFS: return "EROFS";
    default: return "EUNKNOWN";
  }
}

napi_value throw_errno(napi_env env, const char *syscall, int err) {
  char message[512];
  snprintf(message, sizeof message, "%s: %s", syscall, strerror(err));
  napi_throw_error(env, errno_code(err), message);
  return NULL;
}

static napi_value make_fifo(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  char path[4096];
  size_t length = 0;
  uint32_t mode = 0600;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) {
    napi_throw_type_error(env, NULL, "mkfifo(path, mode) needs a path");
    return NULL;
  }
  if (napi_get_value_string_utf8(env, argv[0], path, sizeof path, &length) != napi_ok || length >= sizeof path - 1) {
    napi_throw_type_error(env, NULL, "mkfifo: path must be a string shorter than 4096 bytes");
    return NULL;
  }
  if (argc > 1) napi_get_value_uint32(env, argv[1], &mode);
  if (mkfifo(path, (mode_t)mode) != 0) return throw_errno(env, "mkfifo", errno);
  return NULL;
}

static napi_value set_pipe_size(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int32_t fd = -1;
  int32_t size = 0;
  napi_value result;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2) {
    napi_throw_type_error(env, NULL, "setPipeSize(fd, bytes) needs two numbers");
    return NULL;
  }
  napi_get_value_int32(env, argv[0], &fd);
  napi_get_value_int32(env, argv[1], &size);
#ifdef F_SETPIPE_SZ
  int actual = fcntl(fd, F_SETPIPE_SZ, size);
  if (actual < 0) return throw_errno(env, "fcntl(F_SETPIPE_SZ)", errno);
  napi_create_int32(env, actual, &result);
#else
  (void)fd;
  (void)size;
  napi_create_int32(env, -1, &result);
#endif
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
    {"mkfifo", NULL, make_fifo, NULL, NULL, NULL, napi_default, NULL},
    {"setPipeSize", NULL, set_pipe_size, NULL, NULL, NULL, napi_default, NULL},
#ifdef __linux__
    {"bindNotifySocket", NULL, bind_notify_socket, NULL, NULL, NULL, napi_default, NULL},
#endif
  };
  napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
