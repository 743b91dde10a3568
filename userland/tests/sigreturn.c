/* userland/tests/sigreturn.c: a signal handler that clobbers every register leaves the interrupted
 * code's general, SSE and x87 registers, MXCSR, control word and flags intact after sigreturn. */
#include "tap.h"

#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>

/*
 * Three ways into a handler, each from assembly that first loads a known value into every
 * general register but rsp (g_in), xmm0-15 (g_xin), three x87 stack slots (g_fin), the x87
 * control word and MXCSR, then stores them all back (g_out ...) once the handler has returned:
 *   regs_ud2:     a ud2 (SIGILL, synchronous); the handler steps over it through uc_mcontext,
 *                 and also changes r12 and xmm15 there, which sigreturn must honour;
 *   regs_syscall: a raw kill(getpid(), SIGUSR1) syscall: the handler runs on the way out of it
 *                 (rax then holds kill's 0; rcx and r11 belong to the syscall instruction);
 *   regs_spin:    a loop reading only memory, interrupted by a SIGUSR1 from a child (asynchronous).
 * The handler (clobber_handler) calls handler_c, then loads garbage into all of those registers,
 * sets CF and DF, and returns to the restorer.
 */
enum { RAX, RBX, RCX, RDX, RSI, RDI, RBP, R8, R9, R10, R11, R12, R13, R14, R15, NGPR };
static const char *const gpr_name[NGPR] = { "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8",
					    "r9",  "r10", "r11", "r12", "r13", "r14", "r15" };
static const int gpr_greg[NGPR] = { REG_RAX, REG_RBX, REG_RCX, REG_RDX, REG_RSI,
				    REG_RDI, REG_RBP, REG_R8,  REG_R9,  REG_R10,
				    REG_R11, REG_R12, REG_R13, REG_R14, REG_R15 };

#define NEW_R12 0x1212121212121212ULL
#define FCW_TEST 0x0f7f	   /* round toward zero, 64-bit precision, exceptions masked */
#define MXCSR_TEST 0xff80  /* round toward zero, flush to zero, exceptions masked */
#define RFLAGS_CF 0x001UL
#define RFLAGS_DF 0x400UL

uint64_t g_in[NGPR], g_out[NGPR], g_rsp_before, g_rsp_after, g_rflags_out, g_spin;
uint8_t g_xin[16][16] __attribute__((aligned(16))), g_xout[16][16] __attribute__((aligned(16)));
double g_fin[3], g_fout[3];
uint16_t g_fcw_in, g_fcw_out, g_fcw_default = 0x037f, g_fcw_bad = 0x027f;
uint32_t g_mxcsr_in, g_mxcsr_out, g_mxcsr_default = 0x1f80, g_mxcsr_bad = 0x3f80;
volatile int g_flag;

/* What the handler saw. */
static volatile int hits;
static uint64_t seen_greg[NGPR], seen_rip;
static uint8_t seen_xmm[16][16];
static int seen_sig;

void regs_ud2(void);
void regs_syscall(void);
void regs_spin(void);
void clobber_handler(int, siginfo_t *, void *);
extern const char regs_ud2_insn[], regs_spin_begin[], regs_spin_end[];

