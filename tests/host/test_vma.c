/* tests/host/test_vma.c: host tests of mm/vma.c: lookups, insert with merging, carve, protect, the
 * top-down gap search, and a long seeded random sequence checked page by page against a model. */
#include "hosttest.h"

#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include <granary/arch.h>
#include <granary/errno.h>
#include <granary/slab.h>
#include <granary/vma.h>
#include <uapi/mman.h>

/* ---------------------------------------------------------------- what vma.c calls */

/* Blocks kmalloc handed out that kfree has not taken back: each area is one, so this must
 * equal the set's count whenever vma.c has returned. */
static long kmalloc_live;
/* How many more kmalloc calls succeed; -1: all of them. */
static long kmalloc_budget = -1;

void *kmalloc(size_t size, unsigned flags)
{
	void *p;

	if (kmalloc_budget == 0)
		return NULL;
	if (kmalloc_budget > 0)
		kmalloc_budget--;
	p = flags & KM_ZERO ? calloc(1, size) : malloc(size);
	if (p)
		kmalloc_live++;
	return p;
}

void kfree(const void *p)
{
	if (!p)
		return;
	kmalloc_live--;
	free((void *)p);
}

/* Opaque to vma.c; here only a reference count, which starts at 1 (the creator's). */
struct shm_object {
	long refs;
};

#define NSHM 3
static struct shm_object shm[NSHM];
#define SHM_A (&shm[0])
#define SHM_B (&shm[1])

void shm_object_get(struct shm_object *o)
{
	assert_true(o >= shm && o < shm + NSHM);
	assert_true(o->refs > 0); /* nobody may revive an object whose last reference went */
	o->refs++;
}

void shm_object_put(struct shm_object *o)
{
	assert_true(o >= shm && o < shm + NSHM);
	assert_true(o->refs > 1); /* the creator's reference is never the one dropped here */
	o->refs--;
}

/* ---------------------------------------------------------------- helpers */

/* Tests talk in pages from BASE; BASE is far from 0 so that a gap at page 0 is not "none". */
#define BASE 0x400000UL
#define PG(n) (BASE + (unsigned long)(long)(n) * PAGE_SIZE)
#define R PROT_READ
#define RW (PROT_READ | PROT_WRITE)
#define RX (PROT_READ | PROT_EXEC)

static struct vma_set set;

/* The page index of an address, rounding down (also below BASE). */
static long pidx(unsigned long addr)
{
	long d = (long)(addr - BASE);

	return d >= 0 ? d / (long)PAGE_SIZE : -((-d + (long)PAGE_SIZE - 1) / (long)PAGE_SIZE);
}

/* What a callback saw: the piece and its area at that moment. */
struct piece {
	unsigned long start, end, a_start, a_end;
	unsigned prot, flags;
	struct shm_object *shm;
	u64 pgoff;
};

static struct piece pieces[1024];
static size_t npieces;

static void record(struct vm_area *a, unsigned long start, unsigned long end, void *arg)
{
	assert_ptr_equal(arg, pieces);
	assert_true(npieces < ARRAY_SIZE(pieces));
	pieces[npieces++] = (struct piece){ start, end, a->start, a->end, a->prot, a->flags, a->shm,
					    a->pgoff };
}

static void fresh(void)
{
	vma_set_init(&set);
	kmalloc_live = 0;
	kmalloc_budget = -1;
	for (int i = 0; i < NSHM; i++)
		shm[i].refs = 1;
	npieces = 0;
}

/* Empties the set and checks that nothing leaked: no kmalloc block, no shm reference. */
static void done(void)
{
	vma_clear(&set, NULL, NULL);
	assert_null(set.root.node);
	assert_int_equal(set.count, 0);
	assert_int_equal(set.pages, 0);
	assert_int_equal(kmalloc_live, 0);
	for (int i = 0; i < NSHM; i++)
		assert_int_equal(shm[i].refs, 1);
}

/* After each test, passed or not: frees what a failed test left, so that ASan reports only
 * real leaks (done() has already emptied the set of a test that passed). */
static int free_leftovers(void **state)
{
	vma_clear(&set, NULL, NULL);
	return 0;
}

static struct vm_area *add(long from, long to, unsigned prot, unsigned flags, struct shm_object *o,
			   u64 pgoff)
{
	struct vm_area *a = vma_alloc(PG(from), PG(to), prot, flags, o, pgoff);

	assert_non_null(a);
	return vma_insert(&set, a);
}

/* One area as the tests write it, in pages from BASE; pgoff is compared only for shm areas.
 * Private areas are written { from, to, prot }, the rest left zero on purpose. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
struct want {
	long from, to;
	unsigned prot, flags;
	struct shm_object *shm;
	u64 pgoff;
};

static size_t dump(struct want *out, size_t max)
{
	size_t n = 0;

	for (struct vm_area *a = vma_first(&set); a; a = vma_next(a)) {
		assert_true(n < max);
		out[n++] = (struct want){ pidx(a->start), pidx(a->end), a->prot, a->flags, a->shm,
					  a->shm ? a->pgoff : 0 };
	}
	return n;
}

static void print_areas(const char *what, const struct want *w, size_t n)
{
	print_message("%s:", what);
	for (size_t i = 0; i < n; i++)
		print_message(" [%ld,%ld) prot %u flags %u shm %ld pgoff %llu", w[i].from, w[i].to,
			      w[i].prot, w[i].flags, w[i].shm ? (long)(w[i].shm - shm) : -1L,
			      (unsigned long long)w[i].pgoff);
	print_message("\n");
}

/* The set is exactly w[0 .. n), consistent (vma_check, count, pages), with one kmalloc block per
 * area and one shm reference per shm area besides the creator's. */
static void expect_areas(const char *file, int line, const struct want *w, size_t n)
{
	struct want have[64];
	size_t nhave = dump(have, ARRAY_SIZE(have));
	long refs[NSHM] = { 0 };
	u64 pages = 0;
	bool same = nhave == n;

	for (size_t i = 0; same && i < n; i++)
		same = have[i].from == w[i].from && have[i].to == w[i].to &&
		       have[i].prot == w[i].prot && have[i].flags == w[i].flags &&
		       have[i].shm == w[i].shm && (!w[i].shm || have[i].pgoff == w[i].pgoff);
	if (!same) {
		print_areas("want", w, n);
		print_areas("have", have, nhave);
		fail_msg("%s:%d: the set differs", file, line);
	}
	for (size_t i = 0; i < n; i++) {
		pages += w[i].to - w[i].from;
		if (w[i].shm)
			refs[w[i].shm - shm]++;
	}
	if (vma_check(&set) != 0 || set.count != n || set.pages != pages || kmalloc_live != (long)n)
		fail_msg("%s:%d: vma_check %d, count %lu (want %zu), pages %llu (want %llu), "
			 "kmalloc blocks %ld", file, line, vma_check(&set), set.count, n,
			 (unsigned long long)set.pages, (unsigned long long)pages, kmalloc_live);
	for (int i = 0; i < NSHM; i++)
		if (shm[i].refs != 1 + refs[i])
			fail_msg("%s:%d: shm %d has %ld references, want %ld", file, line, i,
				 shm[i].refs, 1 + refs[i]);
}

