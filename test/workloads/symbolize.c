/* A C program for symbolizer tests: static and global functions, inlining through a header,
 * loops (discriminators), recursion, a function pointer table and a switch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "symbolize/helpers.h"

struct item { unsigned key; unsigned value; };
static struct item table[256];

static unsigned hash_key(unsigned k) { return mix2(k, k >> 3) & 255U; }

void insert(unsigned k, unsigned v) {
  unsigned h = hash_key(k);
  for (int i = 0; i < 256; i++) {
    unsigned slot = (h + i) & 255U;
    if (table[slot].key == 0 || table[slot].key == k) { table[slot].key = k; table[slot].value = v; return; }
  }
}

unsigned lookup(unsigned k) {
  unsigned h = hash_key(k);
  for (int i = 0; i < 256; i++) {
    unsigned slot = (h + i) & 255U;
    if (table[slot].key == k) return table[slot].value;
    if (table[slot].key == 0) return 0;
  }
  return 0;
}

static int cmp(const void *a, const void *b) {
  const struct item *x = a, *y = b;
  return (x->value > y->value) - (x->value < y->value);
}

unsigned long fib(unsigned n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

typedef unsigned (*op_fn)(unsigned);
static unsigned op_a(unsigned x) { return mix(x) ^ 1U; }
static unsigned op_b(unsigned x) { return mix(x + 7U) * 3U; }
static unsigned op_c(unsigned x) { for (unsigned i = 0; i < (x & 7U); i++) x = mix(x); return x; }
static op_fn ops[] = { op_a, op_b, op_c };

unsigned classify(unsigned x) {
  switch (x % 5U) {
    case 0: return x * 2U;
    case 1: return mix(x);
    case 2: return x ^ 0x55U;
    case 3: return x + lookup(x);
    default: return 7U;
  }
}

int main(int argc, char **argv) {
  unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 100U;
  unsigned acc = 0;
  for (unsigned i = 1; i < n; i++) insert(i * 2654435761U, i);
  for (unsigned i = 1; i < n; i++) acc += lookup(i * 2654435761U) + ops[i % 3](i) + classify(i);
  qsort(table, 256, sizeof table[0], cmp);
  printf("%u %lu\n", acc, fib(n % 20U));
  return 0;
}
