// A caller with samples of its own: outer spends about half its time in its own loop and half in
// inner, so children-mode graphs have entries with 0 < self < children (test/report.test.ts).
// Built at -O0 so that the leaf inner has a frame pointer too (else -g chains skip outer).
#include <stdlib.h>

volatile unsigned long sink;

__attribute__((noinline)) void inner(unsigned long n) {
  unsigned long s = 0;
  for (unsigned long i = 0; i < n; i++) s += i ^ (s >> 3);
  sink = s;
}

__attribute__((noinline)) void outer(unsigned long n) {
  unsigned long s = 0;
  for (unsigned long i = 0; i < n; i++) s += i * 7 ^ (s >> 5);
  inner(n);
  sink += s; // after the call: no tail call, outer stays on the stack
}

int main(int argc, char **argv) {
  long ms = argc > 1 ? atol(argv[1]) : 300;
  for (long r = 0; r < ms * 4; r++) outer(200000);
  return 0;
}