__asm__(".macro LOAD_ALL\n"
	"	fldcw g_fcw_in(%rip)\n"
	"	ldmxcsr g_mxcsr_in(%rip)\n"
	"	fldl g_fin+16(%rip)\n"
	"	fldl g_fin+8(%rip)\n"
	"	fldl g_fin(%rip)\n"
	"	.irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
	"	movdqu g_xin+\\n*16(%rip), %xmm\\n\n"
	"	.endr\n"
	"	movq g_in+0*8(%rip), %rax\n"
	"	movq g_in+1*8(%rip), %rbx\n"
	"	movq g_in+2*8(%rip), %rcx\n"
	"	movq g_in+3*8(%rip), %rdx\n"
	"	movq g_in+4*8(%rip), %rsi\n"
	"	movq g_in+5*8(%rip), %rdi\n"
	"	movq g_in+6*8(%rip), %rbp\n"
	"	.irp n,8,9,10,11,12,13,14,15\n"
	"	movq g_in+(\\n-1)*8(%rip), %r\\n\n"
	"	.endr\n"
	".endm\n"
	".macro STORE_ALL\n"
	"	movq %rax, g_out+0*8(%rip)\n"
	"	movq %rbx, g_out+1*8(%rip)\n"
	"	movq %rcx, g_out+2*8(%rip)\n"
	"	movq %rdx, g_out+3*8(%rip)\n"
	"	movq %rsi, g_out+4*8(%rip)\n"
	"	movq %rdi, g_out+5*8(%rip)\n"
	"	movq %rbp, g_out+6*8(%rip)\n"
	"	.irp n,8,9,10,11,12,13,14,15\n"
	"	movq %r\\n, g_out+(\\n-1)*8(%rip)\n"
	"	.endr\n"
	"	movq %rsp, g_rsp_after(%rip)\n"
	"	.irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
	"	movdqu %xmm\\n, g_xout+\\n*16(%rip)\n"
	"	.endr\n"
	"	fstpl g_fout(%rip)\n"
	"	fstpl g_fout+8(%rip)\n"
	"	fstpl g_fout+16(%rip)\n"
	"	fnstcw g_fcw_out(%rip)\n"
	"	stmxcsr g_mxcsr_out(%rip)\n"
	"	fldcw g_fcw_default(%rip)\n"
	"	ldmxcsr g_mxcsr_default(%rip)\n"
	".endm\n"
	".macro SAVE_CALLEE\n"
	"	pushq %rbx\n pushq %rbp\n pushq %r12\n pushq %r13\n pushq %r14\n pushq %r15\n"
	"	movq %rsp, g_rsp_before(%rip)\n"
	".endm\n"
	".macro RESTORE_CALLEE\n"
	"	popq %r15\n popq %r14\n popq %r13\n popq %r12\n popq %rbp\n popq %rbx\n"
	"	ret\n"
	".endm\n"
	"	.text\n"
	"	.globl regs_ud2, regs_ud2_insn, regs_syscall, regs_spin\n"
	"	.globl regs_spin_begin, regs_spin_end, clobber_handler\n"
	"regs_ud2:\n"
	"	SAVE_CALLEE\n"
	"	LOAD_ALL\n"
	"	stc\n"
	"	std\n"
	"regs_ud2_insn:\n"
	"	ud2\n"
	"	pushfq\n"
	"	popq g_rflags_out(%rip)\n"
	"	cld\n"
	"	STORE_ALL\n"
	"	RESTORE_CALLEE\n"
	"regs_syscall:\n"
	"	SAVE_CALLEE\n"
	"	LOAD_ALL\n"
	"	stc\n"
	"	std\n"
	"	syscall\n"
	"	pushfq\n"
	"	popq g_rflags_out(%rip)\n"
	"	cld\n"
	"	STORE_ALL\n"
	"	RESTORE_CALLEE\n"
	"regs_spin:\n"
	"	SAVE_CALLEE\n"
	"	LOAD_ALL\n"
	"regs_spin_begin:\n"
	"	cmpl $0, g_flag(%rip)\n"
	"	jne regs_spin_end\n"
	"	decq g_spin(%rip)\n"
	"	jnz regs_spin_begin\n"
	"regs_spin_end:\n"
	"	STORE_ALL\n"
	"	RESTORE_CALLEE\n"
	"clobber_handler:\n"
	"	subq $8, %rsp\n"
	"	call handler_c\n"
	"	addq $8, %rsp\n"
	"	movabsq $0xbad0bad0bad0bad0, %rax\n"
	"	.irp r,rbx,rcx,rdx,rsi,rdi,rbp,r8,r9,r10,r11,r12,r13,r14,r15\n"
	"	movq %rax, %\\r\n"
	"	.endr\n"
	"	.irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
	"	pcmpeqd %xmm\\n, %xmm\\n\n"
	"	.endr\n"
	"	fninit\n"
	"	fldpi\n fldpi\n fldpi\n fldpi\n"
	"	fldcw g_fcw_bad(%rip)\n"
	"	ldmxcsr g_mxcsr_bad(%rip)\n"
	"	stc\n"
	"	std\n"
	"	ret\n");