#define EXPECT_AREAS(...)                                                  \
	do {                                                               \
		static const struct want w_[] = { __VA_ARGS__ };           \
		expect_areas(__FILE__, __LINE__, w_, ARRAY_SIZE(w_));      \
	} while (0)
#define EXPECT_NO_AREAS() expect_areas(__FILE__, __LINE__, NULL, 0)

/* A piece as the tests write it: [from, to) went or changed; its area was [a_from, a_to), prot. */
struct want_piece {
	long from, to, a_from, a_to;
	unsigned prot;
};

static void expect_pieces(const char *file, int line, const struct want_piece *w, size_t n)
{
	bool same = npieces == n;

	for (size_t i = 0; same && i < n; i++)
		same = pieces[i].start == PG(w[i].from) && pieces[i].end == PG(w[i].to) &&
		       pieces[i].a_start == PG(w[i].a_from) && pieces[i].a_end == PG(w[i].a_to) &&
		       pieces[i].prot == w[i].prot;
	if (!same) {
		print_message("want:");
		for (size_t i = 0; i < n; i++)
			print_message(" [%ld,%ld) of [%ld,%ld) prot %u", w[i].from, w[i].to,
				      w[i].a_from, w[i].a_to, w[i].prot);
		print_message("\nhave:");
		for (size_t i = 0; i < npieces; i++)
			print_message(" [%ld,%ld) of [%ld,%ld) prot %u", pidx(pieces[i].start),
				      pidx(pieces[i].end), pidx(pieces[i].a_start),
				      pidx(pieces[i].a_end), pieces[i].prot);
		print_message("\n");
		fail_msg("%s:%d: the callback saw other pieces", file, line);
	}
	npieces = 0;
}

#define EXPECT_PIECES(...)                                                 \
	do {                                                               \
		static const struct want_piece w_[] = { __VA_ARGS__ };     \
		expect_pieces(__FILE__, __LINE__, w_, ARRAY_SIZE(w_));     \
	} while (0)
#define EXPECT_NO_PIECES() expect_pieces(__FILE__, __LINE__, NULL, 0)

/* The set after a refused operation must be the one before, area for area. */
static struct want saved[64];
static size_t nsaved;
static struct vm_area *saved_ptr[64];

static void save(void)
{
	size_t i = 0;

	nsaved = dump(saved, ARRAY_SIZE(saved));
	for (struct vm_area *a = vma_first(&set); a; a = vma_next(a))
		saved_ptr[i++] = a;
}

static void expect_saved(const char *file, int line)
{
	size_t i = 0;

	expect_areas(file, line, saved, nsaved);
	for (struct vm_area *a = vma_first(&set); a; a = vma_next(a), i++)
		if (a != saved_ptr[i])
			fail_msg("%s:%d: area %zu was replaced", file, line, i);
}

#define EXPECT_UNCHANGED() expect_saved(__FILE__, __LINE__)

/* ---------------------------------------------------------------- lookups */

static void test_empty_set(void **state)
{
	fresh();
	assert_null(vma_first(&set));
	assert_null(vma_find(&set, 0));
	assert_null(vma_find(&set, PG(0)));
	assert_null(vma_lookup(&set, PG(0)));
	assert_false(vma_overlaps(&set, 0, ~0UL));
	assert_int_equal(vma_check(&set), 0);
	assert_int_equal(vma_carve(&set, PG(0), PG(8), record, pieces), 0);
	EXPECT_NO_PIECES();
	assert_int_equal(vma_protect(&set, PG(0), PG(1), RW, record, pieces), -ENOMEM);
	EXPECT_NO_PIECES();
	vma_clear(&set, record, pieces);
	EXPECT_NO_PIECES();
	EXPECT_NO_AREAS();
	done();
}

static void test_find_lookup_overlaps_boundaries(void **state)
{
	struct vm_area *a, *b;

	fresh();
	a = add(2, 4, RW, 0, NULL, 0);
	b = add(6, 9, R, 0, NULL, 0);
	EXPECT_AREAS({ 2, 4, RW }, { 6, 9, R });

	/* vma_find: the area holding addr, or the first above it. */
	assert_ptr_equal(vma_find(&set, 0), a);
	assert_ptr_equal(vma_find(&set, PG(2) - 1), a);
	assert_ptr_equal(vma_find(&set, PG(2)), a);
	assert_ptr_equal(vma_find(&set, PG(4) - 1), a);
	assert_ptr_equal(vma_find(&set, PG(4)), b);
	assert_ptr_equal(vma_find(&set, PG(6)), b);
	assert_ptr_equal(vma_find(&set, PG(9) - 1), b);
	assert_null(vma_find(&set, PG(9)));
	assert_null(vma_find(&set, ~0UL));

	/* vma_lookup: only the area holding addr. */
	assert_null(vma_lookup(&set, 0));
	assert_null(vma_lookup(&set, PG(2) - 1));
	assert_ptr_equal(vma_lookup(&set, PG(2)), a);
	assert_ptr_equal(vma_lookup(&set, PG(4) - 1), a);
	assert_null(vma_lookup(&set, PG(4)));
	assert_null(vma_lookup(&set, PG(6) - 1));
	assert_ptr_equal(vma_lookup(&set, PG(6)), b);
	assert_ptr_equal(vma_lookup(&set, PG(9) - 1), b);
	assert_null(vma_lookup(&set, PG(9)));

	/* vma_overlaps: [start, end) is half-open on both sides of each area. */
	assert_false(vma_overlaps(&set, 0, PG(2)));
	assert_true(vma_overlaps(&set, 0, PG(2) + 1));
	assert_false(vma_overlaps(&set, PG(4), PG(6)));
	assert_true(vma_overlaps(&set, PG(4) - 1, PG(4)));
	assert_true(vma_overlaps(&set, PG(5), PG(6) + 1));
	assert_true(vma_overlaps(&set, PG(9) - 1, PG(9)));
	assert_false(vma_overlaps(&set, PG(9), PG(100)));
	assert_true(vma_overlaps(&set, PG(3), PG(7)));
	assert_true(vma_overlaps(&set, PG(0), PG(100)));
	assert_true(vma_overlaps(&set, PG(7), PG(8)));
	done();
}

/* ---------------------------------------------------------------- insert */

static void test_insert_merges_with_prev(void **state)
{
	struct vm_area *a, *got;

	fresh();
	a = add(0, 2, RW, 0, NULL, 0);
	got = add(2, 4, RW, 0, NULL, 0);
	assert_ptr_equal(got, a); /* the new area went into its predecessor */
	EXPECT_AREAS({ 0, 4, RW });
	done();
}

static void test_insert_merges_with_next(void **state)
{
	struct vm_area *got;

	fresh();
	add(4, 6, RW, 0, NULL, 0);
	got = add(2, 4, RW, 0, NULL, 0);
	assert_int_equal(got->start, PG(2));
	assert_int_equal(got->end, PG(6));
	assert_ptr_equal(vma_lookup(&set, PG(5)), got);
	EXPECT_AREAS({ 2, 6, RW });
	done();
}

