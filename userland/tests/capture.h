/* userland/tests/capture.h: runs a program with stdout and stderr into one pipe and collects what it
 * printed, killing it after 20 s. Shared by the tests that check a program's exact output. */
#ifndef TESTS_CAPTURE_H
#define TESTS_CAPTURE_H

#include "tap.h"

#include <signal.h>
#include <time.h>

/* Runs path with av and ev, collects up to size - 1 bytes of its output into out
 * (NUL-terminated). Returns the wait status, or -1 (no pipe or fork, or killed after 20 s). */
static inline int capture_run(const char *path, char *const av[], char *const ev[], char *out,
			      size_t size)
{
	size_t got = 0;
	int p[2], st;
	ssize_t r;
	pid_t pid;

	out[0] = '\0';
	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		if (dup2(p[1], 1) < 0 || dup2(p[1], 2) < 0)
			_exit(126);
		close(p[1]);
		execve(path, av, ev);
		_exit(127);
	}
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return -1;
	}
	while (got < size - 1 && (r = read(p[0], out + got, size - 1 - got)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		got += (size_t)r;
	}
	out[got] = '\0';
	close(p[0]);
	for (int i = 0; i < 2000; i++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		pid_t w = waitpid(pid, &st, WNOHANG);

		if (w == pid)
			return st;
		if (w < 0)
			return -1;
		nanosleep(&ts, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	tap_diag("%s %s did not end in 20 s: killed", av[0], av[1] ? av[1] : "");
	return -1;
}

#endif
