// Process creation for the daemon, without libuv's fork of the whole ~50 MB Node process.
//
// clone(CLONE_VM | CLONE_VFORK | CLONE_PIDFD), the way glibc's posix_spawn works: the child borrows
// the parent's memory on a stack of its own, so there are no page tables to copy, and the calling
// thread sleeps until the child has called execve or exited. Because the memory is shared, the child
// reports a failure (which step, which errno) by writing it into the plan before _exit(127); when the
// parent wakes the answer is there, synchronously. A failed child is reaped at once through its pidfd,
// so it leaves no zombie.
//
// A program with a cgroup is born in it: clone3(CLONE_INTO_CGROUP) with the cgroup's directory fd.
// Moving a process after the fact (writing its pid to cgroup.procs) takes the kernel's global
// cgroup_threadgroup_rwsem for writing, which waits for an RCU grace period: 10–25 ms per spawn,
// measured here, where the clone itself takes 0.1 ms. clone3 has no libc wrapper that switches stacks,
// so a few lines of assembly do (x86_64). Elsewhere, on a kernel without it (< 5.7), or when the
// caller says the cgroup may not take a cloned child (Linux 6.14+ kills every child cloned into a
// cgroup that ever had cgroup.kill written; src/process/cgroup-program.ts), the child writes "0" to
// cgroup.procs before anything else runs in it. clone3 reaches one hierarchy: on a hybrid host the
// cgroup v1 cgroups that carry a program's limits are joined the same way, through cgroup.procs fds
// the parent opened, and only programs with such limits pay for that move.
//
// The child side only makes async-signal-safe system calls (the parent's other threads keep running,
// and any lock they hold stays held in the child): no malloc, no stdio, no NSS. Credentials go through
// raw syscalls, because glibc's setuid() would try to change the credentials of the parent's threads
// too. Everything it needs, down to the buffer for the PATH search, is prepared by the parent.
#define _GNU_SOURCE
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/sched.h>

#include "child_exit.h"
#include "common.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

#define CHILD_STACK_BYTES (256 * 1024)
#define MAX_FD_PAIRS 64
#define MAX_CGROUP_PROCS_FDS 8
#define LISTEN_PID_DIGITS 12

struct spawn_plan {
  const char *file;
  char **argv;
  char **envp;
  const char *cwd;          // NULL: stay
  const char *search_path;  // PATH to search when file has no '/'
  int pairs;                // fd map: source[i] → target[i]
  int source[MAX_FD_PAIRS];
  int target[MAX_FD_PAIRS];
  int umask_value;  // -1: keep
  int uid, gid;     // -1: keep
  int group_count;  // -1: keep the supplementary groups
  gid_t *groups;
  int new_session;
  int cgroup_fd;             // the program cgroup's directory; -1: stay in the daemon's cgroup
  int clone_into_cgroup;     // the caller allows clone3(CLONE_INTO_CGROUP) into cgroup_fd
  int born_in_cgroup;        // clone3 put the child there; otherwise it moves itself
  int procs_count;           // cgroup v1 cgroup.procs fds the child writes "0" to (limits on hybrid hosts)
  int procs_fds[MAX_CGROUP_PROCS_FDS];
  char *listen_pid;          // the digits after "LISTEN_PID=" in envp, or NULL
  char path_buffer[PATH_MAX];
  // Written by the child when a step fails; read by the parent once the child is gone.
  const char *volatile failed_step;
  volatile int failed_errno;
};

static void child_fail(struct spawn_plan *plan, const char *step) {
  plan->failed_errno = errno;
  plan->failed_step = step;
  _exit(127);
}

static void format_pid(char *slot, long pid) {
  char digits[LISTEN_PID_DIGITS];
  int length = 0;
  do digits[length++] = (char)('0' + pid % 10);
  while ((pid /= 10) > 0 && length < LISTEN_PID_DIGITS - 1);
  for (int i = 0; i < length; i++) slot[i] = digits[length - 1 - i];
  slot[length] = '\0';
}

