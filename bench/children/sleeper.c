/* The sleeper every peer runs: it does nothing until SIGTERM or SIGINT, then exits 0.
 * Its arguments (a marker and an index) are only there so the bench can find it in /proc. */
#include <signal.h>
#include <unistd.h>

static void done(int sig) {
  (void)sig;
  _exit(0);
}

int main(void) {
  signal(SIGTERM, done);
  signal(SIGINT, done);
  for (;;) pause();
}
