/* A small CPU-bound workload with a known call structure, for recordings made at test time.
 * main -> run -> {compute_a -> leaf_mul, compute_b -> leaf_add}, plus write(2) calls so that
 * syscall tracepoints have something to see. Runs for the given milliseconds of CPU time. */
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>

static volatile unsigned long sink;

__attribute__((noinline)) unsigned long leaf_mul(unsigned long x) {
  for (int i = 0; i < 2000; i++) x = x * 6364136223846793005UL + 1442695040888963407UL;
  return x;
}
__attribute__((noinline)) unsigned long leaf_add(unsigned long x) {
  for (int i = 0; i < 2000; i++) x += (x >> 3) ^ i;
  return x;
}
__attribute__((noinline)) unsigned long compute_a(unsigned long x) { return leaf_mul(x) + 1; }
__attribute__((noinline)) unsigned long compute_b(unsigned long x) { return leaf_add(x) + leaf_add(x + 1); }

__attribute__((noinline)) void run(long millis) {
  int fd = open("/dev/null", O_WRONLY);
  char buf[64];
  struct timespec t0, t;
  /* CPU time, not wall time: a loaded machine still gets the same number of samples. */
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
  for (unsigned long n = 0;; n++) {
    sink += compute_a(n);
    sink += compute_b(n);
    if ((n & 63) == 0) {
      int len = snprintf(buf, sizeof buf, "%lu\n", sink);
      if (write(fd, buf, len) < 0) abort();
      clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
      if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 >= millis) break;
    }
  }
  close(fd);
}

int main(int argc, char **argv) {
  long millis = argc > 1 ? atol(argv[1]) : 300;
  run(millis);
  printf("%lu\n", sink & 1);
  return 0;
}
