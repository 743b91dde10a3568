/* userland/bin/true.c: /bin/true: exits 0. The smallest program, for exec tests and benchmarks. */
int main(void)
{
	return 0;
}
