/* kernel/ktests/fbcon_ktest.c: kernel tests of the framebuffer console: its PSF checks and its pixels.
 * Reads the screen back through test hooks in drivers/console/fbcon.c; not a test of printk itself. */
#include <granary/bootinfo.h>
#include <granary/errno.h>
#include <granary/ktest.h>
#include <granary/printk.h>
#include <granary/string.h>

/* Test hooks in drivers/console/fbcon.c (no header: they are not an interface). */
struct psf_font;
int fbcon_parse_psf(const void *blob, size_t len, struct psf_font *f);
const u8 *fbcon_glyph(u8 ch, unsigned *w, unsigned *h);
int fbcon_cursor_pixel(unsigned back, unsigned x, unsigned y);

extern const u8 font_psf_start[], font_psf_end[];

#define PSF2_LEN (32 + 2 * 4) /* two 8x4 glyphs */

static void put_le32(u8 *p, u32 v)
{
	for (int i = 0; i < 4; i++)
		p[i] = v >> (8 * i);
}

/* A well-formed PSF2 font: header size 32, 2 glyphs of 4 bytes (8x4), no unicode table. */
static void make_psf2(u8 *b)
{
	static const u32 hdr[8] = { 0x864ab572, 0, 32, 0, 2, 4, 4, 8 };

	memset(b, 0x5a, PSF2_LEN);
	for (int i = 0; i < 8; i++)
		put_le32(b + 4 * i, hdr[i]);
}

KTEST(fbcon_psf_rejects_corrupt_headers)
{
	u8 b[PSF2_LEN];
	u8 psf1[4 + 256 * 2] = { 0x36, 0x04, 0x00, 2 };

	KT_EXPECT(fbcon_parse_psf(font_psf_start, font_psf_end - font_psf_start, NULL) >= 256);
	make_psf2(b);
	KT_EXPECT_EQ(fbcon_parse_psf(b, sizeof(b), NULL), 2);
	KT_EXPECT_EQ(fbcon_parse_psf(b, sizeof(b) - 1, NULL), -EINVAL); /* last glyph cut short */
	KT_EXPECT_EQ(fbcon_parse_psf(b, 31, NULL), -EINVAL);            /* header cut short */
	b[0] ^= 1;                                                       /* magic */
	KT_EXPECT_EQ(fbcon_parse_psf(b, sizeof(b), NULL), -EINVAL);
	make_psf2(b);
	put_le32(b + 8, 16); /* header size below the header's own */
	KT_EXPECT_EQ(fbcon_parse_psf(b, sizeof(b), NULL), -EINVAL);
	put_le32(b + 8, 0xfffffff0u); /* header size beyond the file */
	KT_EXPECT_EQ(fbcon_parse_psf(b, sizeof(b), NULL), -EINVAL);
	make_psf2(b);
	put_le32(b + 20, 3); /* bytes per glyph != height * ((width + 7) / 8), data still in the file */
	KT_EXPECT_EQ(fbcon_parse_psf(b, sizeof(b), NULL), -EINVAL);
	make_psf2(b);
	put_le32(b + 16, 0x40000000u); /* glyph count: data far beyond the file */
	KT_EXPECT_EQ(fbcon_parse_psf(b, sizeof(b), NULL), -EINVAL);
	put_le32(b + 16, 0); /* no glyphs */
	KT_EXPECT_EQ(fbcon_parse_psf(b, sizeof(b), NULL), -EINVAL);
	make_psf2(b);
	put_le32(b + 28, 0); /* zero width (and a matching zero glyph size) */
	put_le32(b + 20, 0);
	KT_EXPECT_EQ(fbcon_parse_psf(b, sizeof(b), NULL), -EINVAL);

	KT_EXPECT_EQ(fbcon_parse_psf(psf1, sizeof(psf1), NULL), 256);
	KT_EXPECT_EQ(fbcon_parse_psf(psf1, sizeof(psf1) - 1, NULL), -EINVAL);
	psf1[2] = 0x01; /* 512 glyphs claimed, 256 present */
	KT_EXPECT_EQ(fbcon_parse_psf(psf1, sizeof(psf1), NULL), -EINVAL);
	psf1[2] = 0;
	psf1[3] = 0; /* zero height */
	KT_EXPECT_EQ(fbcon_parse_psf(psf1, sizeof(psf1), NULL), -EINVAL);
}

/* Counts the pixels of the cell back columns left of the cursor that differ from the glyph of
 * ch. Prints nothing: a printk would move the cursor. */
static unsigned cell_diff(unsigned back, u8 ch, unsigned *lit)
{
	unsigned w, h, bad = 0;
	const u8 *g = fbcon_glyph(ch, &w, &h);

	*lit = 0;
	for (unsigned y = 0; y < h; y++) {
		for (unsigned x = 0; x < w; x++) {
			int want = !!(g[y * ((w + 7) / 8) + x / 8] & (0x80 >> (x % 8)));
			*lit += want;
			bad += fbcon_cursor_pixel(back, x, y) != want;
		}
	}
	return bad;
}

KTEST(fbcon_draws_font_glyphs)
{
	static const char probe[] = "AZ@";
	unsigned w, h, bad[3], lit[3];

	const struct boot_framebuffer *b = &bootinfo.fb;

	/* fbcon draws into direct-RGB framebuffers of 16, 24 and 32 bpp, and into no others. */
	if (!console_enabled("tty0") || !bootinfo.has_framebuffer || b->type != 1 ||
	    (b->bpp != 16 && b->bpp != 24 && b->bpp != 32)) {
		KT_EXPECT(fbcon_glyph('A', &w, &h) == NULL);
		ktest_note("skip: console=tty0 off, or no framebuffer fbcon can draw into");
		return;
	}
	KT_ASSERT(fbcon_glyph('A', &w, &h) != NULL); /* the console registered */
	KT_EXPECT(fbcon_glyph('A', &w, &h) != fbcon_glyph('Z', &w, &h));
	/* A partial line: the cursor stays just after it until the newline. */
	printk(KERN_NOTICE "# fbcon: %s", probe);
	for (unsigned i = 0; i < 3; i++)
		bad[i] = cell_diff(3 - i, probe[i], &lit[i]);
	pr_cont("\n");
	KT_EXPECT_EQ(fbcon_cursor_pixel(1, 0, 0), -1); /* column 0: nothing left of the cursor */
	for (unsigned i = 0; i < 3; i++) {
		if (bad[i])
			ktest_fail(__FILE__, __LINE__, "'%c': %u of %ux%u pixels differ from the font",
				   probe[i], bad[i], w, h);
		KT_EXPECT(lit[i] > 0 && lit[i] < w * h); /* a blank or solid glyph proves nothing */
	}
}