void handler_c(int sig, siginfo_t *si, void *ucv);
void handler_c(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	(void)si;
	hits++;
	seen_sig = sig;
	for (int i = 0; i < NGPR; i++)
		seen_greg[i] = (uint64_t)uc->uc_mcontext.gregs[gpr_greg[i]];
	seen_rip = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
	if (uc->uc_mcontext.fpregs)
		memcpy(seen_xmm, uc->uc_mcontext.fpregs->_xmm, sizeof(seen_xmm));
	if (sig == SIGILL) {
		uc->uc_mcontext.gregs[REG_RIP] += 2; /* over the ud2 */
		uc->uc_mcontext.gregs[REG_R12] = (greg_t)NEW_R12;
		if (uc->uc_mcontext.fpregs)
			memset(uc->uc_mcontext.fpregs->_xmm[15].element, 0x77, 16);
	}
	if (sig == SIGUSR1)
		g_flag = 1;
}

static void fill_inputs(void)
{
	for (int i = 0; i < NGPR; i++)
		g_in[i] = 0x0123456789ab0000ULL + ((uint64_t)(i + 1) << 60) + (uint64_t)(i * 0x111);
	for (int r = 0; r < 16; r++)
		for (int b = 0; b < 16; b++)
			g_xin[r][b] = (uint8_t)(r * 16 + b + 1);
	g_fin[0] = 1.5;
	g_fin[1] = -2.25;
	g_fin[2] = 1e100 / 3;
	g_fcw_in = FCW_TEST;
	g_mxcsr_in = MXCSR_TEST;
	memset(g_out, 0, sizeof(g_out));
	memset(g_xout, 0, sizeof(g_xout));
	memset(g_fout, 0, sizeof(g_fout));
	g_fcw_out = 0;
	g_mxcsr_out = 0;
	g_rflags_out = 0;
	hits = 0;
	seen_sig = 0;
	seen_rip = 0;
}

/* Compares general registers; skip is a bit mask of registers not to compare. */
static void check_gprs(const char *mode, const char *what, const uint64_t *got,
		       const uint64_t *want, unsigned skip)
{
	int bad = -1;

	for (int i = 0; i < NGPR && bad < 0; i++)
		if (!(skip & (1u << i)) && got[i] != want[i])
			bad = i;
	tap_ok(bad < 0, "%s: %s", mode, what);
	if (bad >= 0)
		tap_diag("%s is %#llx, expected %#llx", gpr_name[bad], (unsigned long long)got[bad],
			 (unsigned long long)want[bad]);
}

static void check_after(const char *mode, const uint64_t *want, unsigned skip, int flags)
{
	uint8_t xwant[16][16];
	int bad = -1;

	check_gprs(mode, "every general register (but rsp) is restored after the handler",
		   g_out, want, skip);
	TAP_EQ(g_rsp_after, g_rsp_before, "%s: rsp is restored", mode);
	memcpy(xwant, g_xin, sizeof(xwant));
	if (!strcmp(mode, "ud2"))
		memset(xwant[15], 0x77, 16);
	for (int r = 0; r < 16 && bad < 0; r++)
		if (memcmp(g_xout[r], xwant[r], 16))
			bad = r;
	tap_ok(bad < 0, "%s: xmm0-xmm15 are restored%s", mode,
	       !strcmp(mode, "ud2") ? " (xmm15 as the handler changed it in fpregs)" : "");
	if (bad >= 0)
		tap_diag("xmm%d byte 0 is %#x, expected %#x", bad, g_xout[bad][0], xwant[bad][0]);
	tap_ok(!memcmp(g_fout, g_fin, sizeof(g_fin)),
	       "%s: the three values on the x87 stack are restored", mode);
	tap_ok(g_fcw_out == FCW_TEST && g_mxcsr_out == MXCSR_TEST,
	       "%s: the x87 control word and MXCSR are restored", mode);
	if (g_fcw_out != FCW_TEST || g_mxcsr_out != MXCSR_TEST)
		tap_diag("fcw %#x (want %#x), mxcsr %#x (want %#x)", g_fcw_out, FCW_TEST,
			 g_mxcsr_out, MXCSR_TEST);
	if (flags) {
		tap_ok((g_rflags_out & (RFLAGS_CF | RFLAGS_DF)) == (RFLAGS_CF | RFLAGS_DF),
		       "%s: the carry and direction flags are restored", mode);
		if ((g_rflags_out & (RFLAGS_CF | RFLAGS_DF)) != (RFLAGS_CF | RFLAGS_DF))
			tap_diag("rflags %#llx", (unsigned long long)g_rflags_out);
	}
}

