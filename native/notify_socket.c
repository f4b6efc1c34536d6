// The supervisor's end of sd_notify: a bound AF_UNIX datagram socket (Node's dgram module speaks
// only UDP), watched by libuv's poll so datagrams arrive as events, with no polling loop. Each
// message is delivered to JavaScript with the sender's pid (SO_PASSCRED), so the supervisor can
// tell which program sent it.
#define _GNU_SOURCE
#include "notify_socket.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common.h"
#include "fd_watch.h"

#define MAX_DATAGRAM 4096

// One datagram to JavaScript as (text, senderPid), in a scope of its own: a burst makes no pile of values.
static void deliver(fd_watch_t *watch, const char *text, size_t length, int pid) {
  napi_handle_scope scope;
  napi_value argv[2];
  napi_open_handle_scope(watch->env, &scope);
  napi_create_string_utf8(watch->env, text, length, &argv[0]);
  napi_create_int32(watch->env, pid, &argv[1]);
  fd_watch_call(watch, 2, argv);
  napi_close_handle_scope(watch->env, scope);
}

static void on_readable(fd_watch_t *watch) {
  for (int received = 0; received < 64 && !watch->closing; received++) {
    char buffer[MAX_DATAGRAM];
    union {
      struct cmsghdr align;
      char space[CMSG_SPACE(sizeof(struct ucred))];
    } control;
    struct iovec iov = {buffer, sizeof buffer};
    struct msghdr message = {0};
    message.msg_iov = &iov;
    message.msg_iovlen = 1;
    message.msg_control = control.space;
    message.msg_controllen = sizeof control.space;
    ssize_t length = recvmsg(watch->fd, &message, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    if (length < 0) {
      if (errno == EINTR) continue;
      return;
    }
    int pid = 0;
    for (struct cmsghdr *header = CMSG_FIRSTHDR(&message); header; header = CMSG_NXTHDR(&message, header)) {
      if (header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_CREDENTIALS) {
        struct ucred credentials;
        memcpy(&credentials, CMSG_DATA(header), sizeof credentials);
        pid = credentials.pid;
      }
    }
    deliver(watch, buffer, (size_t)length, pid);
  }
}

napi_value bind_notify_socket(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
  size_t length = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2 || napi_get_value_string_utf8(env, argv[0], path, sizeof path, &length) != napi_ok ||
      length >= sizeof path - 1) {
    napi_throw_type_error(env, NULL, "bindNotifySocket(path, onMessage): path must be a string under 108 bytes");
    return NULL;
  }
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return throw_errno(env, "socket", errno);
  struct sockaddr_un address = {0};
  address.sun_family = AF_UNIX;
  memcpy(address.sun_path, path, length);
  // An abstract name (leading NUL) is exactly as long as given; a path may be padded.
  socklen_t address_length = path[0] == '\0' ? (socklen_t)(offsetof(struct sockaddr_un, sun_path) + length)
                                              : (socklen_t)sizeof address;
  int on = 1;
  if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof on) != 0 ||
      bind(fd, (struct sockaddr *)&address, address_length) != 0) {
    int error = errno;
    close(fd);
    return throw_errno(env, "bind", error);
  }
  napi_value watch = fd_watch_start(env, fd, UV_READABLE, argv[1], "tend:notify-socket", on_readable, NULL);
  if (!watch) close(fd);
  return watch;
}
