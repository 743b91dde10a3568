/* drivers/tty/tty_internal.h: struct tty and the calls shared by the files of drivers/tty/.
 * Not for other subsystems: they use include/granary/tty.h. */
#ifndef TTY_INTERNAL_H
#define TTY_INTERNAL_H

#include <granary/spinlock.h>
#include <granary/tty.h>
#include <granary/wait.h>

#include "ldisc.h"

struct file;

struct tty {
	struct ttystream stream; /* first: the interface kernel users hold */
	char name[16];
	dev_t dev;
	const struct tty_driver_ops *ops;
	void *drv;
	u32 refs;
	/* Taken with interrupts off (the receive path is an interrupt): guards ld, ws, stopped
	 * and tco_stopped, and orders output so that echo and writes do not interleave mid-byte. */
	spinlock_t lock;
	struct ldisc ld;
	struct k_winsize ws;
	bool stopped;	   /* output stopped by VSTOP or TCOOFF */
	bool tco_stopped;  /* ... by TCOOFF: only TCOON restarts it */
	u32 hangups;	   /* bumped by each hang-up: files opened before it are dead */
	struct wait_queue readq, writeq;
	/* The session this is the controlling terminal of and its foreground process group (0:
	 * none). Changed under jobctl's lock; the receive path only reads pgrp. */
	int sid, pgrp;
	struct tty *next; /* every tty, for tty_find() */
};

/* tty.c */
/* The tty with device number dev, or NULL. */
struct tty *tty_find(dev_t dev);
void tty_get(struct tty *tty);
void tty_put(struct tty *tty);
long tty_read(struct tty *tty, void *buf, size_t n, unsigned flags);
long tty_write(struct tty *tty, const void *buf, size_t n, unsigned flags);
int tty_set_termios(struct tty *tty, int when, const struct k_termios *t);
void tty_get_termios(struct tty *tty, struct k_termios *t);
unsigned tty_poll(struct tty *tty);
int tty_flush(struct tty *tty, int queue);
int tty_flow(struct tty *tty, int action);
void tty_get_winsize(struct tty *tty, struct k_winsize *ws);
/* Sets the window size; a change sends SIGWINCH to the foreground group. */
void tty_set_winsize(struct tty *tty, const struct k_winsize *ws);
/* Bytes a read could take now (FIONREAD). */
size_t tty_inq(struct tty *tty);
/* Ends every open file of the tty (reads give 0, writes -EIO) and discards its input. */
void tty_hangup(struct tty *tty);

/* jobctl.c: sessions, process groups and the controlling terminal. */
/* Sends sig (from the kernel) to every live process of group pgid. */
void jobctl_signal_group(int pgid, int sig);
/* A session leader without a terminal opening tty (no O_NOCTTY) makes it its controlling
 * terminal, if no other session has it. */
void jobctl_open(struct tty *tty, unsigned flags);
/* Job control for a caller on its controlling terminal: 0 to go on, -ERESTARTSYS after
 * stopping a background group with sig (SIGTTIN for reads, SIGTTOU for writes and settings),
 * -EIO when the group is orphaned or (for SIGTTIN) ignores or blocks the signal. */
int jobctl_check(struct tty *tty, int sig);
/* The ioctls of job control (TIOCSCTTY, TIOCNOTTY, TIOCGPGRP, TIOCSPGRP, TIOCGSID); -ENOIOCTLCMD
 * for any other cmd. read_ok: the file was opened for reading (TIOCSCTTY wants it). */
long jobctl_ioctl(struct tty *tty, unsigned cmd, unsigned long arg, bool read_ok);
/* The caller's controlling terminal with a reference, or NULL. */
struct tty *jobctl_current_tty(void);

#define ENOIOCTLCMD 515 /* internal: not a job-control ioctl */

/* tty_file.c */
/* A file on tty (the caller's open: job control applies unless noctty, e.g. /dev/console). */
int tty_file_setup(struct file *f, struct tty *tty, bool noctty, bool is_console);

/* devices.c */
/* The tty /dev/console means, or NULL. */
struct tty *tty_console(void);

#endif
