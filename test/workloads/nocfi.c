// Functions without CFI: built with -fno-asynchronous-unwind-tables -fno-unwind-tables and frame
// pointers, so `perf record --call-graph dwarf` samples in them are unwound by libunwind's
// frame-chain guess (x86_64/Gstep.c), the rules test/unwind-dwarf.test.ts holds kscope to: a
// 16-byte frame (push rbp only), a frame with locals (the guess takes the caller's sp as CFA + 16,
// wrong here), and a frame too big for the guess (rbp more than 0x4000 above the CFA).
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static volatile unsigned sink;

__attribute__((noinline)) void leaf(unsigned n) {
  unsigned x = n;
  for (int i = 0; i < 20000; i++) x = x * 1103515245u + 12345u;
  sink = x;
}

__attribute__((noinline)) void small_frame(unsigned n) { leaf(n); leaf(n + 1); }

__attribute__((noinline)) void locals_frame(unsigned n) {
  volatile unsigned v[8];
  for (int i = 0; i < 8; i++) v[i] = n + i;
  small_frame(v[3]);
  leaf(v[5]);
}

__attribute__((noinline)) void big_frame(unsigned n) {
  volatile char pad[20000];
  pad[0] = (char)n;
  pad[19999] = (char)(n >> 8);
  leaf((unsigned)pad[0] + (unsigned)pad[19999]);
}

int main(int argc, char **argv) {
  long ms = argc > 1 ? atol(argv[1]) : 200;
  struct timespec t0, t;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (unsigned r = 0;; r++) {
    small_frame(r);
    locals_frame(r);
    big_frame(r);
    clock_gettime(CLOCK_MONOTONIC, &t);
    if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 >= ms) break;
  }
  printf("%u\n", sink);
  return 0;
}