// execvpe without its malloc and its retry through /bin/sh: every PATH entry in turn; EACCES wins
// over ENOENT, as in execvp.
static void exec_searching(struct spawn_plan *plan) {
  if (strchr(plan->file, '/') || !plan->search_path) {
    execve(plan->file, plan->argv, plan->envp);
    return;
  }
  size_t file_length = strlen(plan->file);
  int denied = 0;
  for (const char *entry = plan->search_path;; entry++) {
    const char *end = strchrnul(entry, ':');
    size_t dir_length = (size_t)(end - entry);
    if (dir_length + 1 + file_length < sizeof plan->path_buffer) {
      char *out = plan->path_buffer;
      if (dir_length == 0) *out++ = '.';
      memcpy(out, entry, dir_length);
      out += dir_length;
      *out++ = '/';
      memcpy(out, plan->file, file_length + 1);
      execve(plan->path_buffer, plan->argv, plan->envp);
      if (errno == EACCES) denied = 1;
      else if (errno != ENOENT && errno != ENOTDIR && errno != ESTALE && errno != ENODEV) return;
    }
    if (*end == '\0') break;
    entry = end;
  }
  errno = denied ? EACCES : ENOENT;
}

static void map_fds(struct spawn_plan *plan) {
  int floor = 3;
  for (int i = 0; i < plan->pairs; i++)
    if (plan->target[i] >= floor) floor = plan->target[i] + 1;
  // First out of the way (a source may sit on another pair's target), then into place.
  int moved[MAX_FD_PAIRS];
  for (int i = 0; i < plan->pairs; i++) {
    moved[i] = fcntl(plan->source[i], F_DUPFD_CLOEXEC, floor);
    if (moved[i] < 0) child_fail(plan, "fcntl(F_DUPFD)");
  }
  for (int i = 0; i < plan->pairs; i++)
    if (dup2(moved[i], plan->target[i]) < 0) child_fail(plan, "dup2");
  // Nothing else crosses exec: not the daemon's sockets, not a FIFO another program writes to.
  if (syscall(SYS_close_range, (unsigned)floor, ~0U, 0) != 0) {
    long limit = sysconf(_SC_OPEN_MAX);
    for (long fd = floor; fd < (limit > 0 ? limit : 65536); fd++) close((int)fd);
  }
  for (int fd = 0; fd < floor; fd++) {
    int wanted = 0;
    for (int i = 0; i < plan->pairs; i++) wanted |= plan->target[i] == fd;
    if (!wanted) close(fd);
  }
  // stdin (and any standard stream not given) reads and writes /dev/null: open takes the lowest free fd.
  for (int fd = 0; fd < 3; fd++) {
    if (fcntl(fd, F_GETFD) >= 0) continue;
    int null_fd = open("/dev/null", O_RDWR);
    if (null_fd < 0) child_fail(plan, "open(/dev/null)");
    if (null_fd != fd) {
      if (dup2(null_fd, fd) < 0) child_fail(plan, "dup2");
      close(null_fd);
    }
  }
}

static void join_cgroup(struct spawn_plan *plan) {
  int procs = openat(plan->cgroup_fd, "cgroup.procs", O_WRONLY | O_CLOEXEC);
  if (procs < 0) child_fail(plan, "open(cgroup.procs)");
  if (write(procs, "0", 1) != 1) child_fail(plan, "write(cgroup.procs)");
  close(procs);
}

static int child_main(void *argument) {
  struct spawn_plan *plan = argument;
  // The parent blocked every signal before clone; the child puts each back to its default before
  // unblocking (a handler of the daemon's must never run here, and SIG_IGN would outlive exec).
  struct sigaction default_action;
  memset(&default_action, 0, sizeof default_action);
  default_action.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; sig++)
    if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &default_action, NULL);
  if (plan->cgroup_fd >= 0 && !plan->born_in_cgroup) join_cgroup(plan);
  for (int i = 0; i < plan->procs_count; i++)
    if (write(plan->procs_fds[i], "0", 1) != 1) child_fail(plan, "write(cgroup.procs)");
  if (plan->new_session && setsid() < 0) child_fail(plan, "setsid");
  map_fds(plan);
  if (plan->umask_value >= 0) umask((mode_t)plan->umask_value);
  if (plan->group_count >= 0 && syscall(SYS_setgroups, plan->group_count, plan->groups) != 0)
    child_fail(plan, "setgroups");
  if (plan->gid >= 0 && syscall(SYS_setresgid, plan->gid, plan->gid, plan->gid) != 0) child_fail(plan, "setgid");
  if (plan->uid >= 0 && syscall(SYS_setresuid, plan->uid, plan->uid, plan->uid) != 0) child_fail(plan, "setuid");
  if (plan->cwd && chdir(plan->cwd) != 0) child_fail(plan, "chdir");
  if (plan->listen_pid) format_pid(plan->listen_pid, syscall(SYS_getpid));
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  exec_searching(plan);
  child_fail(plan, "exec");
  return 127;
}

