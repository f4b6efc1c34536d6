// Held sockets (docs/reload.md): the daemon binds and listens, and never accepts; programs receive
// the fd (LISTEN_FDS). Node cannot do this itself: a net.Server accepts as soon as it listens. Also
// pidfd_getfd(2), which takes such a socket back from a program after the daemon was SIGKILLed, and
// a description of a socket fd so a socket taken back is checked to be the one configured.
#define _GNU_SOURCE
#include "listen_socket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "common.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

static int get_int(napi_env env, napi_value value, int32_t *out) {
  return napi_get_value_int32(env, value, out) == napi_ok;
}

static napi_value fail_closing(napi_env env, int fd, const char *syscall) {
  int error = errno;
  if (fd >= 0) close(fd);
  return throw_errno(env, syscall, error);
}

static napi_value make_fd(napi_env env, int fd) {
  napi_value result;
  napi_create_int32(env, fd, &result);
  return result;
}

// listenTcp(host, port, backlog) → fd. host is a numeric IPv4 or IPv6 address ("::" listens on both).
napi_value listen_tcp(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  char host[INET6_ADDRSTRLEN + 1];
  int32_t port, backlog;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 3 || napi_get_value_string_utf8(env, argv[0], host, sizeof host, NULL) != napi_ok ||
      !get_int(env, argv[1], &port) || !get_int(env, argv[2], &backlog) || port < 0 || port > 65535) {
    napi_throw_type_error(env, NULL, "listenTcp(host, port, backlog)");
    return NULL;
  }
  struct sockaddr_storage address = {0};
  socklen_t length;
  struct sockaddr_in *v4 = (struct sockaddr_in *)&address;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&address;
  if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons((uint16_t)port);
    length = sizeof *v4;
  } else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons((uint16_t)port);
    length = sizeof *v6;
  } else {
    errno = EINVAL;
    return throw_errno(env, "inet_pton", EINVAL);
  }
  int fd = socket(address.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail_closing(env, -1, "socket");
  int on = 1;
  // A restarted daemon rebinds at once although connections of the old socket linger in TIME_WAIT.
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0) return fail_closing(env, fd, "setsockopt");
  if (bind(fd, (struct sockaddr *)&address, length) < 0) return fail_closing(env, fd, "bind");
  if (listen(fd, backlog) < 0) return fail_closing(env, fd, "listen");
  return make_fd(env, fd);
}

// listenUnix(path, backlog, mode) → fd. A socket left at path is replaced; any other file is an error.
napi_value listen_unix(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  struct sockaddr_un address = {0};
  size_t path_length = 0;
  int32_t backlog, mode;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 3 ||
      napi_get_value_string_utf8(env, argv[0], address.sun_path, sizeof address.sun_path, &path_length) !=
          napi_ok ||
      !get_int(env, argv[1], &backlog) || !get_int(env, argv[2], &mode)) {
    napi_throw_type_error(env, NULL, "listenUnix(path, backlog, mode)");
    return NULL;
  }
  if (path_length == 0 || path_length >= sizeof address.sun_path - 1) {
    napi_throw_type_error(env, NULL, "listenUnix: the path must be 1 to 107 bytes");
    return NULL;
  }
  struct stat existing;
  if (lstat(address.sun_path, &existing) == 0) {
    if (!S_ISSOCK(existing.st_mode)) return throw_errno(env, "bind", EEXIST);
    if (unlink(address.sun_path) < 0) return fail_closing(env, -1, "unlink");
  }
  address.sun_family = AF_UNIX;
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail_closing(env, -1, "socket");
  // The mode is set on the file before anyone can connect: bind under a umask that allows nothing more.
  mode_t previous = umask((mode_t)(~mode & 0777));
  int bound = bind(fd, (struct sockaddr *)&address, sizeof address);
  umask(previous);
  if (bound < 0) return fail_closing(env, fd, "bind");
  if (chmod(address.sun_path, (mode_t)mode) < 0) return fail_closing(env, fd, "chmod");
  if (listen(fd, backlog) < 0) return fail_closing(env, fd, "listen");
  return make_fd(env, fd);
}

// takeFd(pid, fd) → a copy, in this process, of fd number `fd` of process `pid` (pidfd_getfd, Linux
// 5.6). Needs ptrace rights over pid: the same user (and Yama allowing it) or CAP_SYS_PTRACE.
napi_value take_fd(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int32_t pid, target;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2 || !get_int(env, argv[0], &pid) || !get_int(env, argv[1], &target) || pid <= 0 || target < 0) {
    napi_throw_type_error(env, NULL, "takeFd(pid, fd)");
    return NULL;
  }
  int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (pidfd < 0) return fail_closing(env, -1, "pidfd_open");
  int fd = (int)syscall(SYS_pidfd_getfd, pidfd, target, 0);
  int error = errno;
  close(pidfd);
  if (fd < 0) return throw_errno(env, "pidfd_getfd", error);
  return make_fd(env, fd);
}

// describeSocket(fd) → "tcp://127.0.0.1:3000", "tcp://[::]:8080" or "unix:/path" for a listening
// stream socket; null for anything else (not a socket, not listening, another kind).
napi_value describe_socket(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd;
  napi_value null_value;
  napi_get_null(env, &null_value);
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || !get_int(env, argv[0], &fd)) {
    napi_throw_type_error(env, NULL, "describeSocket(fd)");
    return NULL;
  }
  int listening = 0, type = 0;
  socklen_t option_length = sizeof listening;
  if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &option_length) < 0 || !listening) return null_value;
  option_length = sizeof type;
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &option_length) < 0 || type != SOCK_STREAM) return null_value;
  struct sockaddr_storage address;
  socklen_t length = sizeof address;
  if (getsockname(fd, (struct sockaddr *)&address, &length) < 0) return null_value;
  char text[sizeof(struct sockaddr_un) + 16];
  char host[INET6_ADDRSTRLEN];
  if (address.ss_family == AF_INET) {
    struct sockaddr_in *v4 = (struct sockaddr_in *)&address;
    inet_ntop(AF_INET, &v4->sin_addr, host, sizeof host);
    snprintf(text, sizeof text, "tcp://%s:%u", host, ntohs(v4->sin_port));
  } else if (address.ss_family == AF_INET6) {
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&address;
    inet_ntop(AF_INET6, &v6->sin6_addr, host, sizeof host);
    snprintf(text, sizeof text, "tcp://[%s]:%u", host, ntohs(v6->sin6_port));
  } else if (address.ss_family == AF_UNIX) {
    struct sockaddr_un *un = (struct sockaddr_un *)&address;
    size_t path_length = length > offsetof(struct sockaddr_un, sun_path) ? length - offsetof(struct sockaddr_un, sun_path) : 0;
    snprintf(text, sizeof text, "unix:%.*s", (int)strnlen(un->sun_path, path_length), un->sun_path);
  } else {
    return null_value;
  }
  napi_value result;
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &result);
  return result;
}

// dupFd(fd) → a new fd for the same file (close-on-exec), so a watcher can own and close its own copy.
napi_value dup_fd(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || !get_int(env, argv[0], &fd)) {
    napi_throw_type_error(env, NULL, "dupFd(fd)");
    return NULL;
  }
  int copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);
  if (copy < 0) return fail_closing(env, -1, "fcntl");
  return make_fd(env, copy);
}
