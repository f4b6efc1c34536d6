// The native helper's entry point: the table of what JavaScript sees (src/native.ts declares the same
// functions), and the few small calls that need no file of their own: mkfifo(3) (creating a program
// costs no fork+exec of `mkfifo`), F_SETPIPE_SZ (a larger FIFO buffer: fewer wake-ups per megabyte of
// logs, more room while no daemon reads) and one AF_UNIX datagram (sd_notify's client side, for
// tend/daemon). The rest lives in one file per job, Linux only:
//   spawn.c         process creation (clone CLONE_VM|CLONE_VFORK|CLONE_PIDFD) and supplementary groups
//   child_exit.c    a child's exit on its pidfd, reaped with waitid(P_PIDFD)
//   reaper.c        the subreaper and the orphan reaper
//   pid_watch.c     the exit of a process that is not our child (pidfd_open)
//   notify_socket.c the supervisor's sd_notify socket
//   listen_socket.c held listening sockets (bind + listen, never accept), pidfd_getfd
//   pipe_drain.c    FIFO to log file without loss (tee + splice)
//   fd_watch.c      the one libuv poll wrapper they share;  errors.c  errno → Error with a code
// Everything here has a portable fallback in JavaScript, so a machine without a compiler runs tend.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <node_api.h>

#include "common.h"
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

#ifdef __linux__
#include "listen_socket.h"
#include "notify_socket.h"
#include "reaper.h"
#include "spawn.h"
#include "pid_watch.h"
#include "pipe_drain.h"
#endif

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

// The client side of sd_notify for tend/daemon: one datagram to an AF_UNIX socket, because Node's
// dgram module speaks only UDP. A name starting with '@' is an abstract socket (Linux): the '@'
// becomes a leading NUL. MSG_DONTWAIT: a supervisor that is not reading must never block the daemon.
static napi_value send_datagram(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 2];
  size_t path_length = 0;
  size_t message_length = 0;
  struct sockaddr_un address = {0};
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2 ||
      napi_get_value_string_utf8(env, argv[0], path, sizeof path, &path_length) != napi_ok ||
      napi_get_value_string_utf8(env, argv[1], NULL, 0, &message_length) != napi_ok) {
    napi_throw_type_error(env, NULL, "sendDatagram(path, message) needs two strings");
    return NULL;
  }
  int abstract = path[0] == '@';
  // A path needs room for its NUL; an abstract name may fill sun_path exactly.
  if (path_length == 0 || path_length > sizeof address.sun_path - (abstract ? 0 : 1)) {
    napi_throw_type_error(env, NULL, "sendDatagram: the socket path must be 1 to 107 bytes");
    return NULL;
  }
  char *message = malloc(message_length + 1);
  if (message == NULL) return throw_errno(env, "malloc", ENOMEM);
  napi_get_value_string_utf8(env, argv[1], message, message_length + 1, &message_length);
  address.sun_family = AF_UNIX;
  memcpy(address.sun_path, path, path_length);
  if (abstract) address.sun_path[0] = '\0';
  socklen_t address_length = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + path_length + (abstract ? 0 : 1));
  int type = SOCK_DGRAM;
  int flags = MSG_DONTWAIT;
#ifdef SOCK_CLOEXEC
  type |= SOCK_CLOEXEC;
#endif
#ifdef MSG_NOSIGNAL
  flags |= MSG_NOSIGNAL;
#endif
  int fd = socket(AF_UNIX, type, 0);
  if (fd < 0) {
    int error = errno;
    free(message);
    return throw_errno(env, "socket", error);
  }
  ssize_t sent;
  do {
    sent = sendto(fd, message, message_length, flags, (struct sockaddr *)&address, address_length);
  } while (sent < 0 && errno == EINTR);
  int error = errno;
  close(fd);
  free(message);
  if (sent < 0) return throw_errno(env, "sendto", error);
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
    {"mkfifo", NULL, make_fifo, NULL, NULL, NULL, napi_default, NULL},
    {"setPipeSize", NULL, set_pipe_size, NULL, NULL, NULL, napi_default, NULL},
    {"sendDatagram", NULL, send_datagram, NULL, NULL, NULL, napi_default, NULL},
#ifdef __linux__
    {"bindNotifySocket", NULL, bind_notify_socket, NULL, NULL, NULL, napi_default, NULL},
    {"watchReadable", NULL, watch_readable, NULL, NULL, NULL, napi_default, NULL},
    {"watchExit", NULL, watch_exit, NULL, NULL, NULL, napi_default, NULL},
    {"peekPipe", NULL, peek_pipe, NULL, NULL, NULL, napi_default, NULL},
    {"pipeBytes", NULL, pipe_bytes, NULL, NULL, NULL, napi_default, NULL},
    {"spliceToFile", NULL, splice_to_file, NULL, NULL, NULL, napi_default, NULL},
    {"spawnProcess", NULL, spawn_process, NULL, NULL, NULL, napi_default, NULL},
    {"getGroupList", NULL, get_group_list, NULL, NULL, NULL, napi_default, NULL},
    {"becomeSubreaper", NULL, become_subreaper, NULL, NULL, NULL, napi_default, NULL},
    {"startOrphanReaper", NULL, start_orphan_reaper, NULL, NULL, NULL, napi_default, NULL},
    {"listenTcp", NULL, listen_tcp, NULL, NULL, NULL, napi_default, NULL},
    {"listenUnix", NULL, listen_unix, NULL, NULL, NULL, napi_default, NULL},
    {"takeFd", NULL, take_fd, NULL, NULL, NULL, napi_default, NULL},
    {"describeSocket", NULL, describe_socket, NULL, NULL, NULL, napi_default, NULL},
    {"dupFd", NULL, dup_fd, NULL, NULL, NULL, napi_default, NULL},
#endif
  };
  napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
