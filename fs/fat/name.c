/* fs/fat/name.c: FAT names: 8.3 short names (with the NT lower-case flags), UTF-16 long names to and
 * from the VFS's UTF-8, checksums and "BASIS~N" aliases. Pure functions: no disk access here. */
#include "name.h"
#include <granary/errno.h>
#include <granary/string.h>

u8 fat_checksum(const u8 name[11])
{
	u8 sum = 0;

	for (int i = 0; i < 11; i++)
		sum = (u8)(((sum & 1) << 7) + (sum >> 1) + name[i]);
	return sum;
}

static size_t put_utf8(char *out, u32 c)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xc0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xe0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		out[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	out[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

static u8 lower(u8 c)
{
	return c >= 'A' && c <= 'Z' ? (u8)(c + 32) : c;
}

static u8 upper(u8 c)
{
	return c >= 'a' && c <= 'z' ? (u8)(c - 32) : c;
}

int fat_short_to_utf8(const struct fat_dirent *de, char *out)
{
	size_t n = 0;
	int blen = 8, elen = 3;

	while (blen && de->name[blen - 1] == ' ')
		blen--;
	while (elen && de->name[8 + elen - 1] == ' ')
		elen--;
	if (!blen || de->name[0] == ' ')
		return -EINVAL; /* the spec forbids a leading space */
	for (int i = 0; i < blen + elen; i++) {
		u8 c = de->name[i < blen ? i : 8 + i - blen];
		bool low = de->ntres & (i < blen ? FAT_NT_LOWER_BASE : FAT_NT_LOWER_EXT);
		if (i == 0 && c == 0x05)
			c = FAT_DELETED; /* a name really starting with 0xe5 */
		if (c < 0x20 || c == '/' || c == '\\' || c == 0x7f)
			return -EINVAL;
		if (i == blen)
			out[n++] = '.';
		/* Bytes above 0x7f are shown as Latin-1: the OEM code page is not kept. */
		n += put_utf8(out + n, low ? lower(c) : c);
	}
	out[n] = '\0';
	return (int)n;
}

int fat_lfn_to_utf8(const u16 *u, unsigned n, char *out)
{
	size_t len = 0;
	unsigned count = 0;

	for (unsigned k = 0; k < n && u[k]; k++, count++) {
		u32 c = u[k];
		if (c >= 0xdc00 && c <= 0xdfff)
			return -EINVAL;
		if (c >= 0xd800 && c <= 0xdbff) {
			if (k + 1 >= n || u[k + 1] < 0xdc00 || u[k + 1] > 0xdfff)
				return -EINVAL;
			c = 0x10000 + ((c - 0xd800) << 10) + (u[++k] - 0xdc00);
			count++;
		}
		if (c < 0x20 || c == '/')
			return -EINVAL;
		len += put_utf8(out + len, c);
	}
	if (!count || count > FAT_NAME_UNITS)
		return -EINVAL;
	out[len] = '\0';
	return (int)len;
}

int fat_utf8_to_units(const char *name, size_t len, u16 *u)
{
	const u8 *s = (const u8 *)name;
	unsigned n = 0;

	for (size_t k = 0; k < len;) {
		u32 c = s[k];
		unsigned extra = c < 0x80 ? 0 : c >= 0xc2 && c < 0xe0 ? 1 : c >= 0xe0 && c < 0xf0 ? 2
										   : c >= 0xf0 && c < 0xf5 ? 3 : 9;
		if (extra == 9 || k + extra >= len)
			return -EINVAL;
		if (extra)
			c &= 0x3f >> extra;
		for (unsigned e = 1; e <= extra; e++) {
			if ((s[k + e] & 0xc0) != 0x80)
				return -EINVAL;
			c = (c << 6) | (s[k + e] & 0x3f);
		}
		if ((extra == 2 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
		    (extra == 3 && (c < 0x10000 || c > 0x10ffff)))
			return -EINVAL;
		k += extra + 1;
		/* What Windows refuses in a name. */
		if (c < 0x20 || (c < 0x80 && strchr("\"*/:<>?\\|", (int)c)))
			return -EINVAL;
		if (n + (c >= 0x10000) >= FAT_NAME_UNITS)
			return -ENAMETOOLONG;
		if (c >= 0x10000) {
			u[n++] = (u16)(0xd800 + ((c - 0x10000) >> 10));
			u[n++] = (u16)(0xdc00 + ((c - 0x10000) & 0x3ff));
		} else {
			u[n++] = (u16)c;
		}
	}
	if (!n || u[n - 1] == '.' || u[n - 1] == ' ')
		return -EINVAL; /* Windows strips trailing dots and spaces: such names are unreachable */
	return (int)n;
}

static bool short_char(u16 c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       (c < 0x80 && c && strchr("$%'-_@~`!(){}^#&", c));
}

/* Upper, lower or neither (no letters) case of u[0..n): 1 upper, 2 lower, 3 mixed, 0 none. */
static int case_of(const u16 *u, unsigned n)
{
	int cs = 0;

	for (unsigned k = 0; k < n; k++) {
		if (u[k] >= 'A' && u[k] <= 'Z')
			cs |= 1;
		else if (u[k] >= 'a' && u[k] <= 'z')
			cs |= 2;
	}
	return cs;
}

bool fat_fits_short(const u16 *u, unsigned n, u8 out[11], u8 *ntres)
{
	unsigned dot = n, blen, elen;

	for (unsigned k = 0; k < n; k++) {
		if (u[k] == '.') {
			if (dot != n || k == 0)
				return false;
			dot = k;
		} else if (!short_char(u[k])) {
			return false;
		}
	}
	blen = dot;
	elen = dot < n ? n - dot - 1 : 0;
	if (blen < 1 || blen > 8 || elen > 3 || case_of(u, blen) == 3 ||
	    case_of(u + dot + 1, elen) == 3)
		return false;
	memset(out, ' ', 11);
	for (unsigned k = 0; k < blen; k++)
		out[k] = upper((u8)u[k]);
	for (unsigned k = 0; k < elen; k++)
		out[8 + k] = upper((u8)u[dot + 1 + k]);
	if (out[0] == FAT_DELETED)
		out[0] = 0x05;
	*ntres = (case_of(u, blen) == 2 ? FAT_NT_LOWER_BASE : 0) |
		 (case_of(u + dot + 1, elen) == 2 ? FAT_NT_LOWER_EXT : 0);
	return true;
}

/* Appends the short-name form of u[k] to s (at most max characters): '_' for what 8.3 lacks. */
static void basis_add(char *s, unsigned *len, unsigned max, u16 c)
{
	if (c == ' ' || c == '.' || *len >= max)
		return;
	s[(*len)++] = (char)(short_char(c) ? upper((u8)c) : '_');
	s[*len] = '\0';
}

void fat_alias_basis(const u16 *u, unsigned n, char base[9], char ext[4])
{
	unsigned dot = n, bl = 0, el = 0;

	for (unsigned k = 1; k < n; k++)
		if (u[k] == '.')
			dot = k;
	base[0] = ext[0] = '\0';
	for (unsigned k = 0; k < dot; k++)
		basis_add(base, &bl, 8, u[k]);
	for (unsigned k = dot + 1; k < n; k++)
		basis_add(ext, &el, 3, u[k]);
	if (!bl)
		basis_add(base, &bl, 8, '_');
}

/* How many leading characters of the basis "BASE~N" keeps for number num. */
static unsigned prefix_len(const char *base, unsigned num)
{
	unsigned digits = 1, bl = (unsigned)strlen(base);

	for (unsigned v = num; v >= 10; v /= 10)
		digits++;
	return bl < 7 - digits ? bl : 7 - digits;
}

void fat_alias_make(const char *base, const char *ext, unsigned num, u8 out[11])
{
	unsigned p = prefix_len(base, num), k = 8;
	char digits[8];
	int nd = 0;

	memset(out, ' ', 11);
	memcpy(out, base, p);
	for (unsigned v = num; v; v /= 10)
		digits[nd++] = (char)('0' + v % 10);
	out[p] = '~';
	for (k = p + 1; nd; k++)
		out[k] = (u8)digits[--nd];
	memcpy(out + 8, ext, strlen(ext));
}

unsigned fat_alias_number(const u8 name[11], const char *base, const char *ext)
{
	unsigned num = 0, tilde = 8, end = 8;
	size_t el = strlen(ext);

	if (memcmp(name + 8, ext, el) || (el < 3 && name[8 + el] != ' '))
		return 0;
	while (end && name[end - 1] == ' ')
		end--;
	for (unsigned k = 0; k < end; k++)
		if (name[k] == '~')
			tilde = k;
	if (tilde >= end - 1 || tilde == 8)
		return 0;
	for (unsigned k = tilde + 1; k < end; k++) {
		if (name[k] < '0' || name[k] > '9' || num > 100000)
			return 0;
		num = num * 10 + (name[k] - '0');
	}
	if (!num || prefix_len(base, num) != tilde || memcmp(name, base, tilde))
		return 0;
	return num;
}

bool fat_name_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen != blen)
		return false;
	for (size_t k = 0; k < alen; k++)
		if (lower((u8)a[k]) != lower((u8)b[k]))
			return false;
	return true;
}
