// Assembly functions with global NOTYPE labels inside them (as V8's builtins have): each spinN is a
// sized FUNC whose loop sits under the zero-sized label spinN_loop, which perf's fixup_end extends
// to spinN_tail. Which of the two perf reports for a sample in the loop depends on its symbol
// tree's shape (test/symbols.test.ts compares kscope with perf on a recording of this program).
#include <stdlib.h>

#define SPIN(N) \
  __asm__(".text\n.globl spin" #N "\n.type spin" #N ",@function\nspin" #N ":\n mov %rdi,%rax\n" \
          ".globl spin" #N "_loop\nspin" #N "_loop:\n dec %rax\n jnz spin" #N "_loop\n" \
          ".globl spin" #N "_tail\nspin" #N "_tail:\n ret\n.size spin" #N ",.-spin" #N "\n"); \
  void spin##N(long n);

SPIN(0) SPIN(1) SPIN(2) SPIN(3) SPIN(4) SPIN(5) SPIN(6) SPIN(7) SPIN(8) SPIN(9) SPIN(10) SPIN(11)
SPIN(12) SPIN(13) SPIN(14) SPIN(15) SPIN(16) SPIN(17) SPIN(18) SPIN(19) SPIN(20) SPIN(21) SPIN(22) SPIN(23)

int main(int argc, char **argv) {
  long ms = argc > 1 ? atol(argv[1]) : 300;
  void (*fns[])(long) = { spin0, spin1, spin2, spin3, spin4, spin5, spin6, spin7, spin8, spin9, spin10, spin11,
                          spin12, spin13, spin14, spin15, spin16, spin17, spin18, spin19, spin20, spin21, spin22, spin23 };
  for (long r = 0; r < ms * 4; r++)
    for (int i = 0; i < 24; i++) fns[i](10000);
  return 0;
}