static void test_insert_merges_with_both(void **state)
{
	struct vm_area *a, *got;

	fresh();
	a = add(0, 2, RW, VMA_STACK, NULL, 0);
	add(4, 6, RW, VMA_STACK, NULL, 0);
	EXPECT_AREAS({ 0, 2, RW, VMA_STACK }, { 4, 6, RW, VMA_STACK });
	got = add(2, 4, RW, VMA_STACK, NULL, 0);
	assert_ptr_equal(got, a);
	EXPECT_AREAS({ 0, 6, RW, VMA_STACK });
	done();
}

static void test_insert_private_areas_ignore_pgoff(void **state)
{
	fresh();
	add(0, 2, R, 0, NULL, 0);
	add(2, 4, R, 0, NULL, 77);
	EXPECT_AREAS({ 0, 4, R });
	done();
}

static void test_insert_shm_merges_on_contiguous_pgoff(void **state)
{
	struct vm_area *got;

	fresh();
	add(0, 2, RW, VMA_SHARED, SHM_A, 10);
	add(4, 6, RW, VMA_SHARED, SHM_A, 14);
	EXPECT_AREAS({ 0, 2, RW, VMA_SHARED, SHM_A, 10 }, { 4, 6, RW, VMA_SHARED, SHM_A, 14 });
	got = add(2, 4, RW, VMA_SHARED, SHM_A, 12);
	assert_int_equal(got->start, PG(0));
	assert_int_equal(got->end, PG(6));
	assert_int_equal(got->pgoff, 10);
	EXPECT_AREAS({ 0, 6, RW, VMA_SHARED, SHM_A, 10 }); /* and one reference, checked there */
	done();
}

/* Neighbours [0, 2) and [4, 6) that a middle [2, 4) with pgoff 2 would join; each case changes
 * one thing about the middle (or the upper neighbour) and says what must result. */
