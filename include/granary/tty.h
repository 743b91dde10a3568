/* include/granary/tty.h: terminals: the ttystream interface, the tty core drivers plug into, job control hooks.
 * A driver gives output and feeds received bytes; the core owns termios, the line discipline and sessions. */
#ifndef GRANARY_TTY_H
#define GRANARY_TTY_H

#include <granary/device.h>
#include <granary/object.h>
#include <granary/types.h>
#include <uapi/termios.h>

struct process;
struct tty;

/* ---- ttystream: a byte stream with termios (OSKit's idea), for users inside the kernel ---- */

#define TTYS_NONBLOCK 0x1u /* read/write flag: -EAGAIN instead of waiting */

struct ttystream;
struct ttystream_ops {
	OBJECT_OPS(struct ttystream);
	/* Bytes through the line discipline, kernel buffers. read: the count, 0 at end of file (an
	 * EOF typed in canonical mode, or a hung-up terminal), -EAGAIN, -ERESTARTSYS (a signal).
	 * write: the count, -EAGAIN (output stopped), -ERESTARTSYS, -EIO (hung up). */
	long (*read)(struct ttystream *s, void *buf, size_t n, unsigned flags);
	long (*write)(struct ttystream *s, const void *buf, size_t n, unsigned flags);
	/* Settings; when is TCSANOW, TCSADRAIN or TCSAFLUSH (discard pending input first).
	 * -EINVAL for another when. */
	int (*getattr)(struct ttystream *s, struct k_termios *t);
	int (*setattr)(struct ttystream *s, int when, const struct k_termios *t);
	/* POLLIN when a read would not wait, POLLOUT when a write would not; POLLHUP once hung up. */
	unsigned (*poll)(struct ttystream *s);
	/* TCIFLUSH/TCOFLUSH/TCIOFLUSH: discard pending input and/or output; -EINVAL otherwise. */
	int (*flush)(struct ttystream *s, int queue);
	/* TCOOFF/TCOON stop and restart output; TCIOFF/TCION send VSTOP/VSTART. -EINVAL otherwise. */
	int (*flow)(struct ttystream *s, int action);
	/* Waits until written output has left (0), and sends a break (0; no-op where there is none). */
	int (*drain)(struct ttystream *s);
	int (*sendbreak)(struct ttystream *s, u32 ms);
	/* The window size (rows, columns); setting one that differs sends SIGWINCH to the
	 * foreground process group. */
	void (*getwinsize)(struct ttystream *s, struct k_winsize *ws);
	void (*setwinsize)(struct ttystream *s, const struct k_winsize *ws);
};

struct ttystream {
	const struct ttystream_ops *ops;
};

/* ---- the tty core, for drivers ---- */

struct tty_driver_ops {
	/* Sends bytes to the device. Called with interrupts off and the tty's lock held: it
	 * must not sleep. */
	void (*output)(struct tty *tty, const char *buf, size_t n);
	/* Applies the hardware part of new settings (speed, character size, parity); optional. */
	void (*set_termios)(struct tty *tty, const struct k_termios *t);
};

/* Linux's default settings (ICRNL|IXON, OPOST|ONLCR, B38400|CS8|CREAD|HUPCL, ISIG|ICANON|ECHO|
 * ECHOE|ECHOK|ECHOCTL|ECHOKE|IEXTEN; ^C ^\ DEL ^U ^D ^Z ^W..., VMIN 1, VTIME 0). */
void tty_std_termios(struct k_termios *t);
/* Makes a terminal named name (the devfs name, "ttyS0") with device number dev, settings t
 * (NULL: Linux's defaults) and window size ws (NULL: 0x0). The tty lives until reboot.
 * NULL when out of memory. */
struct tty *tty_create(const char *name, dev_t dev, const struct tty_driver_ops *ops, void *drv,
		       const struct k_termios *t, const struct k_winsize *ws);
/* The driver's pointer given to tty_create. */
void *tty_driver_data(struct tty *tty);
/* Received bytes, in order (from the driver's interrupt handler or any context): edited,
 * echoed, queued for readers; VINTR/VQUIT/VSUSP signal the foreground process group. */
void tty_receive(struct tty *tty, const char *buf, size_t n);
/* The tty's interface for kernel users (no reference taken). */
struct ttystream *tty_stream(struct tty *tty);
/* Name and device number. */
const char *tty_name(const struct tty *tty);
dev_t tty_dev(const struct tty *tty);

/* The screen console's tty (tty0), or NULL if there is no screen console. */
struct tty *tty_screen(void);

/* Sets up the ttys (serial ports, screen console, keyboard) and their device numbers; replaces
 * console_input_init() of the old console (which calls it). */
void tty_init(void);

/* ---- controlling terminals (drivers/tty/jobctl.c), for kernel/proc ---- */

/* fork: the child shares the parent's controlling terminal. */
void tty_proc_fork(struct process *child, struct process *parent);
/* setsid: the new session has no controlling terminal. */
void tty_proc_setsid(struct process *p);
/* exit: a session leader's exit hangs up its terminal for the session (SIGHUP and SIGCONT to
 * the foreground group, and no process keeps it as controlling terminal); every process drops
 * its reference. */
void tty_proc_exit(struct process *p);

#endif
