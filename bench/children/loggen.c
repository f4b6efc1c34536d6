/* The log generator: `loggen MARKER log BYTES`. It catches SIGUSR2 and waits for it (the bench sends
 * it once it sees the handler in /proc/PID/status SigCgt, so the clock starts when writing starts), then
 * writes BYTES/100 numbered 100-byte lines to stdout as fast as it can, then sleeps until SIGTERM or
 * SIGINT. Line k is "%010lld" k, a space, 88 letters and a newline. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LINE 100
#define LINES_PER_BUF 655 /* 65,500 bytes: one pipe buffer's worth per write(2) */

static volatile sig_atomic_t go_received = 0;

static void done(int sig) {
  (void)sig;
  _exit(0);
}

static void on_go(int sig) {
  (void)sig;
  go_received = 1;
}

static void put_number(char *at, long long n) {
  for (int i = 9; i >= 0; i--) {
    at[i] = (char)('0' + n % 10);
    n /= 10;
  }
}

int main(int argc, char **argv) {
  if (argc < 4) return 2;
  long long lines = atoll(argv[3]) / LINE;
  sigset_t go, old;
  sigemptyset(&go);
  sigaddset(&go, SIGUSR2);
  sigprocmask(SIG_BLOCK, &go, &old);
  signal(SIGTERM, done);
  signal(SIGINT, done);
  signal(SIGUSR2, on_go);
  while (!go_received) sigsuspend(&old);
  sigprocmask(SIG_SETMASK, &old, NULL);

  static char buf[LINE * LINES_PER_BUF];
  for (int i = 0; i < LINES_PER_BUF; i++) {
    char *line = buf + i * LINE;
    memset(line, 'a' + i % 26, LINE);
    line[10] = ' ';
    line[LINE - 1] = '\n';
  }
  for (long long next = 0; next < lines;) {
    long long count = lines - next < LINES_PER_BUF ? lines - next : LINES_PER_BUF;
    for (long long i = 0; i < count; i++) put_number(buf + i * LINE, next + i);
    size_t size = (size_t)count * LINE, off = 0;
    while (off < size) {
      ssize_t n = write(1, buf + off, size - off);
      if (n < 0) {
        if (errno == EINTR) continue;
        return 1;
      }
      off += (size_t)n;
    }
    next += count;
  }
  for (;;) pause();
}
