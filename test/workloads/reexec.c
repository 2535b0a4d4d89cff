// Re-executes itself: `reexec N MS` burns MS ms of CPU in a -O2 leaf (no frame pointer), then
// execs `reexec N-1 MS` until N is 0. perf keeps a process's maps across exec, so each image's
// DSOs meet the older images' mappings of the same files (test/unwind-dwarf.test.ts: perf 6.1
// looks for .eh_frame_hdr at the lowest of them).
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static volatile unsigned sink;

__attribute__((noinline)) static unsigned mix(unsigned x) {
  for (int i = 0; i < 5000; i++) x = x * 1103515245u + 12345u;
  return x;
}

__attribute__((noinline)) static void burn(long ms) {
  struct timespec t0, t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
  for (unsigned r = 0;; r++) {
    sink = mix(sink + r);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 >= ms) break;
  }
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 3;
  long ms = argc > 2 ? atol(argv[2]) : 60;
  burn(ms);
  if (n > 0) {
    char next[16], dur[24];
    snprintf(next, sizeof next, "%d", n - 1);
    snprintf(dur, sizeof dur, "%ld", ms);
    execl("/proc/self/exe", argv[0], next, dur, (char *)0);
    perror("execl");
    return 1;
  }
  printf("%u\n", sink);
  return 0;
}
