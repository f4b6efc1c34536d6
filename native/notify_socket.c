// The supervisor's end of sd_notify: a bound AF_UNIX datagram socket (Node's dgram module speaks
// only UDP), watched by libuv's poll so datagrams arrive as events, with no polling loop. Each
// message is delivered to JavaScript with the sender's pid (SO_PASSCRED), so the supervisor can
// tell which program sent it.
#define _GNU_SOURCE
#include "notify_socket.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <uv.h>

#include "common.h"

#define MAX_DATAGRAM 4096

typedef struct {
  uv_poll_t poll;
  int fd;
  int closed;
  napi_env env;
  napi_ref callback;
  napi_async_context context;
} notify_socket_t;

static void on_closed(uv_handle_t *handle) {
  notify_socket_t *socket_state = handle->data;
  napi_delete_reference(socket_state->env, socket_state->callback);
  napi_async_destroy(socket_state->env, socket_state->context);
  free(socket_state);
}

static void close_socket(notify_socket_t *socket_state) {
  if (socket_state->closed) return;
  socket_state->closed = 1;
  uv_poll_stop(&socket_state->poll);
  close(socket_state->fd);
  uv_close((uv_handle_t *)&socket_state->poll, on_closed);
}

static void deliver(notify_socket_t *socket_state, const char *text, size_t length, int pid) {
  napi_env env = socket_state->env;
  napi_handle_scope scope;
  napi_value argv[2];
  napi_open_handle_scope(env, &scope);
  napi_create_string_utf8(env, text, length, &argv[0]);
  napi_create_int32(env, pid, &argv[1]);
  call_js(env, socket_state->callback, socket_state->context, 2, argv);
  napi_close_handle_scope(env, scope);
}

static void on_readable(uv_poll_t *handle, int status, int events) {
  notify_socket_t *socket_state = handle->data;
  (void)events;
  if (status < 0) return;
  for (int received = 0; received < 64 && !socket_state->closed; received++) {
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
    ssize_t length = recvmsg(socket_state->fd, &message, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
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
    deliver(socket_state, buffer, (size_t)length, pid);
  }
}

static napi_value close_method(napi_env env, napi_callback_info info) {
  napi_value self;
  notify_socket_t *socket_state = NULL;
  napi_get_cb_info(env, info, NULL, NULL, &self, NULL);
  if (napi_unwrap(env, self, (void **)&socket_state) == napi_ok && socket_state) close_socket(socket_state);
  return NULL;
}

napi_value bind_notify_socket(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], self, close_function, resource_name;
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
  notify_socket_t *socket_state = calloc(1, sizeof *socket_state);
  socket_state->fd = fd;
  socket_state->env = env;
  socket_state->poll.data = socket_state;
  uv_loop_t *loop;
  napi_get_uv_event_loop(env, &loop);
  uv_poll_init(loop, &socket_state->poll, fd);
  uv_poll_start(&socket_state->poll, UV_READABLE, on_readable);
  napi_create_reference(env, argv[1], 1, &socket_state->callback);
  napi_create_string_utf8(env, "tend:notify-socket", NAPI_AUTO_LENGTH, &resource_name);
  napi_create_object(env, &self);
  napi_async_init(env, self, resource_name, &socket_state->context);
  napi_wrap(env, self, socket_state, NULL, NULL, NULL);
  napi_create_function(env, "close", NAPI_AUTO_LENGTH, close_method, NULL, &close_function);
  napi_set_named_property(env, self, "close", close_function);
  return self;
}
