/* fs/procfs/cpuinfo.c: /proc/cpuinfo from CPUID, in Linux's layout and with Linux's flag names.
 * One block per CPU the kernel runs on (one today); the clock is the calibrated TSC's. */
#include <granary/cpu.h>
#include <granary/string.h>
#include <granary/time.h>

#include "procfs.h"

enum cpuid_word { W1_EDX, X1_EDX, W1_ECX, X1_ECX, W7_EBX, W7_ECX, W7_EDX, NWORDS };

/* Flag names by word and bit, in Linux's order (word, then bit); NULL entries are not shown. */
struct flag {
	u8 word, bit;
	const char *name;
};

static const struct flag flags[] = {
	{ W1_EDX, 0, "fpu" }, { W1_EDX, 1, "vme" }, { W1_EDX, 2, "de" }, { W1_EDX, 3, "pse" },
	{ W1_EDX, 4, "tsc" }, { W1_EDX, 5, "msr" }, { W1_EDX, 6, "pae" }, { W1_EDX, 7, "mce" },
	{ W1_EDX, 8, "cx8" }, { W1_EDX, 9, "apic" }, { W1_EDX, 11, "sep" }, { W1_EDX, 12, "mtrr" },
	{ W1_EDX, 13, "pge" }, { W1_EDX, 14, "mca" }, { W1_EDX, 15, "cmov" }, { W1_EDX, 16, "pat" },
	{ W1_EDX, 17, "pse36" }, { W1_EDX, 18, "pn" }, { W1_EDX, 19, "clflush" },
	{ W1_EDX, 21, "dts" }, { W1_EDX, 22, "acpi" }, { W1_EDX, 23, "mmx" }, { W1_EDX, 24, "fxsr" },
	{ W1_EDX, 25, "sse" }, { W1_EDX, 26, "sse2" }, { W1_EDX, 27, "ss" }, { W1_EDX, 28, "ht" },
	{ W1_EDX, 29, "tm" }, { W1_EDX, 30, "ia64" }, { W1_EDX, 31, "pbe" },
	{ X1_EDX, 11, "syscall" }, { X1_EDX, 19, "mp" }, { X1_EDX, 20, "nx" },
	{ X1_EDX, 22, "mmxext" }, { X1_EDX, 25, "fxsr_opt" }, { X1_EDX, 26, "pdpe1gb" },
	{ X1_EDX, 27, "rdtscp" }, { X1_EDX, 29, "lm" }, { X1_EDX, 30, "3dnowext" },
	{ X1_EDX, 31, "3dnow" },
	{ W1_ECX, 0, "pni" }, { W1_ECX, 1, "pclmulqdq" }, { W1_ECX, 2, "dtes64" },
	{ W1_ECX, 3, "monitor" }, { W1_ECX, 4, "ds_cpl" }, { W1_ECX, 5, "vmx" }, { W1_ECX, 6, "smx" },
	{ W1_ECX, 7, "est" }, { W1_ECX, 8, "tm2" }, { W1_ECX, 9, "ssse3" }, { W1_ECX, 10, "cid" },
	{ W1_ECX, 11, "sdbg" }, { W1_ECX, 12, "fma" }, { W1_ECX, 13, "cx16" }, { W1_ECX, 14, "xtpr" },
	{ W1_ECX, 15, "pdcm" }, { W1_ECX, 17, "pcid" }, { W1_ECX, 18, "dca" },
	{ W1_ECX, 19, "sse4_1" }, { W1_ECX, 20, "sse4_2" }, { W1_ECX, 21, "x2apic" },
	{ W1_ECX, 22, "movbe" }, { W1_ECX, 23, "popcnt" }, { W1_ECX, 24, "tsc_deadline_timer" },
	{ W1_ECX, 25, "aes" }, { W1_ECX, 26, "xsave" }, { W1_ECX, 28, "avx" }, { W1_ECX, 29, "f16c" },
	{ W1_ECX, 30, "rdrand" }, { W1_ECX, 31, "hypervisor" },
	{ X1_ECX, 0, "lahf_lm" }, { X1_ECX, 1, "cmp_legacy" }, { X1_ECX, 2, "svm" },
	{ X1_ECX, 3, "extapic" }, { X1_ECX, 4, "cr8_legacy" }, { X1_ECX, 5, "abm" },
	{ X1_ECX, 6, "sse4a" }, { X1_ECX, 7, "misalignsse" }, { X1_ECX, 8, "3dnowprefetch" },
	{ X1_ECX, 9, "osvw" }, { X1_ECX, 10, "ibs" }, { X1_ECX, 11, "xop" }, { X1_ECX, 12, "skinit" },
	{ X1_ECX, 13, "wdt" }, { X1_ECX, 15, "lwp" }, { X1_ECX, 16, "fma4" }, { X1_ECX, 17, "tce" },
	{ X1_ECX, 19, "nodeid_msr" }, { X1_ECX, 21, "tbm" }, { X1_ECX, 22, "topoext" },
	{ X1_ECX, 23, "perfctr_core" }, { X1_ECX, 24, "perfctr_nb" },
	{ W7_EBX, 0, "fsgsbase" }, { W7_EBX, 1, "tsc_adjust" }, { W7_EBX, 2, "sgx" },
	{ W7_EBX, 3, "bmi1" }, { W7_EBX, 4, "hle" }, { W7_EBX, 5, "avx2" }, { W7_EBX, 7, "smep" },
	{ W7_EBX, 8, "bmi2" }, { W7_EBX, 9, "erms" }, { W7_EBX, 10, "invpcid" }, { W7_EBX, 11, "rtm" },
	{ W7_EBX, 14, "mpx" }, { W7_EBX, 16, "avx512f" }, { W7_EBX, 17, "avx512dq" },
	{ W7_EBX, 18, "rdseed" }, { W7_EBX, 19, "adx" }, { W7_EBX, 20, "smap" },
	{ W7_EBX, 21, "avx512ifma" }, { W7_EBX, 23, "clflushopt" }, { W7_EBX, 24, "clwb" },
	{ W7_EBX, 25, "intel_pt" }, { W7_EBX, 26, "avx512pf" }, { W7_EBX, 27, "avx512er" },
	{ W7_EBX, 28, "avx512cd" }, { W7_EBX, 29, "sha_ni" }, { W7_EBX, 30, "avx512bw" },
	{ W7_EBX, 31, "avx512vl" },
	{ W7_ECX, 1, "avx512vbmi" }, { W7_ECX, 2, "umip" }, { W7_ECX, 3, "pku" },
	{ W7_ECX, 4, "ospke" }, { W7_ECX, 5, "waitpkg" }, { W7_ECX, 6, "avx512_vbmi2" },
	{ W7_ECX, 8, "gfni" }, { W7_ECX, 9, "vaes" }, { W7_ECX, 10, "vpclmulqdq" },
	{ W7_ECX, 11, "avx512_vnni" }, { W7_ECX, 12, "avx512_bitalg" },
	{ W7_ECX, 14, "avx512_vpopcntdq" }, { W7_ECX, 16, "la57" }, { W7_ECX, 22, "rdpid" },
	{ W7_ECX, 27, "movdiri" }, { W7_ECX, 28, "movdir64b" },
	{ W7_EDX, 2, "avx512_4vnniw" }, { W7_EDX, 3, "avx512_4fmaps" }, { W7_EDX, 4, "fsrm" },
	{ W7_EDX, 10, "md_clear" }, { W7_EDX, 14, "serialize" }, { W7_EDX, 16, "tsxldtrk" },
	{ W7_EDX, 18, "pconfig" }, { W7_EDX, 19, "arch_lbr" }, { W7_EDX, 20, "ibt" },
	{ W7_EDX, 22, "amx_bf16" }, { W7_EDX, 23, "avx512_fp16" }, { W7_EDX, 24, "amx_tile" },
	{ W7_EDX, 25, "amx_int8" }, { W7_EDX, 28, "flush_l1d" }, { W7_EDX, 29, "arch_capabilities" },
};