static void install(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = clobber_handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

int main(int argc, char **argv)
{
	uint64_t want[NGPR];
	int st, ok;
	pid_t pid;

	(void)argc;
	tap_init(argv, 24);
	install(SIGILL);
	install(SIGUSR1);

	/* ud2 */
	fill_inputs();
	regs_ud2();
	tap_ok(hits == 1 && seen_sig == SIGILL && seen_rip == (uint64_t)regs_ud2_insn,
	       "ud2: the SIGILL handler ran once, with uc_mcontext's rip at the ud2");
	check_gprs("ud2", "uc_mcontext holds the interrupted general registers", seen_greg, g_in, 0);
	tap_ok(!memcmp(seen_xmm, g_xin, sizeof(seen_xmm)),
	       "ud2: uc_mcontext.fpregs holds the interrupted xmm0-xmm15");
	memcpy(want, g_in, sizeof(want));
	want[R12] = NEW_R12;
	check_after("ud2", want, 0, 1);

	/* a system call that raises the signal */
	fill_inputs();
	g_in[RAX] = SYS_kill;
	g_in[RDI] = (uint64_t)getpid();
	g_in[RSI] = SIGUSR1;
	regs_syscall();
	tap_ok(hits == 1 && seen_sig == SIGUSR1,
	       "syscall: kill(getpid(), SIGUSR1) ran the handler once");
	memcpy(want, g_in, sizeof(want));
	want[RAX] = 0; /* kill's return value */
	check_gprs("syscall", "uc_mcontext holds the registers (rax = 0, the call's result)",
		   seen_greg, want, 1u << RCX | 1u << R11);
	check_after("syscall", want, 1u << RCX | 1u << R11, 1);

	/* asynchronous: a child's signal lands in a loop that touches no register but flags */
	fill_inputs();
	g_flag = 0;
	g_spin = 4000000000ULL;
	pid = fork();
	if (pid == 0) {
		struct timespec ts = { 0, 30 * 1000 * 1000 };

		nanosleep(&ts, NULL);
		_exit(kill(getppid(), SIGUSR1) ? 1 : 0);
	}
	if (pid > 0)
		regs_spin();
	st = pid > 0 && waitpid(pid, &st, 0) == pid ? st : -1;
	ok = hits == 1 && seen_sig == SIGUSR1 && seen_rip >= (uint64_t)regs_spin_begin &&
	     seen_rip <= (uint64_t)regs_spin_end && st == 0;
	tap_ok(ok, "spin: a child's SIGUSR1 interrupted the loop and the handler ran once");
	if (!ok)
		tap_diag("hits %d, rip %#llx (loop %p-%p), child %s, %llu iterations left",
			 (int)hits, (unsigned long long)seen_rip, (const void *)regs_spin_begin,
			 (const void *)regs_spin_end, st == -1 ? "lost" : tap_wstatus(st),
			 (unsigned long long)g_spin);
	check_gprs("spin", "uc_mcontext holds the interrupted general registers", seen_greg, g_in,
		   0);
	check_after("spin", g_in, 0, 0);
	return tap_done();
}
