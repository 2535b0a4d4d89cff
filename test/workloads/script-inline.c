/* Hot code inlined into its callers, for perf script's inline frames: outer (noinline) calls
 * middle and inner, both always inlined, so samples in the loop have a DWARF inline chain
 * inner → middle → outer. Runs for argv[1] milliseconds. */
#include <stdlib.h>
#include <time.h>

static volatile unsigned long sink;

static inline __attribute__((always_inline)) unsigned long inner(unsigned long x) {
  for (int i = 0; i < 500; i++) x = x * 2862933555777941757UL + 3037000493UL;
  return x;
}
static inline __attribute__((always_inline)) unsigned long middle(unsigned long x) {
  return inner(x) ^ inner(x >> 7);
}
__attribute__((noinline)) unsigned long outer(unsigned long x) { return middle(x) + 1; }

int main(int argc, char **argv) {
  long millis = argc > 1 ? atol(argv[1]) : 200;
  struct timespec t0, t;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (unsigned long n = 0;; n++) {
    sink += outer(n);
    if ((n & 1023) == 0) {
      clock_gettime(CLOCK_MONOTONIC, &t);
      if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 >= millis) break;
    }
  }
  return 0;
}