static void test_insert_keeps_incompatible_neighbours_apart(void **state)
{
	static const struct {
		const char *what;
		unsigned prot, flags;
		struct shm_object *shm;
		u64 pgoff, next_pgoff;
		int merged_prev, merged_next;
	} cases[] = {
		{ "compatible", RW, VMA_SHARED, SHM_A, 2, 4, 1, 1 },
		{ "prot", R, VMA_SHARED, SHM_A, 2, 4, 0, 0 },
		{ "flags", RW, VMA_SHARED | VMA_NORESERVE, SHM_A, 2, 4, 0, 0 },
		{ "other object", RW, VMA_SHARED, SHM_B, 2, 4, 0, 0 },
		{ "no object", RW, VMA_SHARED, NULL, 2, 4, 0, 0 },
		{ "pgoff fits neither", RW, VMA_SHARED, SHM_A, 3, 4, 0, 0 },
		{ "pgoff fits prev only", RW, VMA_SHARED, SHM_A, 2, 5, 1, 0 },
		{ "pgoff fits next only", RW, VMA_SHARED, SHM_A, 1, 3, 0, 1 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct want want[3];
		size_t n = 0;
		struct vm_area *got;

		print_message("# case: %s\n", cases[i].what);
		fresh();
		add(0, 2, RW, VMA_SHARED, SHM_A, 0);
		add(4, 6, RW, VMA_SHARED, SHM_A, cases[i].next_pgoff);
		got = add(2, 4, cases[i].prot, cases[i].flags, cases[i].shm, cases[i].pgoff);
		assert_true(got->start <= PG(2) && got->end >= PG(4));
		assert_ptr_equal(vma_lookup(&set, PG(2)), got);

		if (cases[i].merged_prev)
			want[n++] = (struct want){ 0, 4, RW, VMA_SHARED, SHM_A, 0 };
		else
			want[n++] = (struct want){ 0, 2, RW, VMA_SHARED, SHM_A, 0 };
		if (!cases[i].merged_prev)
			want[n++] = (struct want){ 2, 4, cases[i].prot, cases[i].flags,
						   cases[i].shm, cases[i].pgoff };
		if (cases[i].merged_next) {
			want[n - 1].to = 6;
		} else {
			want[n++] = (struct want){ 4, 6, RW, VMA_SHARED, SHM_A,
						   cases[i].next_pgoff };
		}
		expect_areas(__FILE__, __LINE__, want, n);
		done();
	}
}

static void test_insert_bookkeeping(void **state)
{
	fresh();
	/* Out of order, with holes of one page: nothing merges. */
	add(10, 12, R, 0, NULL, 0);
	add(0, 3, R, 0, NULL, 0);
	add(20, 28, R, 0, NULL, 0);
	add(4, 9, R, 0, NULL, 0);
	add(13, 14, R, 0, NULL, 0);
	assert_int_equal(set.count, 5);
	assert_int_equal(set.pages, 2 + 3 + 8 + 5 + 1);
	EXPECT_AREAS({ 0, 3, R }, { 4, 9, R }, { 10, 12, R }, { 13, 14, R }, { 20, 28, R });
	/* Filling the holes merges everything below 14 into one area. */
	add(3, 4, R, 0, NULL, 0);
	add(12, 13, R, 0, NULL, 0);
	add(9, 10, R, 0, NULL, 0);
	EXPECT_AREAS({ 0, 14, R }, { 20, 28, R });
	assert_int_equal(set.pages, 22);
	done();
}

static void test_alloc_and_free_hold_references(void **state)
{
	struct vm_area *a;

	fresh();
	a = vma_alloc(PG(0), PG(4), RW, VMA_SHARED, SHM_A, 3);
	assert_non_null(a);
	assert_int_equal(SHM_A->refs, 2);
	assert_int_equal(kmalloc_live, 1);
	vma_free(a);
	assert_int_equal(SHM_A->refs, 1);
	assert_int_equal(kmalloc_live, 0);

	/* Out of memory: NULL, and no reference taken. */
	kmalloc_budget = 0;
	assert_null(vma_alloc(PG(0), PG(4), RW, VMA_SHARED, SHM_A, 3));
	assert_int_equal(SHM_A->refs, 1);
	kmalloc_budget = -1;
	done();
}

static void test_clear_drops_every_area(void **state)
{
	fresh();
	add(0, 2, R, 0, NULL, 0);
	add(2, 4, RW, VMA_SHARED, SHM_A, 0);
	add(6, 8, RW, VMA_SHARED, SHM_A, 9);
	add(9, 10, RX, VMA_SHARED, SHM_B, 0);
	vma_clear(&set, record, pieces);
	EXPECT_PIECES({ 0, 2, 0, 2, R }, { 2, 4, 2, 4, RW }, { 6, 8, 6, 8, RW },
		      { 9, 10, 9, 10, RX });
	EXPECT_NO_AREAS();
	/* The set is usable again. */
	add(0, 1, R, 0, NULL, 0);
	EXPECT_AREAS({ 0, 1, R });
	done();
}

/* ---------------------------------------------------------------- carve */

/* [2, 6) RW, [8, 12) R, [12, 16) RX. */
static void three_areas(void)
{
	fresh();
	add(2, 6, RW, 0, NULL, 0);
	add(8, 12, R, 0, NULL, 0);
	add(12, 16, RX, 0, NULL, 0);
	EXPECT_AREAS({ 2, 6, RW }, { 8, 12, R }, { 12, 16, RX });
}

static void test_carve_whole_area(void **state)
{
	three_areas();
	assert_int_equal(vma_carve(&set, PG(8), PG(12), record, pieces), 0);
	EXPECT_PIECES({ 8, 12, 8, 12, R });
	EXPECT_AREAS({ 2, 6, RW }, { 12, 16, RX });
	done();

	/* The same with holes on both sides of it in the range. */
	fresh();
	add(2, 4, R, 0, NULL, 0);
	add(6, 8, RW, 0, NULL, 0);
	add(10, 12, RX, 0, NULL, 0);
	assert_int_equal(vma_carve(&set, PG(5), PG(9), record, pieces), 0);
	EXPECT_PIECES({ 6, 8, 6, 8, RW });
	EXPECT_AREAS({ 2, 4, R }, { 10, 12, RX });
	done();
}

static void test_carve_head(void **state)
{
	three_areas();
	assert_int_equal(vma_carve(&set, PG(2), PG(4), record, pieces), 0);
	EXPECT_PIECES({ 2, 4, 2, 6, RW });
	EXPECT_AREAS({ 4, 6, RW }, { 8, 12, R }, { 12, 16, RX });
	/* A range starting in the hole below an area takes its head too. */
	assert_int_equal(vma_carve(&set, PG(7), PG(9), record, pieces), 0);
	EXPECT_PIECES({ 8, 9, 8, 12, R });
	EXPECT_AREAS({ 4, 6, RW }, { 9, 12, R }, { 12, 16, RX });
	done();
}

static void test_carve_tail(void **state)
{
	three_areas();
	assert_int_equal(vma_carve(&set, PG(4), PG(6), record, pieces), 0);
	EXPECT_PIECES({ 4, 6, 2, 6, RW });
	EXPECT_AREAS({ 2, 4, RW }, { 8, 12, R }, { 12, 16, RX });
	/* A range ending in the hole above an area. */
	assert_int_equal(vma_carve(&set, PG(15), PG(20), record, pieces), 0);
	EXPECT_PIECES({ 15, 16, 12, 16, RX });
	EXPECT_AREAS({ 2, 4, RW }, { 8, 12, R }, { 12, 15, RX });
	done();
}

static void test_carve_middle_splits(void **state)
{
	three_areas();
	assert_int_equal(vma_carve(&set, PG(3), PG(5), record, pieces), 0);
	EXPECT_PIECES({ 3, 5, 2, 6, RW }); /* the area still had its old bounds */
	EXPECT_AREAS({ 2, 3, RW }, { 5, 6, RW }, { 8, 12, R }, { 12, 16, RX });
	assert_int_equal(set.count, 4);
	done();
}

static void test_carve_middle_of_shm_area_adjusts_pgoff(void **state)
{
	fresh();
	add(2, 10, RW, VMA_SHARED, SHM_A, 100);
	assert_int_equal(vma_carve(&set, PG(4), PG(7), record, pieces), 0);
	EXPECT_PIECES({ 4, 7, 2, 10, RW });
	EXPECT_AREAS({ 2, 4, RW, VMA_SHARED, SHM_A, 100 }, { 7, 10, RW, VMA_SHARED, SHM_A, 105 });
	assert_int_equal(SHM_A->refs, 3);
	/* Taking the head of the upper part moves its pgoff along. */
	assert_int_equal(vma_carve(&set, PG(7), PG(8), record, pieces), 0);
	EXPECT_PIECES({ 7, 8, 7, 10, RW });
	EXPECT_AREAS({ 2, 4, RW, VMA_SHARED, SHM_A, 100 }, { 8, 10, RW, VMA_SHARED, SHM_A, 106 });
	/* Putting the missing pages back with the right pgoff joins everything again. */
	add(4, 8, RW, VMA_SHARED, SHM_A, 102);
	EXPECT_AREAS({ 2, 10, RW, VMA_SHARED, SHM_A, 100 });
	assert_int_equal(SHM_A->refs, 2);
	done();
}

static void test_carve_across_areas_and_holes(void **state)
{
	three_areas();
	add(20, 24, RW, VMA_SHARED, SHM_B, 50);
	assert_int_equal(vma_carve(&set, PG(3), PG(22), record, pieces), 0);
	EXPECT_PIECES({ 3, 6, 2, 6, RW }, { 8, 12, 8, 12, R }, { 12, 16, 12, 16, RX },
		      { 20, 22, 20, 24, RW });
	EXPECT_AREAS({ 2, 3, RW }, { 22, 24, RW, VMA_SHARED, SHM_B, 52 });
	/* Everything, with a range far wider than the set. */
	assert_int_equal(vma_carve(&set, PG(-100), PG(1000), record, pieces), 0);
	EXPECT_PIECES({ 2, 3, 2, 3, RW }, { 22, 24, 22, 24, RW });
	EXPECT_NO_AREAS();
	done();
}

static void test_carve_touching_nothing(void **state)
{
	three_areas();
	save();
	assert_int_equal(vma_carve(&set, PG(6), PG(8), record, pieces), 0); /* the hole between */
	assert_int_equal(vma_carve(&set, PG(0), PG(2), record, pieces), 0); /* below everything */
	assert_int_equal(vma_carve(&set, PG(16), PG(40), record, pieces), 0); /* above everything */
	EXPECT_NO_PIECES();
	EXPECT_UNCHANGED();
	/* fn may be NULL. */
	assert_int_equal(vma_carve(&set, PG(3), PG(5), NULL, NULL), 0);
	EXPECT_AREAS({ 2, 3, RW }, { 5, 6, RW }, { 8, 12, R }, { 12, 16, RX });
	done();
}

static void test_carve_out_of_memory(void **state)
{
	three_areas();
	add(20, 30, RW, VMA_SHARED, SHM_A, 0);
	save();
	/* Only a split in the middle needs memory; refused, it changes nothing and calls nobody. */
	kmalloc_budget = 0;
	assert_int_equal(vma_carve(&set, PG(3), PG(5), record, pieces), -ENOMEM);
	assert_int_equal(vma_carve(&set, PG(22), PG(23), record, pieces), -ENOMEM);
	EXPECT_NO_PIECES();
	EXPECT_UNCHANGED();
	/* Heads, tails and whole areas need none. */
	assert_int_equal(vma_carve(&set, PG(2), PG(3), record, pieces), 0);
	assert_int_equal(vma_carve(&set, PG(5), PG(6), record, pieces), 0);
	assert_int_equal(vma_carve(&set, PG(9), PG(16), record, pieces), 0);
	EXPECT_PIECES({ 2, 3, 2, 6, RW }, { 5, 6, 3, 6, RW }, { 9, 12, 8, 12, R },
		      { 12, 16, 12, 16, RX });
	kmalloc_budget = -1;
	EXPECT_AREAS({ 3, 5, RW }, { 8, 9, R }, { 20, 30, RW, VMA_SHARED, SHM_A, 0 });
	done();
}

/* ---------------------------------------------------------------- protect */

/* [2, 6) R, [6, 10) RW, [12, 16) R. */
static void protect_setup(void)
{
	fresh();
	add(2, 6, R, 0, NULL, 0);
	add(6, 10, RW, 0, NULL, 0);
	add(12, 16, R, 0, NULL, 0);
	EXPECT_AREAS({ 2, 6, R }, { 6, 10, RW }, { 12, 16, R });
}

static void test_protect_whole_area(void **state)
{
	protect_setup();
	assert_int_equal(vma_protect(&set, PG(12), PG(16), RX, record, pieces), 0);
	EXPECT_PIECES({ 12, 16, 12, 16, RX });
	EXPECT_AREAS({ 2, 6, R }, { 6, 10, RW }, { 12, 16, RX });
	done();
}

static void test_protect_head_splits(void **state)
{
	protect_setup();
	assert_int_equal(vma_protect(&set, PG(2), PG(4), RX, record, pieces), 0);
	EXPECT_PIECES({ 2, 4, 2, 4, RX });
	EXPECT_AREAS({ 2, 4, RX }, { 4, 6, R }, { 6, 10, RW }, { 12, 16, R });
	done();
}

static void test_protect_tail_merges_with_next(void **state)
{
	protect_setup();
	assert_int_equal(vma_protect(&set, PG(4), PG(6), RW, record, pieces), 0);
	EXPECT_PIECES({ 4, 6, 4, 6, RW });
	EXPECT_AREAS({ 2, 4, R }, { 4, 10, RW }, { 12, 16, R });
	done();
}

static void test_protect_middle_splits_twice(void **state)
{
	protect_setup();
	assert_int_equal(vma_protect(&set, PG(13), PG(15), RX, record, pieces), 0);
	EXPECT_PIECES({ 13, 15, 13, 15, RX });
	EXPECT_AREAS({ 2, 6, R }, { 6, 10, RW }, { 12, 13, R }, { 13, 15, RX }, { 15, 16, R });
	/* Undoing it joins the three again. */
	assert_int_equal(vma_protect(&set, PG(13), PG(15), R, record, pieces), 0);
	EXPECT_PIECES({ 13, 15, 13, 15, R });
	EXPECT_AREAS({ 2, 6, R }, { 6, 10, RW }, { 12, 16, R });
	done();
}

static void test_protect_across_areas(void **state)
{
	protect_setup();
	assert_int_equal(vma_protect(&set, PG(3), PG(9), RX, record, pieces), 0);
	EXPECT_PIECES({ 3, 6, 3, 6, RX }, { 6, 9, 6, 9, RX });
	EXPECT_AREAS({ 2, 3, R }, { 3, 9, RX }, { 9, 10, RW }, { 12, 16, R });
	done();
}

static void test_protect_skips_pieces_already_right(void **state)
{
	protect_setup();
	/* [6, 10) is RW already: only [2, 6) changes, then the two are one. */
	assert_int_equal(vma_protect(&set, PG(2), PG(10), RW, record, pieces), 0);
	EXPECT_PIECES({ 2, 6, 2, 6, RW });
	EXPECT_AREAS({ 2, 10, RW }, { 12, 16, R });
	done();
}

static void test_protect_merges_both_neighbours(void **state)
{
	fresh();
	add(0, 2, R, 0, NULL, 0);
	add(2, 4, RW, 0, NULL, 0);
	add(4, 6, R, 0, NULL, 0);
	assert_int_equal(vma_protect(&set, PG(2), PG(4), R, record, pieces), 0);
	EXPECT_PIECES({ 2, 4, 2, 4, R });
	EXPECT_AREAS({ 0, 6, R });
	done();
}

/* The last area of the range, once merged into the one before it, must still be merged
 * with a compatible area just past end. */
static void test_protect_merges_with_the_area_past_end(void **state)
{
	fresh();
	add(0, 1, RX, 0, NULL, 0);
	add(1, 2, RW, 0, NULL, 0);
	add(2, 3, R, 0, NULL, 0);
	assert_int_equal(vma_protect(&set, PG(0), PG(2), R, record, pieces), 0);
	EXPECT_PIECES({ 0, 1, 0, 1, R }, { 1, 2, 1, 2, R });
	EXPECT_AREAS({ 0, 3, R });
	done();

	/* The same when the first area needs no change. */
	fresh();
	add(0, 1, R, 0, NULL, 0);
	add(1, 2, RW, 0, NULL, 0);
	add(2, 3, R, 0, NULL, 0);
	assert_int_equal(vma_protect(&set, PG(0), PG(2), R, record, pieces), 0);
	EXPECT_PIECES({ 1, 2, 1, 2, R });
	EXPECT_AREAS({ 0, 3, R });
	done();
}

static void test_protect_equal_prot_is_a_no_op(void **state)
{
	protect_setup();
	save();
	assert_int_equal(vma_protect(&set, PG(2), PG(6), R, record, pieces), 0);
	/* Inside an area of that prot: not even a split. */
	assert_int_equal(vma_protect(&set, PG(3), PG(5), R, record, pieces), 0);
	assert_int_equal(vma_protect(&set, PG(7), PG(8), RW, record, pieces), 0);
	EXPECT_NO_PIECES();
	EXPECT_UNCHANGED();
	done();
}

static void test_protect_over_a_hole_fails(void **state)
{
	protect_setup();
	save();
	assert_int_equal(vma_protect(&set, PG(8), PG(13), RX, record, pieces), -ENOMEM);
	assert_int_equal(vma_protect(&set, PG(10), PG(12), RX, record, pieces), -ENOMEM);
	assert_int_equal(vma_protect(&set, PG(0), PG(3), RX, record, pieces), -ENOMEM);
	assert_int_equal(vma_protect(&set, PG(1), PG(2), RX, record, pieces), -ENOMEM);
	assert_int_equal(vma_protect(&set, PG(15), PG(17), RX, record, pieces), -ENOMEM);
	assert_int_equal(vma_protect(&set, PG(16), PG(17), RX, record, pieces), -ENOMEM);
	assert_int_equal(vma_protect(&set, PG(2), PG(16), RX, record, pieces), -ENOMEM);
	EXPECT_NO_PIECES();
	EXPECT_UNCHANGED();
	done();
}

static void test_protect_shm_pieces_keep_pgoff(void **state)
{
	fresh();
	add(0, 8, RW, VMA_SHARED, SHM_A, 10);
	assert_int_equal(vma_protect(&set, PG(2), PG(5), R, record, pieces), 0);
	assert_int_equal(npieces, 1);
	assert_int_equal(pieces[0].pgoff, 12);
	EXPECT_PIECES({ 2, 5, 2, 5, R });
	EXPECT_AREAS({ 0, 2, RW, VMA_SHARED, SHM_A, 10 }, { 2, 5, R, VMA_SHARED, SHM_A, 12 },
		     { 5, 8, RW, VMA_SHARED, SHM_A, 15 });
	assert_int_equal(vma_protect(&set, PG(2), PG(5), RW, record, pieces), 0);
	EXPECT_PIECES({ 2, 5, 2, 5, RW });
	EXPECT_AREAS({ 0, 8, RW, VMA_SHARED, SHM_A, 10 });
	done();
}

static void test_protect_out_of_memory(void **state)
{
	protect_setup();
	save();
	/* Two splits needed: with none or only one of the two areas, nothing changes. */
	kmalloc_budget = 0;
	assert_int_equal(vma_protect(&set, PG(13), PG(15), RX, record, pieces), -ENOMEM);
	kmalloc_budget = 1;
	assert_int_equal(vma_protect(&set, PG(13), PG(15), RX, record, pieces), -ENOMEM);
	/* One split needed, at either edge. */
	kmalloc_budget = 0;
	assert_int_equal(vma_protect(&set, PG(3), PG(6), RX, record, pieces), -ENOMEM);
	assert_int_equal(vma_protect(&set, PG(6), PG(9), RX, record, pieces), -ENOMEM);
	assert_int_equal(vma_protect(&set, PG(4), PG(8), RX, record, pieces), -ENOMEM);
	EXPECT_NO_PIECES();
	EXPECT_UNCHANGED(); /* also: the spare that was allocated is freed again */
	/* No split where the edge piece keeps its prot: [3, 10) R changes only [6, 10). */
	assert_int_equal(vma_protect(&set, PG(3), PG(10), R, record, pieces), 0);
	EXPECT_PIECES({ 6, 10, 6, 10, R });
	kmalloc_budget = -1;
	EXPECT_AREAS({ 2, 10, R }, { 12, 16, R });
	done();
}

/* ---------------------------------------------------------------- gap search */

static void test_gap_empty_set(void **state)
{
	fresh();
	assert_int_equal(vma_gap_topdown(&set, 3 * PAGE_SIZE, PG(0), PG(10)), PG(7));
	assert_int_equal(vma_gap_topdown(&set, 10 * PAGE_SIZE, PG(0), PG(10)), PG(0)); /* exact */
	assert_int_equal(vma_gap_topdown(&set, 11 * PAGE_SIZE, PG(0), PG(10)), 0);
	assert_int_equal(vma_gap_topdown(&set, PG(10) + PAGE_SIZE, 0, PG(10)), 0); /* len > top */
	done();
}

static void test_gap_between_areas(void **state)
{
	fresh();
	add(4, 6, R, 0, NULL, 0);
	add(10, 12, R, 0, NULL, 0);
	add(20, 30, R, 0, NULL, 0);
	/* Free: [0, 4) [6, 10) [12, 20) [30, ...). */
	assert_int_equal(vma_gap_topdown(&set, 10 * PAGE_SIZE, PG(0), PG(40)), PG(30)); /* exact */
	assert_int_equal(vma_gap_topdown(&set, 1 * PAGE_SIZE, PG(0), PG(40)), PG(39));
	assert_int_equal(vma_gap_topdown(&set, 11 * PAGE_SIZE, PG(0), PG(40)), 0);
	assert_int_equal(vma_gap_topdown(&set, 8 * PAGE_SIZE, PG(0), PG(30)), PG(12)); /* exact */
	assert_int_equal(vma_gap_topdown(&set, 9 * PAGE_SIZE, PG(0), PG(30)), 0);
	assert_int_equal(vma_gap_topdown(&set, 4 * PAGE_SIZE, PG(0), PG(20)), PG(16));
	assert_int_equal(vma_gap_topdown(&set, 4 * PAGE_SIZE, PG(0), PG(12)), PG(6));
	assert_int_equal(vma_gap_topdown(&set, 4 * PAGE_SIZE, PG(0), PG(6)), PG(0));
	assert_int_equal(vma_gap_topdown(&set, 5 * PAGE_SIZE, PG(0), PG(12)), 0);
	done();
}

static void test_gap_bounds(void **state)
{
	fresh();
	add(4, 6, R, 0, NULL, 0);
	add(10, 12, R, 0, NULL, 0);
	add(20, 30, R, 0, NULL, 0);
	/* top inside an area: the gap must end below the area. */
	assert_int_equal(vma_gap_topdown(&set, 8 * PAGE_SIZE, PG(0), PG(25)), PG(12));
	assert_int_equal(vma_gap_topdown(&set, 4 * PAGE_SIZE, PG(0), PG(11)), PG(6));
	/* top inside a gap: the gap is cut at top. */
	assert_int_equal(vma_gap_topdown(&set, 3 * PAGE_SIZE, PG(0), PG(9)), PG(6));
	assert_int_equal(vma_gap_topdown(&set, 4 * PAGE_SIZE, PG(0), PG(9)), PG(0));
	/* bottom inside an area or a gap: the gap must start at or above it. */
	assert_int_equal(vma_gap_topdown(&set, 4 * PAGE_SIZE, PG(5), PG(10)), PG(6));
	assert_int_equal(vma_gap_topdown(&set, 5 * PAGE_SIZE, PG(5), PG(10)), 0);
	assert_int_equal(vma_gap_topdown(&set, 8 * PAGE_SIZE, PG(11), PG(20)), PG(12));
	assert_int_equal(vma_gap_topdown(&set, 9 * PAGE_SIZE, PG(11), PG(20)), 0);
	assert_int_equal(vma_gap_topdown(&set, 3 * PAGE_SIZE, PG(1), PG(4)), PG(1));
	assert_int_equal(vma_gap_topdown(&set, 4 * PAGE_SIZE, PG(1), PG(6)), 0);
	/* Areas wholly above top or below bottom do not matter. */
	assert_int_equal(vma_gap_topdown(&set, 6 * PAGE_SIZE, PG(12), PG(18)), PG(12));
	assert_int_equal(vma_gap_topdown(&set, 10 * PAGE_SIZE, PG(30), PG(40)), PG(30));
	/* top - len below bottom, and an empty window. */
	assert_int_equal(vma_gap_topdown(&set, 5 * PAGE_SIZE, PG(30), PG(34)), 0);
	assert_int_equal(vma_gap_topdown(&set, PAGE_SIZE, PG(34), PG(34)), 0);
	done();
}

/* ---------------------------------------------------------------- random sequence */

/* The model: what each page of a SPACE-page window at BASE should be. */
#define SPACE 512
#define STEPS 100000

struct mpage {
	bool mapped;
	unsigned prot, flags;
	struct shm_object *shm;
	u64 pgoff; /* meaningful only with shm */
};

static struct mpage model[SPACE];
static long step_no;

#define CHECK(cond)                                                                          \
	do {                                                                                 \
		if (!(cond))                                                                 \
			fail_msg("%s:%d: %s is false at step %ld", __FILE__, __LINE__, #cond, \
				 step_no);                                                   \
	} while (0)

static bool page_free(long i)
{
	return i < 0 || i >= SPACE || !model[i].mapped;
}

/* Pages i and i + 1 are one area's: the set must have merged every such pair. */
static bool joined(long i)
{
	const struct mpage *p, *q;

	if (i < 0 || i + 1 >= SPACE)
		return false;
	p = &model[i];
	q = &model[i + 1];
	return p->mapped && q->mapped && p->prot == q->prot && p->flags == q->flags &&
	       p->shm == q->shm && (!p->shm || p->pgoff + 1 == q->pgoff);
}

static long run_start(long i)
{
	while (joined(i - 1))
		i--;
	return i;
}

static long run_end(long i)
{
	while (joined(i))
		i++;
	return i + 1;
}

static bool aligned(unsigned long addr)
{
	return !(addr & (PAGE_SIZE - 1));
}

/* The set describes exactly the model's pages, as maximal areas, and owns exactly one kmalloc
 * block per area and one shm reference per shm area. */
static void check_model(void)
{
	long areas = 0, pages = 0, mapped = 0, runs = 0, refs[NSHM] = { 0 };

	CHECK(vma_check(&set) == 0);
	for (struct vm_area *a = vma_first(&set); a; a = vma_next(a)) {
		long from = pidx(a->start), to = pidx(a->end);

		CHECK(aligned(a->start) && aligned(a->end));
		CHECK(from >= 0 && from < to && to <= SPACE);
		for (long i = from; i < to; i++) {
			const struct mpage *m = &model[i];

			CHECK(m->mapped && m->prot == a->prot && m->flags == a->flags &&
			      m->shm == a->shm);
			CHECK(!a->shm || m->pgoff == a->pgoff + (u64)(i - from));
		}
		CHECK(!joined(from - 1) && !joined(to - 1)); /* nothing left to merge */
		if (a->shm)
			refs[a->shm - shm]++;
		areas++;
		pages += to - from;
	}
	for (long i = 0; i < SPACE; i++) {
		if (model[i].mapped) {
			mapped++;
			runs += !joined(i);
		}
	}
	CHECK(pages == mapped);
	CHECK(areas == runs);
	CHECK(set.count == (unsigned long)areas && set.pages == (u64)pages);
	CHECK(kmalloc_live == areas);
	for (int k = 0; k < NSHM; k++)
		CHECK(shm[k].refs == 1 + refs[k]);
}

/* Attributes for a new area at [p, p + len): often those that continue a neighbour, so that
 * inserts merge, sometimes random ones. */
static struct mpage random_attrs(long p, long len)
{
	static const unsigned prots[] = { PROT_NONE, R, RW, RX };
	struct mpage m = { .mapped = true };
	unsigned r = rng_below(100);

	if (r < 35 && !page_free(p - 1)) {
		m = model[p - 1];
		m.pgoff++;
	} else if (r < 50 && !page_free(p + len) &&
		   (!model[p + len].shm || model[p + len].pgoff >= (u64)len)) {
		m = model[p + len];
		m.pgoff -= len;
	} else {
		m.prot = prots[rng_below(ARRAY_SIZE(prots))];
		m.flags = rng_below(10) ? 0 : rng_below(2) ? VMA_NORESERVE : VMA_STACK;
		if (rng_below(100) < 20) {
			m.shm = &shm[rng_below(NSHM)];
			m.flags |= VMA_SHARED;
			m.pgoff = rng_below(64);
		}
	}
	if (!m.shm)
		m.pgoff = 0;
	return m;
}

/* What the random sequence did, to show that the mix exercises every path. */
static unsigned long n_mapped_sum, n_areas_sum, n_inserts, n_merges, n_carve_pages, n_splits,
	n_protects, n_holes, n_refused, n_gap_hits, n_gap_misses, n_clears;

static void insert_at(long p, long len)
{
	struct mpage m = random_attrs(p, len);
	unsigned long count = set.count;
	struct vm_area *a, *got;

	a = vma_alloc(PG(p), PG(p + len), m.prot, m.flags, m.shm, m.pgoff);
	CHECK(a != NULL);
	got = vma_insert(&set, a);
	for (long i = p; i < p + len; i++) {
		model[i] = m;
		model[i].pgoff = m.shm ? m.pgoff + (u64)(i - p) : 0;
	}
	CHECK(got == vma_lookup(&set, PG(p)));
	CHECK(got->start == PG(run_start(p)) && got->end == PG(run_end(p)));
	n_inserts++;
	n_merges += set.count != count + 1;
}

/* Insert into the free run starting at a random page, of up to a random length. */
static void op_insert(void)
{
	long p = rng_below(SPACE), want = 1 + rng_below(rng_below(4) ? 8 : 32), len = 0;

	while (len < want && p + len < SPACE && page_free(p + len))
		len++;
	if (len)
		insert_at(p, len);
}

/* The highest free [s, s + len) within [bottom, top), by the model; NONE if there is none. */
#define NONE LONG_MIN
static long model_gap(long len, long bottom, long top)
{
	long run = 0;

	for (long i = top - 1; i >= bottom; i--) {
		run = page_free(i) ? run + 1 : 0;
		if (run >= len)
			return i;
	}
	return NONE;
}

static void op_gap(void)
{
	long len = 1 + rng_below(rng_below(2) ? 4 : 24);
	long bottom = rng_range(-8, SPACE + 8), top = rng_range(bottom, SPACE + 8);
	long want = model_gap(len, bottom, top);
	unsigned long got = vma_gap_topdown(&set, len * PAGE_SIZE, PG(bottom), PG(top));

	CHECK(got == (want == NONE ? 0 : PG(want)));
	if (want == NONE) {
		n_gap_misses++;
	} else {
		n_gap_hits++;
		if (want >= 0 && want + len <= SPACE)
			insert_at(want, len);
	}
}

/* The callback's pieces lie in [from, to), cover each page at most once, and are exactly the
 * pages changes() names; each piece's area had the model's attributes (for protect, new prot). */
static void check_pieces(long from, long to, bool (*changes)(long, unsigned), unsigned prot,
			 bool protect)
{
	static bool seen[SPACE];
	long n = 0, want = 0;

	memset(seen, 0, sizeof(seen));
	for (size_t k = 0; k < npieces; k++) {
		const struct piece *pc = &pieces[k];
		long s = pidx(pc->start), e = pidx(pc->end);
		long as = pidx(pc->a_start), ae = pidx(pc->a_end);

		CHECK(aligned(pc->start) && aligned(pc->end));
		CHECK(from <= s && s < e && e <= to);
		CHECK(as <= s && e <= ae);
		if (protect) {
			CHECK(pc->prot == prot);
		} else {
			/* The area still had its old bounds: the model's run (not yet updated). */
			CHECK(as == run_start(s) && ae == run_end(s));
		}
		for (long i = s; i < e; i++) {
			const struct mpage *m;

			CHECK(i >= 0 && i < SPACE && !seen[i]);
			m = &model[i];
			seen[i] = true;
			n++;
			CHECK(m->mapped && m->flags == pc->flags && m->shm == pc->shm);
			CHECK(protect || m->prot == pc->prot);
			CHECK(!m->shm || m->pgoff == pc->pgoff + (u64)(i - as));
		}
	}
	for (long i = from; i < to; i++)
		want += changes(i, prot);
	CHECK(n == want);
	npieces = 0;
}

static bool carve_takes(long i, unsigned prot)
{
	return !page_free(i);
}

static bool protect_changes(long i, unsigned prot)
{
	return !page_free(i) && model[i].prot != prot;
}

static void op_carve(void)
{
	long from = rng_range(-4, SPACE - 1), to = from + 1 + rng_below(rng_below(2) ? 4 : 48);
	/* Memory is needed only to split one area at both ends. */
	bool needs = !page_free(from - 1) && run_end(from - 1) > to;
	bool starve = rng_below(8) == 0;
	int ret;

	kmalloc_budget = starve ? 0 : -1;
	ret = vma_carve(&set, PG(from), PG(to), record, pieces);
	kmalloc_budget = -1;
	if (starve && needs) {
		CHECK(ret == -ENOMEM);
		CHECK(npieces == 0);
		n_refused++;
		return;
	}
	CHECK(ret == 0);
	check_pieces(from, to, carve_takes, 0, false);
	n_splits += needs;
	for (long i = from > 0 ? from : 0; i < to && i < SPACE; i++) {
		n_carve_pages += model[i].mapped;
		model[i] = (struct mpage){ 0 };
	}
}

static void op_protect(void)
{
	static const unsigned prots[] = { PROT_NONE, R, RW, RX };
	long from = rng_range(-2, SPACE - 1), to, mapped_to = from;
	unsigned prot = prots[rng_below(ARRAY_SIZE(prots))];
	bool hole = false;
	long needs = 0, budget = rng_below(6) == 0 ? (long)rng_below(2) : -1;
	int ret;

	/* Mostly from a mapped page and within the mapped pages after it, so that most calls
	 * change something; the rest anywhere, holes included. */
	if (rng_below(4)) {
		while (from < SPACE && page_free(from))
			from++;
		mapped_to = from;
		while (!page_free(mapped_to))
			mapped_to++;
	}
	if (mapped_to > from)
		to = from + 1 + rng_below(mapped_to - from);
	else
		to = from + 1 + rng_below(rng_below(2) ? 4 : 32);
	for (long i = from; i < to; i++)
		hole |= page_free(i);
	if (!hole)
		needs = (joined(from - 1) && model[from].prot != prot) +
			(joined(to - 1) && model[to - 1].prot != prot);
	kmalloc_budget = budget;
	ret = vma_protect(&set, PG(from), PG(to), prot, record, pieces);
	kmalloc_budget = -1;
	n_protects++;
	if (hole || (budget >= 0 && needs > budget)) {
		CHECK(ret == -ENOMEM);
		CHECK(npieces == 0);
		n_holes += hole;
		n_refused += !hole;
		return;
	}
	CHECK(ret == 0);
	check_pieces(from, to, protect_changes, prot, true);
	for (long i = from; i < to; i++)
		model[i].prot = prot;
}

static void op_query(void)
{
	unsigned long addr = PG(-1) + rng_below((SPACE + 2) * PAGE_SIZE);
	unsigned long end = addr + 1 + rng_below(8 * PAGE_SIZE);
	long p = pidx(addr), q = p < 0 ? 0 : p, last = pidx(end - 1);
	struct vm_area *a;
	bool overlap = false;

	a = vma_lookup(&set, addr);
	if (page_free(p))
		CHECK(a == NULL);
	else
		CHECK(a && a->start == PG(run_start(p)) && a->end == PG(run_end(p)));
	while (q < SPACE && page_free(q))
		q++;
	a = vma_find(&set, addr);
	if (q >= SPACE)
		CHECK(a == NULL);
	else
		CHECK(a && a->start == PG(run_start(q)) && a->end == PG(run_end(q)));
	for (long i = p; i <= last; i++)
		overlap |= !page_free(i);
	CHECK(vma_overlaps(&set, addr, end) == overlap);
}

static void op_clear(void)
{
	long n = 0;

	vma_clear(&set, record, pieces);
	for (size_t k = 0; k < npieces; k++) {
		long s = pidx(pieces[k].start), e = pidx(pieces[k].end);

		CHECK(pieces[k].a_start == pieces[k].start && pieces[k].a_end == pieces[k].end);
		CHECK(s >= 0 && e <= SPACE && run_start(s) == s && run_end(s) == e);
		n += e - s;
	}
	for (long i = 0; i < SPACE; i++)
		n -= model[i].mapped;
	CHECK(n == 0);
	npieces = 0;
	memset(model, 0, sizeof(model));
	n_clears++;
}

static void test_random_sequence(void **state)
{
	fresh();
	memset(model, 0, sizeof(model));
	rng_seed(0x766d6173657473ull, "vma random sequence");
	for (step_no = 0; step_no < STEPS; step_no++) {
		unsigned r = rng_below(1000);

		if (r < 330)
			op_insert();
		else if (r < 420)
			op_gap();
		else if (r < 640)
			op_carve();
		else if (r < 900)
			op_protect();
		else if (r < 999)
			op_query();
		else if (rng_below(20) == 0)
			op_clear();
		check_model();
		n_mapped_sum += set.pages;
		n_areas_sum += set.count;
	}
	print_message("# mean %lu pages in %lu areas\n", n_mapped_sum / STEPS, n_areas_sum / STEPS);
	print_message("# inserts %lu (merged %lu), carved pages %lu (splits %lu), protects %lu "
		      "(holes %lu), refused for memory %lu, gaps %lu/%lu, clears %lu\n",
		      n_inserts, n_merges, n_carve_pages, n_splits, n_protects, n_holes, n_refused,
		      n_gap_hits, n_gap_misses, n_clears);
	/* The mix did what it is for, with margin for other seeds. */
	assert_true(n_merges > 5000);
	assert_true(n_splits > 500);
	assert_true(n_holes > 1000 && n_protects - n_holes > 10000);
	assert_true(n_refused > 500);
	assert_true(n_gap_hits > 1000 && n_gap_misses > 100);
	step_no = -1;
	done();
}

int main(void)
{
#define TEST(f) cmocka_unit_test_teardown(f, free_leftovers)
	const struct CMUnitTest tests[] = {
		TEST(test_empty_set),
		TEST(test_find_lookup_overlaps_boundaries),
		TEST(test_insert_merges_with_prev),
		TEST(test_insert_merges_with_next),
		TEST(test_insert_merges_with_both),
		TEST(test_insert_private_areas_ignore_pgoff),
		TEST(test_insert_shm_merges_on_contiguous_pgoff),
		TEST(test_insert_keeps_incompatible_neighbours_apart),
		TEST(test_insert_bookkeeping),
		TEST(test_alloc_and_free_hold_references),
		TEST(test_clear_drops_every_area),
		TEST(test_carve_whole_area),
		TEST(test_carve_head),
		TEST(test_carve_tail),
		TEST(test_carve_middle_splits),
		TEST(test_carve_middle_of_shm_area_adjusts_pgoff),
		TEST(test_carve_across_areas_and_holes),
		TEST(test_carve_touching_nothing),
		TEST(test_carve_out_of_memory),
		TEST(test_protect_whole_area),
		TEST(test_protect_head_splits),
		TEST(test_protect_tail_merges_with_next),
		TEST(test_protect_middle_splits_twice),
		TEST(test_protect_across_areas),
		TEST(test_protect_skips_pieces_already_right),
		TEST(test_protect_merges_both_neighbours),
		TEST(test_protect_merges_with_the_area_past_end),
		TEST(test_protect_equal_prot_is_a_no_op),
		TEST(test_protect_over_a_hole_fails),
		TEST(test_protect_shm_pieces_keep_pgoff),
		TEST(test_protect_out_of_memory),
		TEST(test_gap_empty_set),
		TEST(test_gap_between_areas),
		TEST(test_gap_bounds),
		TEST(test_random_sequence),
	};

	hosttest_init();
	return cmocka_run_group_tests_name("vma", tests, NULL, NULL);
}