struct cpu_ident {
	char vendor[13];
	char model_name[49];
	u32 max_leaf, max_ext;
	u32 family, model, stepping, apicid, clflush;
	u32 cache_kb, phys_bits, virt_bits;
	u32 words[NWORDS];
};

static void identify(struct cpu_ident *c)
{
	u32 a, b, d, x;

	*c = (struct cpu_ident){ 0 };
	cpuid(0, 0, &c->max_leaf, &b, &x, &d);
	memcpy(c->vendor, &b, 4);
	memcpy(c->vendor + 4, &d, 4);
	memcpy(c->vendor + 8, &x, 4);
	cpuid(1, 0, &a, &b, &c->words[W1_ECX], &c->words[W1_EDX]);
	c->stepping = a & 0xf;
	c->family = (a >> 8) & 0xf;
	c->model = (a >> 4) & 0xf;
	if (c->family == 0xf)
		c->family += (a >> 20) & 0xff;
	if (c->family >= 6)
		c->model |= ((a >> 16) & 0xf) << 4;
	c->apicid = b >> 24;
	c->clflush = ((b >> 8) & 0xff) * 8;
	if (c->max_leaf >= 7)
		cpuid(7, 0, &a, &c->words[W7_EBX], &c->words[W7_ECX], &c->words[W7_EDX]);
	cpuid(0x80000000, 0, &c->max_ext, &b, &x, &d);
	if (c->max_ext >= 0x80000001)
		cpuid(0x80000001, 0, &a, &b, &c->words[X1_ECX], &c->words[X1_EDX]);
	if (c->max_ext >= 0x80000004) {
		u32 *n = (u32 *)c->model_name;
		for (u32 leaf = 0; leaf < 3; leaf++, n += 4)
			cpuid(0x80000002 + leaf, 0, &n[0], &n[1], &n[2], &n[3]);
	}
	if (c->max_ext >= 0x80000006) {
		cpuid(0x80000006, 0, &a, &b, &x, &d);
		c->cache_kb = x >> 16;
	}
	c->phys_bits = 36;
	c->virt_bits = 48;
	if (c->max_ext >= 0x80000008) {
		cpuid(0x80000008, 0, &a, &b, &x, &d);
		c->phys_bits = a & 0xff;
		c->virt_bits = (a >> 8) & 0xff;
	}
}

