/* userland/tests/procscan.h: what /proc says about the processes of one real uid, for the tests
 * that must know whether other processes of that uid (a host's, on Linux) are about. */
#ifndef PROCSCAN_H
#define PROCSCAN_H

#include <dirent.h>
#include <stdio.h>
#include <sys/types.h>

/* Processes whose real uid is uid (and their threads, summed into *threads if given), from each
 * /proc/PID/status; -1 where /proc cannot be listed. */
static inline int proc_count_uid(uid_t uid, int *threads)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	char path[300], line[256];
	int n = 0;

	if (threads)
		*threads = 0;
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		unsigned long ruid = ~0UL;
		int t = 0;
		FILE *f;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/status", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			sscanf(line, "Uid: %lu", &ruid);
			sscanf(line, "Threads: %d", &t);
		}
		fclose(f);
		if (ruid != uid)
			continue;
		n++;
		if (threads)
			*threads += t;
	}
	closedir(d);
	return n;
}

#endif
