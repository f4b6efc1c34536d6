// Draining a program's FIFO into its log file so that no byte is lost when the daemon is SIGKILLed.
// A read(2) takes bytes out of the pipe into the daemon's memory; killed before the write(2) that
// follows, the daemon takes them along. Here the bytes are first copied without consuming them
// (tee(2) into a scratch pipe, then read from there), so the daemon can see where lines end, and
// then moved from the FIFO straight into the file by splice(2): a single system call, which a
// signal cannot cut in two. Whatever has not been moved is still in the FIFO for the next daemon.
// Readiness comes from libuv's poll, so an idle FIFO costs nothing.
#define _GNU_SOURCE
#include "pipe_drain.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "fd_watch.h"

#define SCRATCH_PIPE_BYTES (1024 * 1024)

// Readable, hung up or failed: in every case the callback's next peek tells which.
static void on_pipe_ready(fd_watch_t *watch) { fd_watch_call(watch, 0, NULL); }

// watchReadable(fd, onReadable): calls onReadable() while fd is readable or hung up (level-triggered).
// The watcher owns fd from then on: close() stops watching and closes it.
napi_value watch_readable(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int32_t fd;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2 || napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0) {
    napi_throw_type_error(env, NULL, "watchReadable(fd, onReadable): fd must be a file descriptor");
    return NULL;
  }
  return fd_watch_start(env, fd, UV_READABLE | UV_DISCONNECT, argv[1], "tend:pipe-watcher", on_pipe_ready, NULL);
}

// One scratch pipe for the whole daemon: it is emptied within the call that fills it.
static int scratch[2] = {-1, -1};

static int open_scratch(void) {
  if (scratch[0] >= 0) return 0;
  if (pipe2(scratch, O_CLOEXEC | O_NONBLOCK) != 0) return errno;
  fcntl(scratch[1], F_SETPIPE_SZ, SCRATCH_PIPE_BYTES);  // smaller if refused: tee then copies less
  return 0;
}

// peekPipe(fd, buffer): copies the bytes at the head of pipe fd into buffer without consuming them.
// Returns how many (> 0), 0 at end of file (empty, no writer left), -1 when empty for now.
napi_value peek_pipe(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], result;
  int32_t fd;
  void *data;
  size_t capacity;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2 || napi_get_value_int32(env, argv[0], &fd) != napi_ok ||
      napi_get_buffer_info(env, argv[1], &data, &capacity) != napi_ok) {
    napi_throw_type_error(env, NULL, "peekPipe(fd, buffer): expected a file descriptor and a Buffer");
    return NULL;
  }
  int error = open_scratch();
  if (error != 0) return throw_errno(env, "pipe2", error);
  ssize_t copied;
  do copied = tee(fd, scratch[1], capacity, SPLICE_F_NONBLOCK);
  while (copied < 0 && errno == EINTR);
  if (copied < 0) {
    if (errno == EAGAIN) {
      napi_create_int32(env, -1, &result);
      return result;
    }
    return throw_errno(env, "tee", errno);
  }
  size_t done = 0;
  while (done < (size_t)copied) {
    ssize_t got = read(scratch[0], (char *)data + done, (size_t)copied - done);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      int read_error = got < 0 ? errno : EIO;
      close(scratch[0]);
      close(scratch[1]);
      scratch[0] = scratch[1] = -1;
      return throw_errno(env, "read", read_error);
    }
    done += (size_t)got;
  }
  napi_create_int64(env, copied, &result);
  return result;
}

// pipeBytes(fd): how many bytes wait in a pipe (FIONREAD), without touching them.
napi_value pipe_bytes(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  int32_t fd;
  int bytes = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_get_value_int32(env, argv[0], &fd) != napi_ok) {
    napi_throw_type_error(env, NULL, "pipeBytes(fd): expected a file descriptor");
    return NULL;
  }
  if (ioctl(fd, FIONREAD, &bytes) != 0) return throw_errno(env, "ioctl", errno);
  napi_create_int32(env, bytes, &result);
  return result;
}

// spliceToFile(pipeFd, fileFd, length): one splice(2) that moves up to length bytes from the pipe to
// the end of the file (at the file's size for a regular file, so the fd needs no O_APPEND, which
// splice refuses). One call moves everything waiting, up to length, so a caller need not ask first
// how much waits (FIONREAD): each question takes the pipe's lock, which the program's writes contend
// for. Returns how many moved (> 0), 0 at end of file (empty, no writer left), -1 when empty for now.
napi_value splice_to_file(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], result;
  int32_t in_fd, out_fd;
  int64_t length;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 3 || napi_get_value_int32(env, argv[0], &in_fd) != napi_ok ||
      napi_get_value_int32(env, argv[1], &out_fd) != napi_ok ||
      napi_get_value_int64(env, argv[2], &length) != napi_ok || length < 0) {
    napi_throw_type_error(env, NULL, "spliceToFile(pipeFd, fileFd, length): expected two fds and a length");
    return NULL;
  }
  struct stat info_out;
  if (fstat(out_fd, &info_out) != 0) return throw_errno(env, "fstat", errno);
  loff_t offset = info_out.st_size;
  loff_t *offset_pointer = S_ISREG(info_out.st_mode) ? &offset : NULL;
  ssize_t moved;
  do moved = splice(in_fd, NULL, out_fd, offset_pointer, (size_t)length, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
  while (moved < 0 && errno == EINTR);
  if (moved < 0) {
    if (errno != EAGAIN) return throw_errno(env, "splice", errno);
    moved = -1;
  }
  napi_create_int64(env, moved, &result);
  return result;
}
