#include <granary/ktest.h>
#include <granary/printk.h>
#include <granary/time.h>
KTEST(zz_fbcon_timing)
{
	char line[128];
	u64 t0 = time_ns(), t1;
	for (int i = 0; i < 200; i++) {
		for (int j = 0; j < 126; j++)
			line[j] = 33 + (i * 7 + j) % 90;
		line[126] = 0;
		printk(KERN_NOTICE "%s\n", line);
	}
	t1 = time_ns();
	ktest_note("200 worst-case lines took %llu us", (unsigned long long)(t1 - t0) / 1000);
}
