#include <granary/ktest.h>
#include <granary/printk.h>
#include <granary/time.h>
#include <granary/bootinfo.h>
#include <granary/paging.h>
static u64 tab[256][4];
KTEST(zz_store_speed)
{
	u8 *v = ioremap(bootinfo.fb.addr, 1024 * 768 * 4);
	u64 t0, t1, t2;
	t0 = time_ns();
	for (int k = 0; k < 10; k++)
		for (int i = 0; i < 1024 * 768 / 2; i++)
			((volatile u64 *)v)[i] = i;
	t1 = time_ns();
	for (int k = 0; k < 10; k++)
		for (int r = 0; r < 48; r++)
			for (int c = 0; c < 128; c++) {
				u8 *line = v + r * 16 * 4096 + c * 32;
				for (int y = 0; y < 16; y++, line += 4096) {
					volatile u64 *p = (volatile u64 *)line;
					const u64 *e = tab[(c + y) & 255];
					p[0] = e[0]; p[1] = e[1]; p[2] = e[2]; p[3] = e[3];
				}
			}
	t2 = time_ns();
	ktest_note("seq %lu ns/store, cells %lu ns/store", (t1 - t0) / (10 * 1024 * 768 / 2), (t2 - t1) / (10 * 1024 * 768 / 2));
	t0 = time_ns();
	for (int k = 0; k < 10; k++)
		for (int r = 0; r < 48; r++)
			for (int y = 0; y < 16; y++) {
				volatile u64 *p = (volatile u64 *)(v + (r * 16 + y) * 4096);
				for (int c = 0; c < 128; c++, p += 4) {
					const u64 *e = tab[(c + y) & 255];
					p[0] = e[0]; p[1] = e[1]; p[2] = e[2]; p[3] = e[3];
				}
			}
	t1 = time_ns();
	ktest_note("scanlines %lu ns/store", (t1 - t0) / (10 * 1024 * 768 / 2));
}
