/* tests/host/data/hello.c: a tiny program that tests/host/Makefile links static and static-PIE with musl.
 * Never run by the tests: test_elf parses the binaries; a thread-local makes them carry a PT_TLS. */
#include <stdio.h>

static _Thread_local int calls = 1;

int main(int argc, char **argv)
{
	printf("hello from %s (%d)\n", argc > 0 ? argv[0] : "?", calls++);
	return 0;
}
