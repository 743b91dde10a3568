/* drivers/console/fbcon.c: kernel messages as text in the boot loader's linear framebuffer.
 * Registered as "tty0"; direct RGB at 16/24/32 bpp, Latin-1 bytes, no escape sequences or cursor. */
#include <granary/bootinfo.h>
#include <granary/console.h>
#include <granary/errno.h>
#include <granary/paging.h>
#include <granary/printk.h>
#include <granary/string.h>

#define MAX_COLS 256 /* a larger screen shows this much of it, top left */
#define MAX_ROWS 128
#define FONT_MAX_W 32
#define FONT_MAX_H 64

#define PSF1_MAGIC0 0x36
#define PSF1_MAGIC1 0x04
#define PSF1_MODE512 0x01
#define PSF1_MODE_TABLE 0x06 /* MODEHASTAB or MODESEQ: a unicode table follows */
#define PSF2_MAGIC 0x864ab572
#define PSF2_HAS_UNICODE_TABLE 0x01
#define PSF2_HEADER_SIZE 32

/* Unicode table units, PSF2's 0xff/0xfe bytes widened to PSF1's values. */
#define UNI_END_GLYPH 0xffff
#define UNI_SEQUENCE 0xfffe
#define UNI_IGNORED 0xfffd
#define UNI_NO_DATA 0xffffffffu
#define NO_GLYPH 0xffffffffu

#define GREY 0xaa /* VGA's light grey, per channel */

/* A checked PSF font: every glyph lies inside the blob. */
struct psf_font {
	const u8 *glyphs;      /* count glyphs of size bytes; rows of (width + 7) / 8 bytes, MSB left */
	const u8 *table, *end; /* the unicode table (NULL if none) and the blob's end */
	u32 count, width, height, size;
	bool psf2;
};

extern const u8 font_psf_start[], font_psf_end[]; /* font8x16.S */

/* Test hooks, used only by kernel/ktests/fbcon_ktest.c (which declares them too). */
int fbcon_parse_psf(const void *blob, size_t len, struct psf_font *f);
const u8 *fbcon_glyph(u8 ch, unsigned *w, unsigned *h);
int fbcon_cursor_pixel(unsigned back, unsigned x, unsigned y);

static struct psf_font font;
static u32 glyph_of[256]; /* byte -> glyph index */
static u8 *fb;            /* NULL until the console is up */
static u32 pitch, bypp, fg, bg; /* bg is black: 0 */
static u64 expand32[256][4]; /* 32 bpp: the 8 pixels of a glyph row, as 4 stores of 2 */
static unsigned cols, rows, row, col; /* col == cols: the next character wraps first */
/* text is what the screen should show, shown what is drawn; sync() draws the difference
 * in rows [dirty_lo, dirty_hi), so a scroll never reads the (uncached) framebuffer back. */
static u8 text[MAX_ROWS][MAX_COLS], shown[MAX_ROWS][MAX_COLS];
static unsigned dirty_lo, dirty_hi;

static u32 get_le32(const u8 *p) { return p[0] | p[1] << 8 | p[2] << 16 | (u32)p[3] << 24; }

/* Checks a PSF1 or PSF2 font of len bytes and describes it in *f (if not NULL).
 * Returns the glyph count, or -EINVAL if the header is unknown or does not fit the data.
 * Not static only so that fbcon_ktest.c can feed it corrupt fonts. */
