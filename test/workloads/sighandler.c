// Burns CPU inside a SIGPROF handler: `perf record --call-graph dwarf` samples there unwind through
// glibc's rt_sigreturn trampoline (__restore_rt) to the pc the signal interrupted, which perf does
// not decrement while it does decrement the trampoline's return address (libunwind's
// unw_is_signal_frame after the step from the 'S' frame; test/unwind-dwarf.test.ts).
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

static volatile unsigned sink;

__attribute__((noinline)) static unsigned spin(unsigned x, int n) {
  for (int i = 0; i < n; i++) x = x * 1103515245u + 12345u;
  return x;
}

__attribute__((noinline)) static void on_prof(int sig) { sink = spin(sink + (unsigned)sig, 3000000); }

__attribute__((noinline)) static void work(void) { sink = spin(sink, 1000); }

int main(int argc, char **argv) {
  long ms = argc > 1 ? atol(argv[1]) : 200;
  struct sigaction sa = {0};
  sa.sa_handler = on_prof;
  sigaction(SIGPROF, &sa, 0);
  struct itimerval it = {{0, 2000}, {0, 2000}};
  setitimer(ITIMER_PROF, &it, 0);
  struct timespec t0, t;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  do {
    work();
    clock_gettime(CLOCK_MONOTONIC, &t);
  } while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 < ms);
  printf("%u\n", sink);
  return 0;
}
