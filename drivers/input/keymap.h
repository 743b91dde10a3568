/* drivers/input/keymap.h: PC keyboard scancode set 1 to the bytes a terminal sends (US layout).
 * Pure logic over a small state (modifiers, locks, prefixes), so it also compiles on the host. */
#ifndef INPUT_KEYMAP_H
#define INPUT_KEYMAP_H

#include <granary/types.h>

#define KBD_MAX_OUT 8 /* the longest sequence one key produces (ESC prefix + "\e[17~") */

/* Modifier bits of struct kbd_state.mods. */
#define KBD_LSHIFT 0x01u
#define KBD_RSHIFT 0x02u
#define KBD_LCTRL 0x04u
#define KBD_RCTRL 0x08u
#define KBD_LALT 0x10u
#define KBD_RALT 0x20u

struct kbd_state {
	u8 mods;
	bool caps, num; /* Caps Lock and Num Lock are on */
	bool e0;	/* the previous byte was the 0xe0 prefix */
	u8 skip;	/* bytes of a 0xe1 (Pause) sequence still to ignore */
};

/* Takes one byte from the keyboard; writes what the key press produces to out (up to
 * KBD_MAX_OUT bytes) and returns the count: 0 for releases, modifiers and unknown keys.
 * Letters follow Shift xor Caps Lock; Ctrl+letter gives the control byte; Alt prefixes ESC;
 * arrows and editing keys give Linux console escape sequences. */
size_t kbd_translate(struct kbd_state *s, u8 code, char *out);

#endif