// --- the parent side: reading the request from JavaScript ---

static char *get_string(napi_env env, napi_value object, const char *key) {
  napi_value value;
  napi_valuetype type;
  size_t length;
  if (napi_get_named_property(env, object, key, &value) != napi_ok) return NULL;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_string) return NULL;
  napi_get_value_string_utf8(env, value, NULL, 0, &length);
  char *text = malloc(length + 1);
  if (text) napi_get_value_string_utf8(env, value, text, length + 1, &length);
  return text;
}

static int get_int(napi_env env, napi_value object, const char *key, int fallback) {
  napi_value value;
  napi_valuetype type;
  int32_t number;
  if (napi_get_named_property(env, object, key, &value) != napi_ok) return fallback;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_number) return fallback;
  return napi_get_value_int32(env, value, &number) == napi_ok ? number : fallback;
}

static int get_bool(napi_env env, napi_value object, const char *key) {
  napi_value value;
  bool flag = false;
  if (napi_get_named_property(env, object, key, &value) == napi_ok) napi_get_value_bool(env, value, &flag);
  return flag;
}

// A string array as a NULL-terminated vector; *count = -1 when the key is not an array.
static char **get_strings(napi_env env, napi_value object, const char *key, int *count) {
  napi_value array;
  bool is_array = false;
  uint32_t length = 0;
  *count = -1;
  if (napi_get_named_property(env, object, key, &array) != napi_ok) return NULL;
  if (napi_is_array(env, array, &is_array) != napi_ok || !is_array) return NULL;
  napi_get_array_length(env, array, &length);
  char **vector = calloc(length + 1, sizeof *vector);
  if (!vector) return NULL;
  for (uint32_t i = 0; i < length; i++) {
    napi_value item;
    size_t size;
    napi_get_element(env, array, i, &item);
    if (napi_get_value_string_utf8(env, item, NULL, 0, &size) != napi_ok) size = 0;
    vector[i] = malloc(size + 1);
    if (!vector[i]) return vector;
    napi_get_value_string_utf8(env, item, vector[i], size + 1, &size);
    vector[i][size] = '\0';
  }
  *count = (int)length;
  return vector;
}

static int get_ints(napi_env env, napi_value object, const char *key, int *out, int capacity) {
  napi_value array;
  bool is_array = false;
  uint32_t length = 0;
  if (napi_get_named_property(env, object, key, &array) != napi_ok) return -1;
  if (napi_is_array(env, array, &is_array) != napi_ok || !is_array) return -1;
  napi_get_array_length(env, array, &length);
  if ((int)length > capacity) return -2;
  for (uint32_t i = 0; i < length; i++) {
    napi_value item;
    int32_t number = -1;
    napi_get_element(env, array, i, &item);
    napi_get_value_int32(env, item, &number);
    out[i] = number;
  }
  return (int)length;
}

static void free_strings(char **vector) {
  if (!vector) return;
  for (char **item = vector; *item; item++) free(*item);
  free(vector);
}

// --- the daemon's own children ---

static pid_t *owned = NULL;
static size_t owned_count = 0, owned_capacity = 0;

static int owned_add(pid_t pid) {
  if (owned_count == owned_capacity) {
    size_t capacity = owned_capacity ? owned_capacity * 2 : 64;
    pid_t *grown = realloc(owned, capacity * sizeof *grown);
    if (!grown) return -1;
    owned = grown;
    owned_capacity = capacity;
  }
  owned[owned_count++] = pid;
  return 0;
}

