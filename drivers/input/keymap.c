/* drivers/input/keymap.c: scancode set 1 (what the i8042 gives with translation on) to terminal bytes.
 * US layout only; no dead keys, compose or keymap loading. Escape sequences are the Linux console's. */
#include <granary/string.h>

#include "keymap.h"

#define ESC "\033"

/* Unshifted and shifted characters of the main block, by make code; 0: not a character key. */
static const char plain_keys[0x3a] = {
	[0x01] = 0x1b, '1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '-', '=', 0x7f, '\t',
	'q', 'w', 'e', 'r', 't', 'y', 'u', 'i', 'o', 'p', '[', ']', '\r', 0,
	'a', 's', 'd', 'f', 'g', 'h', 'j', 'k', 'l', ';', '\'', '`', 0, '\\',
	'z', 'x', 'c', 'v', 'b', 'n', 'm', ',', '.', '/', 0, '*', 0, ' ',
};
static const char shift_keys[0x3a] = {
	[0x01] = 0x1b, '!', '@', '#', '$', '%', '^', '&', '*', '(', ')', '_', '+', 0x7f, '\t',
	'Q', 'W', 'E', 'R', 'T', 'Y', 'U', 'I', 'O', 'P', '{', '}', '\r', 0,
	'A', 'S', 'D', 'F', 'G', 'H', 'J', 'K', 'L', ':', '"', '~', 0, '|',
	'Z', 'X', 'C', 'V', 'B', 'N', 'M', '<', '>', '?', 0, '*', 0, ' ',
};

/* F1-F10 (0x3b-0x44), F11 (0x57), F12 (0x58). */
static const char *const fkeys[12] = {
	ESC "[[A", ESC "[[B", ESC "[[C", ESC "[[D", ESC "[[E", ESC "[17~",
	ESC "[18~", ESC "[19~", ESC "[20~", ESC "[21~", ESC "[23~", ESC "[24~",
};

/* The cursor and editing keys (0xe0-prefixed, or the keypad with Num Lock off), and the
 * keypad's digits with Num Lock on, by make code 0x47-0x53. */
static const char *const edit_keys[0x0d] = {
	[0x47 - 0x47] = ESC "[1~", [0x48 - 0x47] = ESC "[A", [0x49 - 0x47] = ESC "[5~",
	[0x4b - 0x47] = ESC "[D", [0x4c - 0x47] = ESC "[G", [0x4d - 0x47] = ESC "[C",
	[0x4f - 0x47] = ESC "[4~", [0x50 - 0x47] = ESC "[B", [0x51 - 0x47] = ESC "[6~",
	[0x52 - 0x47] = ESC "[2~", [0x53 - 0x47] = ESC "[3~",
};
static const char keypad_digits[0x0e] = "789-456+1230.";

static u8 modifier_bit(u8 make, bool e0)
{
	switch (make) {
	case 0x2a:
		return e0 ? 0 : KBD_LSHIFT; /* e0 2a is a fake shift around some keys: ignored */
	case 0x36:
		return e0 ? 0 : KBD_RSHIFT;
	case 0x1d:
		return e0 ? KBD_RCTRL : KBD_LCTRL;
	case 0x38:
		return e0 ? KBD_RALT : KBD_LALT;
	}
	return 0;
}

/* The control byte Ctrl gives with c, or -1 when Ctrl changes nothing. */
static int control_of(char c)
{
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 1;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 1;
	switch (c) {
	case ' ':
	case '2':
	case '@':
		return 0;
	case '[':
	case '3':
		return 0x1b;
	case '\\':
	case '4':
		return 0x1c;
	case ']':
	case '5':
		return 0x1d;
	case '6':
	case '^':
		return 0x1e;
	case '-':
	case '_':
	case '/':
	case '7':
		return 0x1f;
	case '8':
	case '?':
		return 0x7f;
	}
	return -1;
}

static size_t put_str(char *out, const char *s)
{
	size_t n = strlen(s);

	memcpy(out, s, n);
	return n;
}

/* A character key: Shift, Caps Lock, Ctrl and Alt applied. */
static size_t character(struct kbd_state *s, u8 make, char *out)
{
	bool shift = s->mods & (KBD_LSHIFT | KBD_RSHIFT);
	char c = shift ? shift_keys[make] : plain_keys[make];
	size_t n = 0;

	if (s->caps && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
		c ^= 0x20;
	if (s->mods & (KBD_LCTRL | KBD_RCTRL)) {
		int k = control_of(c);
		if (k >= 0)
			c = (char)k;
	}
	if (s->mods & (KBD_LALT | KBD_RALT))
		out[n++] = 0x1b;
	out[n++] = c;
	return n;
}

size_t kbd_translate(struct kbd_state *s, u8 code, char *out)
{
	bool e0 = s->e0, release = code & 0x80;
	u8 make = code & 0x7f, bit;

	s->e0 = false;
	if (s->skip) {
		s->skip--;
		return 0;
	}
	if (code == 0xe0) {
		s->e0 = true;
		return 0;
	}
	if (code == 0xe1) {
		s->skip = 2; /* Pause: e1 1d 45 e1 9d c5, two bytes after each e1 */
		return 0;
	}
	if (!e0 && (code == 0x00 || code == 0xff || code == 0xfa || code == 0xfe))
		return 0; /* errors, ACK and resend from the keyboard, not keys */
	bit = modifier_bit(make, e0);
	if (bit || (make == 0x2a || make == 0x36)) {
		if (release)
			s->mods &= (u8)~bit;
		else
			s->mods |= bit;
		return 0;
	}
	if (release)
		return 0;
	if (e0) {
		if (make == 0x1c)
			return put_str(out, "\r");
		if (make == 0x35)
			return put_str(out, "/");
		if (make >= 0x47 && make <= 0x53 && edit_keys[make - 0x47])
			return put_str(out, edit_keys[make - 0x47]);
		return 0;
	}
	if (make == 0x3a) {
		s->caps = !s->caps;
		return 0;
	}
	if (make == 0x45) {
		s->num = !s->num;
		return 0;
	}
	if (make >= 0x3b && make <= 0x44)
		return put_str(out, fkeys[make - 0x3b]);
	if (make == 0x57 || make == 0x58)
		return put_str(out, fkeys[make - 0x57 + 10]);
	if (make >= 0x47 && make <= 0x53) {
		char d = keypad_digits[make - 0x47];
		if (s->num || d == '-' || d == '+') {
			out[0] = d;
			return 1;
		}
		return edit_keys[make - 0x47] ? put_str(out, edit_keys[make - 0x47]) : 0;
	}
	if (make < sizeof(plain_keys) && plain_keys[make])
		return character(s, make, out);
	return 0;
}
