// perf's addr2line failure limit (util/srcline.c A2L_FAIL_LIMIT): first ~300 ms of CPU time in the program's
// own loop — in children mode every sample also makes entries for libc's __libc_start_call_main
// at its raw callchain ip, which addr2line can't place in a shared library, so perf gives up on
// libc after 123 failed calls — then ~300 ms inside libc (snprintf), whose samples perf prints
// as "sym+offset" although libc's lines are known (test/report.test.ts).
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

volatile unsigned long sink;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t); // CPU time: a loaded machine must not shorten the phases
  return t.tv_sec + t.tv_nsec / 1e9;
}

__attribute__((noinline)) void own_loop(double secs) {
  double end = now() + secs;
  unsigned long s = 0;
  while (now() < end) for (unsigned long i = 0; i < 100000; i++) s += i ^ (s >> 3);
  sink = s;
}

__attribute__((noinline)) void in_libc(double secs) {
  double end = now() + secs;
  char buf[128];
  while (now() < end) for (int i = 0; i < 1000; i++) sink += snprintf(buf, sizeof buf, "%d %f %s", i, i * 0.5, "x");
}

int main(int argc, char **argv) {
  long ms = argc > 1 ? atol(argv[1]) : 300;
  own_loop(ms / 1000.0);
  in_libc(ms / 1000.0);
  return 0;
}
