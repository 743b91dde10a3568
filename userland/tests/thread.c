/* userland/tests/thread.c: musl pthreads on clone threads: create/join and return values, per-thread
 * TLS (__thread values and addresses), thread ids (and tid == pid in a new process), a mutex. */
#include "tap.h"

#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/syscall.h>

#define NT 8

static __thread int tls_counter;	    /* zero-initialised (.tbss) */
static __thread int tls_init = 1234;	    /* initialised (.tdata) */
static __thread char tls_block[4096] = "x"; /* a page of TLS */

struct result {
	int index;
	int tls_before;	     /* tls_init as the thread found it */
	int counter_before;  /* tls_counter as the thread found it */
	int survived;	     /* its __thread values were still its own after yielding */
	uintptr_t tls_addr;  /* &tls_counter in the thread */
	pid_t pid, tid;
};

static struct result res[NT];
static volatile int started;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long shared_sum;

static void *worker(void *arg)
{
	struct result *r = arg;

	r->tls_before = tls_init;
	r->counter_before = tls_counter;
	r->tls_addr = (uintptr_t)&tls_counter;
	r->pid = getpid();
	r->tid = (pid_t)syscall(SYS_gettid);
	tls_counter = 1000 + r->index;
	tls_init = 2000 + r->index;
	tls_block[4095] = (char)r->index;
	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	/* Let the others run and write their own copies. */
	for (int i = 0; i < 200 && __atomic_load_n(&started, __ATOMIC_SEQ_CST) < NT; i++)
		sched_yield();
	for (int i = 0; i < 20; i++)
		sched_yield();
	r->survived = tls_counter == 1000 + r->index && tls_init == 2000 + r->index &&
		      tls_block[4095] == (char)r->index && tls_block[0] == 'x';
	for (int i = 0; i < 1000; i++) {
		pthread_mutex_lock(&lock);
		shared_sum++;
		pthread_mutex_unlock(&lock);
	}
	return (void *)(uintptr_t)(0x100 + r->index);
}

static void *exits_early(void *arg)
{
	pthread_exit((char *)arg + 1);
	return NULL;
}

static void *quick(void *arg)
{
	return arg;
}

/* Child, forked after this process made threads: its one thread's id is its pid. */
static void tid_is_pid(void *arg)
{
	(void)arg;
	_exit(syscall(SYS_gettid) == getpid() ? 0 : 1);
}

/* Child: tgkill(getpid(), getpid(), 0) names its main thread. */
static void tgkill_self(void *arg)
{
	(void)arg;
	_exit(syscall(SYS_tgkill, getpid(), getpid(), 0) == 0 ? 0 : 1);
}

int main(int argc, char **argv)
{
	pthread_t th[NT];
	void *ret;
	int created = 0, ok, e;

	(void)argc;
	tap_init(argv, 16);
	tls_counter = 7;
	tls_init = 99;

	for (int i = 0; i < NT; i++) {
		res[i].index = i;
		e = pthread_create(&th[i], NULL, worker, &res[i]);
		if (e) {
			tap_diag("pthread_create %d: %s", i, strerror(e));
			break;
		}
		created++;
	}
	TAP_EQ(created, NT, "pthread_create starts %d threads", NT);
	ok = 1;
	for (int i = 0; i < created; i++) {
		e = pthread_join(th[i], &ret);
		if (e || ret != (void *)(uintptr_t)(0x100 + i)) {
			tap_diag("join %d: %s, returned %p", i, strerror(e), ret);
			ok = 0;
		}
	}
	tap_ok(ok && created == NT, "pthread_join returns each thread's own return value");

	ok = 1;
	for (int i = 0; i < created; i++)
		ok &= res[i].tls_before == 1234;
	tap_ok(ok, "every thread starts with the initial value of an initialised __thread (1234)");
	ok = 1;
	for (int i = 0; i < created; i++)
		ok &= res[i].counter_before == 0;
	tap_ok(ok, "... and zero in a zero-initialised one");
	TAP_EQ(tls_init, 99, "the main thread's __thread values are its own (99)");
	TAP_EQ(tls_counter, 7, "... (7), untouched by the threads' writes");
	ok = 1;
	for (int i = 0; i < created; i++)
		for (int j = 0; j < i; j++)
			ok &= res[i].tls_addr != res[j].tls_addr;
	for (int i = 0; i < created; i++)
		ok &= res[i].tls_addr != (uintptr_t)&tls_counter;
	tap_ok(ok, "&tls_counter differs in every thread");
	ok = 1;
	for (int i = 0; i < created; i++)
		ok &= res[i].survived;
	tap_ok(ok, "each thread still reads its own __thread values after the others wrote theirs");
	ok = 1;
	for (int i = 0; i < created; i++)
		ok &= res[i].pid == getpid();
	tap_ok(ok, "getpid is the same in every thread");
	ok = 1;
	for (int i = 0; i < created; i++) {
		ok &= res[i].tid > 0 && res[i].tid != getpid();
		for (int j = 0; j < i; j++)
			ok &= res[i].tid != res[j].tid;
	}
	tap_ok(ok, "gettid differs in every thread, and from the main thread's");
	TAP_EQ(shared_sum, 1000L * created, "a mutex-protected counter sees every increment");

	if (!pthread_create(&th[0], NULL, exits_early, (char *)0 + 41) &&
	    !pthread_join(th[0], &ret))
		TAP_EQ((uintptr_t)ret, 42, "pthread_exit's value is what pthread_join returns");
	else
		tap_ok(0, "pthread_exit's value is what pthread_join returns");

	ok = 1;
	for (int i = 0; i < 100 && ok; i++) {
		ok = !pthread_create(&th[0], NULL, quick, (void *)(uintptr_t)i) &&
		     !pthread_join(th[0], &ret) && ret == (void *)(uintptr_t)i;
	}
	tap_ok(ok, "100 rounds of create and join");
	TAP_EQ(syscall(SYS_gettid), getpid(), "the main thread's gettid is still getpid");
	tap_exited_with(tap_child(tid_is_pid, NULL), 0,
			"a child forked after threads were made: its gettid is its getpid");
	tap_exited_with(tap_child(tgkill_self, NULL), 0,
			"... and tgkill(getpid(), getpid(), 0) finds its main thread");
	return tap_done();
}
