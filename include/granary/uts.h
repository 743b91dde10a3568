/* include/granary/uts.h: the machine's host and domain names (uname's nodename and domainname).
 * One pair for the whole system until silos get their own; sethostname/setdomainname change it. */
#ifndef GRANARY_UTS_H
#define GRANARY_UTS_H

#include <granary/types.h>

#define UTS_NAME_LEN 64 /* bytes of a name, without the NUL (Linux's __NEW_UTS_LEN) */

/* Copies the host name and the domain name, NUL-terminated, into buffers of
 * UTS_NAME_LEN + 1 bytes (either may be NULL). */
void uts_get(char *nodename, char *domainname);
/* Sets the host name from len bytes of name (no NUL needed): 0, or -EINVAL if len > UTS_NAME_LEN. */
int uts_set_hostname(const char *name, size_t len);

#endif