static void owned_remove(pid_t pid) {
  for (size_t i = 0; i < owned_count; i++) {
    if (owned[i] == pid) {
      owned[i] = owned[--owned_count];
      return;
    }
  }
}

int owned_children_has(pid_t pid) {
  for (size_t i = 0; i < owned_count; i++)
    if (owned[i] == pid) return 1;
  return 0;
}


#if defined(__x86_64__)
// clone3 for a child that shares our memory: the kernel starts it on `stack`, where it calls
// fn(argument) and exits with its result; the parent gets the pid (or -errno). fn and argument ride
// in r8 and r9, which the child inherits (the syscall clobbers only rax, rcx and r11).
static long clone3_calling(struct clone_args *args, int (*fn)(void *), void *argument) {
  long result;
  register void *fn_register __asm__("r8") = (void *)fn;
  register void *argument_register __asm__("r9") = argument;
  __asm__ volatile(
      "syscall\n\t"
      "test %%rax, %%rax\n\t"
      "jnz 1f\n\t"
      "xor %%ebp, %%ebp\n\t"
      "mov %%r9, %%rdi\n\t"
      "call *%%r8\n\t"
      "mov %%eax, %%edi\n\t"
      "mov $60, %%eax\n\t"  // SYS_exit
      "syscall\n\t"
      "hlt\n\t"
      "1:\n\t"
      : "=a"(result)
      : "0"((long)SYS_clone3), "D"(args), "S"(sizeof *args), "r"(fn_register), "r"(argument_register)
      : "rcx", "r11", "memory");
  return result;
}
#define HAVE_CLONE3_CALLING 1
#endif

static void *child_stack = NULL;
// Cleared when the kernel refuses clone3 or CLONE_INTO_CGROUP (ENOSYS, E2BIG: older than 5.7).
static int clone3_usable = 1;

// With every signal blocked in the calling thread, so no handler of the daemon's runs in the child
// before it resets them. Returns the pid (the pidfd in *pidfd) or -1 with errno.
static pid_t clone_child(struct spawn_plan *plan, int *pidfd) {
  if (!child_stack) {
    void *stack = mmap(NULL, CHILD_STACK_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) return -1;
    child_stack = stack;
  }
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &previous);
  pid_t pid = -1;
  plan->born_in_cgroup = 0;
#ifdef HAVE_CLONE3_CALLING
  if (plan->cgroup_fd >= 0 && plan->clone_into_cgroup && clone3_usable) {
    struct clone_args args;
    memset(&args, 0, sizeof args);
    args.flags = CLONE_VM | CLONE_VFORK | CLONE_PIDFD | CLONE_INTO_CGROUP;
    args.pidfd = (uint64_t)(uintptr_t)pidfd;
    args.exit_signal = SIGCHLD;
    args.stack = (uint64_t)(uintptr_t)child_stack;
    args.stack_size = CHILD_STACK_BYTES;
    args.cgroup = (uint64_t)plan->cgroup_fd;
    plan->born_in_cgroup = 1;
    long result = clone3_calling(&args, child_main, plan);
    if (result >= 0) pid = (pid_t)result;
    else {
      plan->born_in_cgroup = 0;
      if (result == -ENOSYS || result == -E2BIG) clone3_usable = 0;
      errno = (int)-result;
      // EAGAIN, ENOMEM: clone below meets the same and reports it; anything else, it may get through.
    }
  }
#endif
  if (pid < 0)
    pid = clone(child_main, (char *)child_stack + CHILD_STACK_BYTES, CLONE_VM | CLONE_VFORK | CLONE_PIDFD | SIGCHLD, plan,
                pidfd);
  int error = errno;
  pthread_sigmask(SIG_SETMASK, &previous, NULL);
  errno = error;
  return pid;
}

static napi_value type_error(napi_env env, const char *message) {
  napi_throw_type_error(env, NULL, message);
  return NULL;
}

