// One function under two global names, as allocators alias operator new and operator new[]:
// _ZN3foo3barEl ("foo::bar", once demangled) and spin. perf demangles symbol names as it loads
// them, so choose_best_symbol compares "foo::bar" with "spin" (equal underscores, the longer name
// wins) where the raw names would pick "spin" (fewer leading underscores).
#include <stdlib.h>

__asm__(".text\n.globl _ZN3foo3barEl\n.type _ZN3foo3barEl,@function\n"
        ".globl spin\n.type spin,@function\n"
        "_ZN3foo3barEl:\nspin:\n mov %rdi,%rax\n1:\n dec %rax\n jnz 1b\n ret\n"
        ".size _ZN3foo3barEl,.-_ZN3foo3barEl\n.size spin,.-spin\n");
void spin(long n);

int main(int argc, char **argv) {
  long ms = argc > 1 ? atol(argv[1]) : 300;
  for (long r = 0; r < ms * 20; r++) spin(100000);
  return 0;
}
