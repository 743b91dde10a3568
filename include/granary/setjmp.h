/* include/granary/setjmp.h: a kernel setjmp/longjmp over the callee-saved registers and RFLAGS.
 * Used by ktest to recover from exceptions it provoked; not for ordinary control flow. */
#ifndef GRANARY_SETJMP_H
#define GRANARY_SETJMP_H

#include <granary/compiler.h>
#include <granary/types.h>

struct kjmp_buf {
	u64 rbx, rbp, r12, r13, r14, r15, rsp, rip, rflags;
};

/* Returns 0 when called, and val (never 0) when klongjmp() comes back here. */
int ksetjmp(struct kjmp_buf *jb) __returns_twice;
/* Restores jb, including the interrupt flag it had; jb's frame must still be live. */
__noreturn void klongjmp(struct kjmp_buf *jb, int val);

/* Runs fn(arg) with the stack pointer at stack_top, then returns on the caller's stack. */
void call_on_stack(void (*fn)(void *), void *arg, void *stack_top);

#endif