// The errno of a failed step as a JavaScript error: code ENOENT…, syscall the step, exitCode as a
// shell would report it (127 not found, 126 found but not runnable).
static napi_value throw_step_error(napi_env env, struct spawn_plan *plan) {
  napi_value error = make_errno_error(env, plan->failed_step, plan->failed_errno);
  int not_found = plan->failed_errno == ENOENT || plan->failed_errno == ENOTDIR;
  int exec_step = strcmp(plan->failed_step, "exec") == 0;
  napi_value exit_code, path;
  napi_create_int32(env, exec_step && !not_found ? 126 : 127, &exit_code);
  napi_set_named_property(env, error, "exitCode", exit_code);
  napi_create_string_utf8(env, plan->file, NAPI_AUTO_LENGTH, &path);
  napi_set_named_property(env, error, "path", path);
  napi_throw(env, error);
  return NULL;
}

static void release_plan(struct spawn_plan *plan, char *file) {
  free(file);
  free_strings(plan->argv);
  free_strings(plan->envp);
  free((char *)plan->cwd);
  free((char *)plan->search_path);
  free(plan->groups);
  free(plan);
}

// Finds "LISTEN_PID=" in envp and makes it long enough for any pid; adds it when missing.
static int reserve_listen_pid(struct spawn_plan *plan, int env_count) {
  const char *prefix = "LISTEN_PID=";
  size_t prefix_length = strlen(prefix);
  int at = env_count;
  for (int i = 0; i < env_count; i++)
    if (strncmp(plan->envp[i], prefix, prefix_length) == 0) at = i;
  if (at == env_count) {
    char **grown = realloc(plan->envp, (size_t)(env_count + 2) * sizeof *grown);
    if (!grown) return -1;
    plan->envp = grown;
    plan->envp[env_count + 1] = NULL;
  } else {
    free(plan->envp[at]);
  }
  plan->envp[at] = calloc(1, prefix_length + LISTEN_PID_DIGITS + 1);
  if (!plan->envp[at]) return -1;
  memcpy(plan->envp[at], prefix, prefix_length);
  plan->listen_pid = plan->envp[at] + prefix_length;
  return 0;
}

