/* kscope flame tests: hot code inlined into its caller, so that DWARF knows inline frames
 * (main -> work -> mix -> step, with mix and step inlined), for comparing inline expansion
 * with perf on --call-graph dwarf and frame-pointer recordings. Argument: milliseconds. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static volatile unsigned long sink;

static inline __attribute__((always_inline)) unsigned long step(unsigned long x, int i) {
  return x * 6364136223846793005UL + (unsigned long)i;
}

static inline __attribute__((always_inline)) unsigned long mix(unsigned long x) {
  for (int i = 0; i < 5000; i++) x = step(x, i) ^ (x >> 7);
  return x;
}

__attribute__((noinline)) void work(long millis) {
  struct timespec t0, t;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (unsigned long n = 0;; n++) {
    sink += mix(n);
    clock_gettime(CLOCK_MONOTONIC, &t);
    if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 >= millis) break;
  }
}

int main(int argc, char **argv) {
  work(argc > 1 ? atol(argv[1]) : 300);
  printf("%lu\n", sink & 1);
  return 0;
}
