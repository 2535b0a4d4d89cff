// Calls through the PLT (strchr@plt). test/symbols.test.ts builds it as is and stripped (`strip -s`):
// a stripped PIE whose .dynsym holds only imports gets no synthesized NAME@plt symbols from
// perf 6.1 (dso__load synthesizes them only when the symbol tables gave some), so perf prints
// its PLT hits as [unknown] (seen for c++filt in a system-wide recording).
#include <stdlib.h>
#include <string.h>

volatile unsigned long sink;

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 1000;
  for (long r = 0; r < n; r++) sink += (unsigned long)strchr(argv[0] + (r & 1), '/');
  return 0;
}