// spawnProcess(request, onExit): starts a program and watches its pidfd; onExit(code, signal) runs
// once with the status from waitid(P_PIDFD) (code -1 when a signal ended it, signal 0 when not).
// Returns { pid, close() }; close() stops watching (the child is then left to the orphan reaper).
// A failed step throws an Error with code (ENOENT…), syscall (the step) and exitCode (127/126).
napi_value spawn_process(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_valuetype callback_type;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2 || napi_typeof(env, argv[1], &callback_type) != napi_ok || callback_type != napi_function)
    return type_error(env, "spawnProcess(request, onExit): onExit must be a function");
  napi_value request = argv[0];
  struct spawn_plan *plan = calloc(1, sizeof *plan);
  if (!plan) return throw_errno(env, "calloc", ENOMEM);
  char *file = get_string(env, request, "file");
  int count, env_count;
  plan->file = file;
  plan->argv = get_strings(env, request, "argv", &count);
  plan->envp = get_strings(env, request, "env", &env_count);
  plan->cwd = get_string(env, request, "cwd");
  plan->search_path = get_string(env, request, "searchPath");
  plan->umask_value = get_int(env, request, "umask", -1);
  plan->uid = get_int(env, request, "uid", -1);
  plan->gid = get_int(env, request, "gid", -1);
  plan->new_session = get_bool(env, request, "newSession");
  plan->cgroup_fd = get_int(env, request, "cgroupFd", -1);
  plan->clone_into_cgroup = get_bool(env, request, "cloneIntoCgroup");
  plan->procs_count = get_ints(env, request, "cgroupProcsFds", plan->procs_fds, MAX_CGROUP_PROCS_FDS);
  int fds[2 * MAX_FD_PAIRS];
  int fd_values = get_ints(env, request, "fds", fds, 2 * MAX_FD_PAIRS);
  int group_values[NGROUPS_MAX > 65536 ? 65536 : NGROUPS_MAX];
  int groups = get_ints(env, request, "groups", group_values, (int)(sizeof group_values / sizeof group_values[0]));
  if (!file || !plan->argv || count < 1 || !plan->envp || fd_values == -2 || fd_values % 2 != 0 || groups == -2 ||
      plan->procs_count == -2) {
    release_plan(plan, file);
    return type_error(env,
                      "spawnProcess: needs file, argv (at least one), env, at most 64 fd pairs and 8 cgroup fds");
  }
  if (plan->procs_count < 0) plan->procs_count = 0;
  for (int i = 0; i < plan->procs_count; i++) {
    if (plan->procs_fds[i] < 0) {
      release_plan(plan, file);
      return type_error(env, "spawnProcess: cgroupProcsFds holds open file descriptors");
    }
  }
  plan->pairs = fd_values < 0 ? 0 : fd_values / 2;
  for (int i = 0; i < plan->pairs; i++) {
    plan->source[i] = fds[2 * i];
    plan->target[i] = fds[2 * i + 1];
    if (plan->source[i] < 0 || plan->target[i] < 0) {
      release_plan(plan, file);
      return type_error(env, "spawnProcess: fds holds [source, target] pairs of file descriptors");
    }
  }
  plan->group_count = groups;
  if (groups > 0) {
    plan->groups = calloc((size_t)groups, sizeof *plan->groups);
    if (!plan->groups) {
      release_plan(plan, file);
      return throw_errno(env, "calloc", ENOMEM);
    }
    for (int i = 0; i < groups; i++) plan->groups[i] = (gid_t)group_values[i];
  }
  if (get_bool(env, request, "listenPid") && reserve_listen_pid(plan, env_count) != 0) {
    release_plan(plan, file);
    return throw_errno(env, "calloc", ENOMEM);
  }

  int pidfd = -1;
  pid_t pid = clone_child(plan, &pidfd);
  if (pid < 0) {
    int error = errno;
    release_plan(plan, file);
    return throw_errno(env, "clone", error);
  }
  if (plan->failed_step) {
    siginfo_t status;
    // The child has called _exit (that is what woke us): collect it now, so it leaves no zombie.
    while (waitid(P_PIDFD, (id_t)pidfd, &status, WEXITED) != 0 && errno == EINTR) {
    }
    close(pidfd);
    throw_step_error(env, plan);
    release_plan(plan, file);
    return NULL;
  }
  release_plan(plan, file);
  if (owned_add(pid) != 0) {
    close(pidfd);
    return throw_errno(env, "realloc", ENOMEM);
  }
  napi_value handle = watch_child_exit(env, pid, pidfd, argv[1], owned_remove);
  if (!handle) return NULL;
  napi_value pid_value;
  napi_create_int32(env, pid, &pid_value);
  napi_set_named_property(env, handle, "pid", pid_value);
  return handle;
}

// getGroupList(user, gid): the user's supplementary groups (NSS, as initgroups would set them),
// resolved here in the parent because initgroups is not async-signal-safe.
napi_value get_group_list(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], result;
  char user[256];
  size_t length;
  uint32_t gid;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2 || napi_get_value_string_utf8(env, argv[0], user, sizeof user, &length) != napi_ok ||
      napi_get_value_uint32(env, argv[1], &gid) != napi_ok)
    return type_error(env, "getGroupList(user, gid): expected a user name and a group id");
  int count = 64;
  gid_t *groups = NULL;
  for (int attempt = 0; attempt < 8; attempt++) {
    gid_t *grown = realloc(groups, (size_t)count * sizeof *groups);
    if (!grown) break;
    groups = grown;
    int wanted = count;
    if (getgrouplist(user, (gid_t)gid, groups, &wanted) >= 0) {
      count = wanted;
      napi_create_array_with_length(env, (size_t)count, &result);
      for (int i = 0; i < count; i++) {
        napi_value item;
        napi_create_uint32(env, groups[i], &item);
        napi_set_element(env, result, (uint32_t)i, item);
      }
      free(groups);
      return result;
    }
    count = wanted > count ? wanted : count * 2;
  }
  free(groups);
  return throw_errno(env, "getgrouplist", ENOMEM);
}
