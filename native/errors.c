// Errors from system calls as JavaScript sees them: an Error whose `code` is the errno name, the way
// Node's own fs and net errors read, so callers match on `code` and `show` never prints EUNKNOWN for
// an errno the helper can meet.
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common.h"

#define ERRNO_NAME(name) \
  case name:             \
    return #name;

const char *errno_code(int err) {
  switch (err) {
    ERRNO_NAME(EPERM) ERRNO_NAME(ENOENT) ERRNO_NAME(ESRCH) ERRNO_NAME(EINTR) ERRNO_NAME(EIO)
    ERRNO_NAME(ENXIO) ERRNO_NAME(E2BIG) ERRNO_NAME(ENOEXEC) ERRNO_NAME(EBADF) ERRNO_NAME(ECHILD)
    ERRNO_NAME(EAGAIN) ERRNO_NAME(ENOMEM) ERRNO_NAME(EACCES) ERRNO_NAME(EFAULT) ERRNO_NAME(EBUSY)
    ERRNO_NAME(EEXIST) ERRNO_NAME(EXDEV) ERRNO_NAME(ENODEV) ERRNO_NAME(ENOTDIR) ERRNO_NAME(EISDIR)
    ERRNO_NAME(EINVAL) ERRNO_NAME(ENFILE) ERRNO_NAME(EMFILE) ERRNO_NAME(ENOTTY) ERRNO_NAME(ETXTBSY)
    ERRNO_NAME(EFBIG) ERRNO_NAME(ENOSPC) ERRNO_NAME(ESPIPE) ERRNO_NAME(EROFS) ERRNO_NAME(EMLINK)
    ERRNO_NAME(EPIPE) ERRNO_NAME(ERANGE) ERRNO_NAME(EDEADLK) ERRNO_NAME(ENAMETOOLONG)
    ERRNO_NAME(ENOSYS) ERRNO_NAME(ENOTEMPTY) ERRNO_NAME(ELOOP) ERRNO_NAME(ENOTSOCK)
    ERRNO_NAME(EDESTADDRREQ) ERRNO_NAME(EMSGSIZE) ERRNO_NAME(EPROTOTYPE) ERRNO_NAME(ENOPROTOOPT)
    ERRNO_NAME(EPROTONOSUPPORT) ERRNO_NAME(EOPNOTSUPP) ERRNO_NAME(EAFNOSUPPORT)
    ERRNO_NAME(EADDRINUSE) ERRNO_NAME(EADDRNOTAVAIL) ERRNO_NAME(ENETDOWN) ERRNO_NAME(ENETUNREACH)
    ERRNO_NAME(ECONNABORTED) ERRNO_NAME(ECONNRESET) ERRNO_NAME(ENOBUFS) ERRNO_NAME(EISCONN)
    ERRNO_NAME(ENOTCONN) ERRNO_NAME(ETIMEDOUT) ERRNO_NAME(ECONNREFUSED) ERRNO_NAME(EHOSTUNREACH)
    ERRNO_NAME(EALREADY) ERRNO_NAME(EINPROGRESS) ERRNO_NAME(EDQUOT) ERRNO_NAME(EOVERFLOW)
    ERRNO_NAME(ECANCELED)
#if defined(ENOTSUP) && ENOTSUP != EOPNOTSUPP
    ERRNO_NAME(ENOTSUP)
#endif
#if defined(EWOULDBLOCK) && EWOULDBLOCK != EAGAIN
    ERRNO_NAME(EWOULDBLOCK)
#endif
    default:
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
    {
      const char *name = strerrorname_np(err);
      if (name) return name;
    }
#endif
      return "EUNKNOWN";
  }
}

napi_value make_errno_error(napi_env env, const char *syscall, int err) {
  char message[512];
  snprintf(message, sizeof message, "%s: %s", syscall, strerror(err));
  napi_value code, text, error, number, call;
  napi_create_string_utf8(env, errno_code(err), NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &text);
  napi_create_error(env, code, text, &error);
  napi_create_int32(env, -err, &number);
  napi_set_named_property(env, error, "errno", number);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &call);
  napi_set_named_property(env, error, "syscall", call);
  return error;
}

napi_value throw_errno(napi_env env, const char *syscall, int err) {
  napi_throw(env, make_errno_error(env, syscall, err));
  return NULL;
}