int procfs_show_cpuinfo(struct seqbuf *s, struct process *p)
{
	struct cpu_ident c;
	const char *name;
	u64 khz = time_tsc_khz(), bogo = khz / 5; /* bogomips is twice the MHz, in hundredths */

	identify(&c);
	name = c.model_name;
	while (*name == ' ')
		name++;
	seq_printf(s, "processor\t: %u\nvendor_id\t: %s\ncpu family\t: %u\nmodel\t\t: %u\n", 0,
		   c.vendor, c.family, c.model);
	seq_printf(s, "model name\t: %s\nstepping\t: %u\n", *name ? name : "unknown", c.stepping);
	seq_printf(s, "cpu MHz\t\t: %llu.%03llu\n", (unsigned long long)(khz / 1000),
		   (unsigned long long)(khz % 1000));
	if (c.cache_kb)
		seq_printf(s, "cache size\t: %u KB\n", c.cache_kb);
	seq_printf(s, "physical id\t: 0\nsiblings\t: 1\ncore id\t\t: 0\ncpu cores\t: 1\n");
	seq_printf(s, "apicid\t\t: %u\ninitial apicid\t: %u\n", c.apicid, c.apicid);
	seq_printf(s, "fpu\t\t: yes\nfpu_exception\t: yes\ncpuid level\t: %u\nwp\t\t: yes\nflags\t\t:",
		   c.max_leaf);
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++)
		if (c.words[flags[i].word] & (1u << flags[i].bit))
			seq_printf(s, " %s", flags[i].name);
	seq_printf(s, "\nbugs\t\t:\nbogomips\t: %llu.%02llu\n", (unsigned long long)(bogo / 100),
		   (unsigned long long)(bogo % 100));
	seq_printf(s, "clflush size\t: %u\ncache_alignment\t: %u\n", c.clflush, c.clflush);
	seq_printf(s, "address sizes\t: %u bits physical, %u bits virtual\npower management:\n\n",
		   c.phys_bits, c.virt_bits);
	return 0;
}