int fbcon_parse_psf(const void *blob, size_t len, struct psf_font *f)
{
	const u8 *p = blob;
	struct psf_font tmp;
	u64 hdr, data;

	if (!f)
		f = &tmp;
	memset(f, 0, sizeof(*f));
	if (len >= 4 && p[0] == PSF1_MAGIC0 && p[1] == PSF1_MAGIC1) {
		hdr = 4;
		f->count = p[2] & PSF1_MODE512 ? 512 : 256;
		f->width = 8;
		f->height = f->size = p[3];
		if (p[2] & PSF1_MODE_TABLE)
			f->table = p;
	} else if (len >= PSF2_HEADER_SIZE && get_le32(p) == PSF2_MAGIC) {
		hdr = get_le32(p + 8);
		f->psf2 = true;
		f->count = get_le32(p + 16);
		f->size = get_le32(p + 20);
		f->height = get_le32(p + 24);
		f->width = get_le32(p + 28);
		if (get_le32(p + 12) & PSF2_HAS_UNICODE_TABLE)
			f->table = p;
		if (hdr < PSF2_HEADER_SIZE)
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	if (!f->width || f->width > FONT_MAX_W || !f->height || f->height > FONT_MAX_H ||
	    f->size != f->height * ((f->width + 7) / 8) || !f->count)
		return -EINVAL;
	data = hdr + (u64)f->count * f->size;
	if (data > len)
		return -EINVAL;
	f->glyphs = p + hdr;
	if (f->table)
		f->table = p + data;
	f->end = p + len;
	return f->count;
}

/* Reads one unit of the unicode table at *tp: a code point, UNI_END_GLYPH, UNI_SEQUENCE,
 * UNI_IGNORED (UTF-8 beyond U+07FF, or malformed), or UNI_NO_DATA at the end. */
static u32 table_next(const struct psf_font *f, const u8 **tp)
{
	const u8 *t = *tp;

	if (t >= f->end || (!f->psf2 && f->end - t < 2))
		return UNI_NO_DATA;
	if (!f->psf2) {
		*tp = t + 2;
		return t[0] | t[1] << 8;
	}
	*tp = t + 1;
	if (t[0] >= 0xfe)
		return 0xff00 | t[0];
	if (t[0] < 0x80)
		return t[0];
	if ((t[0] & 0xe0) == 0xc0 && f->end - t >= 2 && (t[1] & 0xc0) == 0x80) {
		*tp = t + 2;
		return (t[0] & 0x1f) << 6 | (t[1] & 0x3f);
	}
	return UNI_IGNORED;
}

/* Maps each byte, as Latin-1, to a glyph: through the unicode table if the font has one,
 * else byte = glyph index. Bytes without a glyph show as '?'. */
static void build_map(const struct psf_font *f)
{
	const u8 *t = f->table;
	u32 g = 0, u, fallback;
	bool seq = false;

	for (unsigned i = 0; i < 256; i++)
		glyph_of[i] = f->table || i >= f->count ? NO_GLYPH : i;
	while (t && g < f->count && (u = table_next(f, &t)) != UNI_NO_DATA) {
		if (u == UNI_END_GLYPH) {
			g++;
			seq = false;
		} else if (u == UNI_SEQUENCE) {
			seq = true; /* combining sequences: not single bytes */
		} else if (!seq && u < 256 && glyph_of[u] == NO_GLYPH) {
			glyph_of[u] = g;
		}
	}
	fallback = glyph_of['?'] != NO_GLYPH ? glyph_of['?'] : 0;
	for (unsigned i = 0; i < 256; i++)
		if (glyph_of[i] == NO_GLYPH)
			glyph_of[i] = fallback;
}

static u32 channel(u8 v, u8 pos, u8 size)
{
	if (!size)
		return 0;
	return (size <= 8 ? (u32)v >> (8 - size) : (u32)v << (size - 8)) << pos;
}

static void put_pixel(u8 *p, u32 v)
{
	if (bypp == 4) {
		*(volatile u32 *)p = v;
	} else if (bypp == 3) {
		((volatile u8 *)p)[0] = v;
		((volatile u8 *)p)[1] = v >> 8;
		((volatile u8 *)p)[2] = v >> 16;
	} else {
		*(volatile u16 *)p = v;
	}
}

static const u8 *glyph(u8 ch) { return font.glyphs + (size_t)glyph_of[ch] * font.size; }

static void draw_cell(unsigned r, unsigned c, u8 ch)
{
	const u8 *g = glyph(ch);
	u8 *line = fb + (size_t)r * font.height * pitch + (size_t)c * font.width * bypp;
	unsigned w = font.width, h = font.height, step = pitch;

	if (bypp == 4 && w == 8) { /* the usual case: a glyph row is 4 stores from a table */
		for (unsigned y = 0; y < h; y++, line += step) {
			volatile u64 *p = (volatile u64 *)line;
			const u64 *e = expand32[g[y]];
			p[0] = e[0];
			p[1] = e[1];
			p[2] = e[2];
			p[3] = e[3];
		}
		return;
	}
	for (unsigned y = 0; y < h; y++, line += step, g += (w + 7) / 8)
		for (unsigned x = 0; x < w; x++)
			put_pixel(line + x * bypp, g[x / 8] & (0x80 >> (x % 8)) ? fg : bg);
}

static void sync(void)
{
	for (unsigned r = dirty_lo; r < dirty_hi; r++)
		for (unsigned c = 0; c < cols; c++)
			if (shown[r][c] != text[r][c])
				draw_cell(r, c, shown[r][c] = text[r][c]);
	dirty_lo = rows;
	dirty_hi = 0;
}

static void newline(void)
{
	col = 0;
	if (++row < rows)
		return;
	memmove(text[0], text[1], (size_t)(rows - 1) * MAX_COLS);
	memset(text[rows - 1], ' ', MAX_COLS);
	row = rows - 1;
	dirty_lo = 0;
	dirty_hi = rows;
}

static void put(u8 ch)
{
	switch (ch) {
	case '\n':
		newline();
		return;
	case '\r':
		col = 0;
		return;
	case '\t':
		col = (col + 8) & ~7u;
		if (col > cols)
			col = cols;
		return;
	case '\b':
		if (col)
			col--;
		return;
	}
	if (col >= cols)
		newline();
	text[row][col++] = ch;
	if (row < dirty_lo)
		dirty_lo = row;
	if (row >= dirty_hi)
		dirty_hi = row + 1;
}

static void fb_write(struct console *con, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		put(s[i]);
	sync();
}

static struct console fb_console = { .name = "tty0", .write = fb_write };

/* Whether this file can draw into b; if not, *why says what is wrong with it. */
static bool fb_supported(const struct boot_framebuffer *b, const char **why)
{
	*why = NULL;
	if (b->type != 1)
		*why = "not direct RGB";
	else if (b->bpp != 16 && b->bpp != 24 && b->bpp != 32)
		*why = "depth";
	else if (!b->width || !b->height || b->pitch < b->width * (b->bpp / 8))
		*why = "geometry";
	else if (b->red_pos + b->red_size > b->bpp || b->green_pos + b->green_size > b->bpp ||
		 b->blue_pos + b->blue_size > b->bpp)
		*why = "colour layout";
	return !*why;
}

void screen_console_init(void)
{
	const struct boot_framebuffer *b = &bootinfo.fb;
	const char *why;

	if (!console_enabled(fb_console.name))
		return;
	if (!bootinfo.has_framebuffer) {
		pr_warn("fbcon: the boot loader gave no framebuffer\n");
		return;
	}
	if (!fb_supported(b, &why)) {
		pr_warn("fbcon: unsupported framebuffer (%s): type %u, %ux%u, %u bpp, pitch %u\n", why,
			b->type, b->width, b->height, b->bpp, b->pitch);
		return;
	}
	if (fbcon_parse_psf(font_psf_start, font_psf_end - font_psf_start, &font) < 0) {
		pr_warn("fbcon: the built-in PSF font is malformed\n");
		return;
	}
	fb = ioremap_wc(b->addr, (size_t)b->pitch * b->height);
	if (!fb) {
		pr_warn("fbcon: cannot map the framebuffer at %#llx\n", (unsigned long long)b->addr);
		return;
	}
	build_map(&font);
	pitch = b->pitch;
	bypp = b->bpp / 8;
	fg = channel(GREY, b->red_pos, b->red_size) | channel(GREY, b->green_pos, b->green_size) |
	     channel(GREY, b->blue_pos, b->blue_size);
	for (unsigned i = 0; i < 256 * 8; i++) /* pixel i % 8 of byte i / 8, leftmost in the low half */
		((u32 *)expand32)[i] = (i / 8) & (0x80 >> (i % 8)) ? fg : bg;
	cols = b->width / font.width < MAX_COLS ? b->width / font.width : MAX_COLS;
	rows = b->height / font.height < MAX_ROWS ? b->height / font.height : MAX_ROWS;
	for (u32 y = 0; y < b->height; y++) /* margins too: the loader may have left a picture */
		for (u32 x = 0; x < b->width; x++)
			put_pixel(fb + (size_t)y * pitch + x * bypp, bg);
	/* shown[] is zero: the first sync draws every cell, whatever glyph a space has. */
	memset(text, ' ', sizeof(text));
	row = col = 0;
	dirty_lo = 0;
	dirty_hi = rows;
	sync();
	console_register(&fb_console);
	pr_info("fbcon: %ux%u, %u bpp: %ux%u characters of %ux%u\n", b->width, b->height, b->bpp,
		cols, rows, font.width, font.height);
}

/* The bitmap drawn for byte ch, with the cell size in *w and *h; NULL if the console is off. */
const u8 *fbcon_glyph(u8 ch, unsigned *w, unsigned *h)
{
	*w = font.width;
	*h = font.height;
	return fb ? glyph(ch) : NULL;
}

/* Pixel (x, y) of the cell back columns left of the cursor, read from the framebuffer:
 * 1 foreground, 0 background, -1 anything else or no such cell. */
int fbcon_cursor_pixel(unsigned back, unsigned x, unsigned y)
{
	const u8 *p;
	u32 v;

	if (!fb || back == 0 || back > col || x >= font.width || y >= font.height)
		return -1;
	p = fb + ((size_t)row * font.height + y) * pitch + ((size_t)(col - back) * font.width + x) * bypp;
	if (bypp == 4)
		v = *(volatile u32 *)p;
	else if (bypp == 3)
		v = ((volatile u8 *)p)[0] | ((volatile u8 *)p)[1] << 8 | (u32)((volatile u8 *)p)[2] << 16;
	else
		v = *(volatile u16 *)p;
	return v == fg ? 1 : v == bg ? 0 : -1;
}

bool screen_console_size(unsigned *r, unsigned *c)
{
	*r = rows;
	*c = cols;
	return fb != NULL;
}

void screen_console_write(const char *s, size_t n)
{
	if (fb)
		fb_write(&fb_console, s, n);
}
