/* tests/host/test_avl.c: host tests of the AVL tree in kernel/lib/avl.c.
 * Exact shapes after each rotation and erase case, then seeded random operations against a bitmap. */
#include "hosttest.h"

#include <string.h>

#include <granary/avl.h>

struct item {
	int key;
	struct avl_node node;
};

static int item_cmp(const struct avl_node *a, const struct avl_node *b)
{
	int ka = avl_entry(a, struct item, node)->key, kb = avl_entry(b, struct item, node)->key;

	return (ka > kb) - (ka < kb);
}

static int key_of(const struct avl_node *n)
{
	return avl_entry(n, struct item, node)->key;
}

/* Items with key i at items[i], for the small cases. */
static struct item items[64];

static void init_items(void)
{
	for (int i = 0; i < (int)ARRAY_SIZE(items); i++)
		items[i].key = i;
}

static void insert_keys(struct avl_root *root, const int *keys, int n)
{
	for (int i = 0; i < n; i++)
		assert_null(avl_insert(root, &items[keys[i]].node, item_cmp));
}

/* The tree as text: "key" for a leaf, "key(left,right)" otherwise, "-" for a missing child. */
static void shape_of(const struct avl_node *n, char *buf, size_t size)
{
	size_t len = strlen(buf);

	if (!n) {
		snprintf(buf + len, size - len, "-");
		return;
	}
	snprintf(buf + len, size - len, "%d", key_of(n));
	if (!n->left && !n->right)
		return;
	strncat(buf, "(", size - strlen(buf) - 1);
	shape_of(n->left, buf, size);
	strncat(buf, ",", size - strlen(buf) - 1);
	shape_of(n->right, buf, size);
	strncat(buf, ")", size - strlen(buf) - 1);
}

static const char *shape(const struct avl_root *root)
{
	static char buf[4096];

	buf[0] = '\0';
	shape_of(root->node, buf, sizeof(buf));
	return buf;
}

/* ---------------------------------------------------------------- insertion and rotations */

static void test_empty_tree(void **state)
{
	struct avl_root root = AVL_ROOT_INIT;

	assert_true(avl_empty(&root));
	assert_null(avl_first(&root));
	assert_null(avl_last(&root));
	assert_int_equal(avl_check(&root, item_cmp), 0);
	assert_string_equal(shape(&root), "-");
}

static void test_single_node(void **state)
{
	struct avl_root root = AVL_ROOT_INIT;

	init_items();
	assert_null(avl_insert(&root, &items[7].node, item_cmp));
	assert_false(avl_empty(&root));
	assert_ptr_equal(root.node, &items[7].node);
	assert_null(items[7].node.parent);
	assert_null(items[7].node.left);
	assert_null(items[7].node.right);
	assert_int_equal(items[7].node.height, 1);
	assert_ptr_equal(avl_first(&root), &items[7].node);
	assert_ptr_equal(avl_last(&root), &items[7].node);
	assert_null(avl_next(&items[7].node));
	assert_null(avl_prev(&items[7].node));
	assert_int_equal(avl_check(&root, item_cmp), 1);
	avl_erase(&root, &items[7].node);
	assert_true(avl_empty(&root));
	assert_int_equal(avl_check(&root, item_cmp), 0);
}

/* Each of the four cases ends with the middle key on top and the heights 2, 1, 1. */
static void check_three(const int *keys, const char *before)
{
	struct avl_root root = AVL_ROOT_INIT;

	init_items();
	insert_keys(&root, keys, 2);
	assert_string_equal(shape(&root), before);
	assert_int_equal(root.node->height, 2);
	insert_keys(&root, keys + 2, 1);
	assert_string_equal(shape(&root), "2(1,3)");
	assert_ptr_equal(root.node, &items[2].node);
	assert_null(items[2].node.parent);
	assert_ptr_equal(items[1].node.parent, &items[2].node);
	assert_ptr_equal(items[3].node.parent, &items[2].node);
	assert_int_equal(items[2].node.height, 2);
	assert_int_equal(items[1].node.height, 1);
	assert_int_equal(items[3].node.height, 1);
	assert_int_equal(avl_check(&root, item_cmp), 3);
}

static void test_rotation_ll(void **state)
{
	check_three((const int[]){ 3, 2, 1 }, "3(2,-)");
}

static void test_rotation_rr(void **state)
{
	check_three((const int[]){ 1, 2, 3 }, "1(-,2)");
}

static void test_rotation_lr(void **state)
{
	check_three((const int[]){ 3, 1, 2 }, "3(1,-)");
}

static void test_rotation_rl(void **state)
{
	check_three((const int[]){ 1, 3, 2 }, "1(-,3)");
}

/* Rotations below the root, with subtrees that move between nodes. */
static void test_rotations_with_subtrees(void **state)
{
	struct avl_root root = AVL_ROOT_INIT;

	init_items();
	/* Ascending: a single left rotation at each power of two, some below the root. */
	for (int k = 1; k <= 7; k++)
		insert_keys(&root, &k, 1);
	assert_string_equal(shape(&root), "4(2(1,3),6(5,7))");
	assert_int_equal(avl_check(&root, item_cmp), 7);

	/* Double rotation (right-left) whose middle node brings two children along. */
	root = (struct avl_root)AVL_ROOT_INIT;
	insert_keys(&root, (const int[]){ 20, 10, 40, 30, 50, 25, 35 }, 5);
	assert_string_equal(shape(&root), "20(10,40(30,50))");
	insert_keys(&root, (const int[]){ 25 }, 1);
	assert_string_equal(shape(&root), "30(20(10,25),40(-,50))");
	insert_keys(&root, (const int[]){ 35 }, 1);
	assert_string_equal(shape(&root), "30(20(10,25),40(35,50))");
	assert_int_equal(avl_check(&root, item_cmp), 7);

	/* Double rotation (left-right) below the root: 3(1,-) under 5 turns into 2(1,3). */
	root = (struct avl_root)AVL_ROOT_INIT;
	insert_keys(&root, (const int[]){ 5, 3, 8, 1, 2 }, 5);
	assert_string_equal(shape(&root), "5(2(1,3),8)");
	assert_ptr_equal(items[2].node.parent, &items[5].node);
	assert_int_equal(root.node->height, 3);
	assert_int_equal(avl_check(&root, item_cmp), 5);
}

static void test_insert_duplicate(void **state)
{
	struct avl_root root = AVL_ROOT_INIT;
	struct item dup = { .key = 2 };

	init_items();
	insert_keys(&root, (const int[]){ 2, 1, 3 }, 3);
	memset(&dup.node, 0x5a, sizeof(dup.node));
	assert_ptr_equal(avl_insert(&root, &dup.node, item_cmp), &items[2].node);
	dup.key = 3;
	assert_ptr_equal(avl_insert(&root, &dup.node, item_cmp), &items[3].node);
	/* Nothing was linked, and dup was not even written to. */
	assert_string_equal(shape(&root), "2(1,3)");
	assert_int_equal(avl_check(&root, item_cmp), 3);
	for (size_t i = 0; i < sizeof(dup.node); i++)
		assert_int_equal(((unsigned char *)&dup.node)[i], 0x5a);
	dup.key = 4;
	assert_null(avl_insert(&root, &dup.node, item_cmp));
	assert_int_equal(avl_check(&root, item_cmp), 4);
	assert_ptr_equal(avl_last(&root), &dup.node);
}

/* avl_link() at a position found by hand, as a caller with its own key does it. */
static void test_link_by_hand(void **state)
{
	struct avl_root root = AVL_ROOT_INIT;

	init_items();
	for (int k = 10; k >= 1; k--) {
		struct avl_node **link = &root.node, *parent = NULL;

		while (*link) {
			parent = *link;
			link = k < key_of(parent) ? &parent->left : &parent->right;
		}
		avl_link(&root, &items[k].node, parent, link);
		assert_int_equal(avl_check(&root, item_cmp), 11 - k);
	}
	assert_string_equal(shape(&root), "7(3(2(1,-),5(4,6)),9(8,10))");
}

/* ---------------------------------------------------------------- erase */

static struct avl_root seven(void)
{
	struct avl_root root = AVL_ROOT_INIT;

	init_items();
	insert_keys(&root, (const int[]){ 4, 2, 6, 1, 3, 5, 7 }, 7);
	assert_string_equal(shape(&root), "4(2(1,3),6(5,7))");
	return root;
}

static void test_erase_leaf(void **state)
{
	struct avl_root root = seven();

	avl_erase(&root, &items[1].node);
	assert_string_equal(shape(&root), "4(2(-,3),6(5,7))");
	assert_int_equal(items[2].node.height, 2);
	assert_int_equal(avl_check(&root, item_cmp), 6);
	avl_erase(&root, &items[3].node);
	assert_string_equal(shape(&root), "4(2,6(5,7))");
	assert_int_equal(items[2].node.height, 1);
	assert_int_equal(root.node->height, 3);
	assert_int_equal(avl_check(&root, item_cmp), 5);
	/* Now the left side is two shorter: erasing the last leaf there rotates at the root. */
	avl_erase(&root, &items[2].node);
	assert_string_equal(shape(&root), "6(4(-,5),7)");
	assert_null(items[6].node.parent);
	assert_int_equal(avl_check(&root, item_cmp), 4);
}

static void test_erase_one_child(void **state)
{
	struct avl_root root = seven();

	avl_erase(&root, &items[1].node);
	avl_erase(&root, &items[2].node); /* has only its right child 3 */
	assert_string_equal(shape(&root), "4(3,6(5,7))");
	assert_ptr_equal(items[3].node.parent, &items[4].node);
	assert_int_equal(avl_check(&root, item_cmp), 5);
	avl_erase(&root, &items[7].node);
	avl_erase(&root, &items[6].node); /* has only its left child 5 */
	assert_string_equal(shape(&root), "4(3,5)");
	assert_ptr_equal(items[5].node.parent, &items[4].node);
	assert_int_equal(avl_check(&root, item_cmp), 3);
}

static void test_erase_two_children(void **state)
{
	struct avl_root root = seven();

	/* The successor is the right child itself. */
	avl_erase(&root, &items[2].node);
	assert_string_equal(shape(&root), "4(3(1,-),6(5,7))");
	assert_ptr_equal(items[1].node.parent, &items[3].node);
	assert_int_equal(avl_check(&root, item_cmp), 6);

	/* The successor is deeper, and brings its right child up to its old parent. */
	root = (struct avl_root)AVL_ROOT_INIT;
	insert_keys(&root, (const int[]){ 10, 5, 20, 3, 15, 30, 17 }, 7);
	assert_string_equal(shape(&root), "10(5(3,-),20(15(-,17),30))");
	avl_erase(&root, &items[10].node);
	assert_string_equal(shape(&root), "15(5(3,-),20(17,30))");
	assert_ptr_equal(items[17].node.parent, &items[20].node);
	assert_null(items[15].node.parent);
	assert_int_equal(avl_check(&root, item_cmp), 6);

	/* The successor leaves its old parent unbalanced: a rotation there, none above. */
	root = (struct avl_root)AVL_ROOT_INIT;
	insert_keys(&root, (const int[]){ 10, 5, 20, 3, 7, 15, 30, 1, 4, 6, 8, 31 }, 12);
	assert_string_equal(shape(&root), "10(5(3(1,4),7(6,8)),20(15,30(-,31)))");
	avl_erase(&root, &items[10].node);
	assert_string_equal(shape(&root), "15(5(3(1,4),7(6,8)),30(20,31))");
	assert_ptr_equal(items[30].node.parent, &items[15].node);
	assert_int_equal(root.node->height, 4);
	assert_int_equal(avl_check(&root, item_cmp), 11);

	/* Erasing through the root's successor leaves the root side two short: the root rotates. */
	root = (struct avl_root)AVL_ROOT_INIT;
	insert_keys(&root, (const int[]){ 10, 5, 20, 3, 7, 15, 1 }, 7);
	assert_string_equal(shape(&root), "10(5(3(1,-),7),20(15,-))");
	avl_erase(&root, &items[10].node);
	assert_string_equal(shape(&root), "5(3(1,-),15(7,20))");
	assert_int_equal(avl_check(&root, item_cmp), 6);
}

static void test_erase_root(void **state)
{
	struct avl_root root = seven();
	static const char *const after[] = {
		"5(2(1,3),6(-,7))", "6(2(1,3),7)", "2(1,7(3,-))", "3(1,7)", "7(1,-)", "1",
	};

	for (int i = 0; i < 6; i++) {
		avl_erase(&root, root.node);
		assert_string_equal(shape(&root), after[i]);
		assert_null(root.node->parent);
		assert_int_equal(avl_check(&root, item_cmp), 6 - i);
	}
	avl_erase(&root, root.node);
	assert_true(avl_empty(&root));
}

/* A Fibonacci tree (the fewest nodes for its height) built by inserting level by level,
 * which needs no rotations; then an erase that makes every level on one side rotate. */
static int fib_keys(int height, int next, int *level_of, int depth)
{
	/* Numbers the nodes in order from next; returns the next unused key. */
	if (height <= 0)
		return next;
	next = fib_keys(height - 1, next, level_of, depth + 1);
	level_of[next] = depth;
	next++;
	return fib_keys(height - 2, next, level_of, depth + 1);
}

static void test_erase_cascade(void **state)
{
	struct avl_root root = AVL_ROOT_INIT;
	int level_of[64], n, h = 8; /* 54 nodes */
	int spine = 0;

	init_items();
	n = fib_keys(h, 0, level_of, 0);
	assert_int_equal(n, 54);
	for (int depth = 0; depth < h; depth++)
		for (int k = 0; k < n; k++)
			if (level_of[k] == depth)
				insert_keys(&root, &k, 1);
	assert_int_equal(avl_check(&root, item_cmp), 54);
	assert_int_equal(root.node->height, 8);
	/* Every node at the depth it was meant for: no insertion rotated. */
	for (int k = 0; k < n; k++) {
		int depth = 0;

		for (struct avl_node *p = items[k].node.parent; p; p = p->parent)
			depth++;
		assert_int_equal(depth, level_of[k]);
	}
	for (struct avl_node *p = root.node; p->right; p = p->right)
		spine++;
	assert_int_equal(spine, 3); /* the right spine: heights 8, 6, 4, 2 */

	/* One fewer node than the minimum for height 8: the tree must come out at height 7. */
	avl_erase(&root, avl_last(&root));
	assert_int_equal(avl_check(&root, item_cmp), 53);
	assert_int_equal(root.node->height, 7);
	for (int k = 0; k < 53; k++)
		assert_int_equal(key_of(k ? avl_next(&items[k - 1].node) : avl_first(&root)), k);
}

/* ---------------------------------------------------------------- walks and replace */

static void test_walks(void **state)
{
	struct avl_root root = AVL_ROOT_INIT;
	struct avl_node *n;
	int k;

	init_items();
	for (k = 0; k < 40; k++) {
		int key = (k * 17) % 40; /* 0..39, scrambled */

		insert_keys(&root, &key, 1);
	}
	assert_int_equal(avl_check(&root, item_cmp), 40);
	assert_ptr_equal(avl_first(&root), &items[0].node);
	assert_ptr_equal(avl_last(&root), &items[39].node);
	k = 0;
	avl_for_each(n, &root)
		assert_int_equal(key_of(n), k++);
	assert_int_equal(k, 40);
	for (n = avl_last(&root); n; n = avl_prev(n))
		assert_int_equal(key_of(n), --k);
	assert_int_equal(k, 0);
	assert_null(avl_prev(&items[0].node));
	assert_null(avl_next(&items[39].node));
	assert_null(avl_entry_safe(avl_next(&items[39].node), struct item, node));
	assert_ptr_equal(avl_entry_safe(avl_next(&items[5].node), struct item, node), &items[6]);

	/* Erase every other key while walking, fetching the successor first. */
	for (n = avl_first(&root); n; ) {
		struct avl_node *next = avl_next(n);

		if (key_of(n) % 2)
			avl_erase(&root, n);
		n = next;
	}
	assert_int_equal(avl_check(&root, item_cmp), 20);
	k = 0;
	avl_for_each(n, &root) {
		assert_int_equal(key_of(n), k);
		k += 2;
	}
	assert_int_equal(k, 40);
}

static void test_replace(void **state)
{
	struct avl_root root = seven();
	struct item new4 = { .key = 4 }, new2 = { .key = 2 }, new7 = { .key = 7 };

	avl_replace(&root, &items[4].node, &new4.node); /* the root */
	avl_replace(&root, &items[2].node, &new2.node); /* an inner node */
	avl_replace(&root, &items[7].node, &new7.node); /* a leaf */
	assert_string_equal(shape(&root), "4(2(1,3),6(5,7))");
	assert_ptr_equal(root.node, &new4.node);
	assert_null(new4.node.parent);
	assert_ptr_equal(new4.node.left, &new2.node);
	assert_ptr_equal(new2.node.parent, &new4.node);
	assert_ptr_equal(items[1].node.parent, &new2.node);
	assert_ptr_equal(items[3].node.parent, &new2.node);
	assert_ptr_equal(items[6].node.parent, &new4.node);
	assert_ptr_equal(items[6].node.right, &new7.node);
	assert_ptr_equal(new7.node.parent, &items[6].node);
	assert_int_equal(new4.node.height, 3);
	assert_int_equal(new2.node.height, 2);
	assert_int_equal(new7.node.height, 1);
	assert_ptr_equal(avl_last(&root), &new7.node);
	assert_int_equal(avl_check(&root, item_cmp), 7);
	/* The replacements behave like any node afterwards. */
	avl_erase(&root, &new4.node);
	assert_string_equal(shape(&root), "5(2(1,3),6(-,7))");
	assert_ptr_equal(items[6].node.right, &new7.node);
	assert_int_equal(avl_check(&root, item_cmp), 6);
}

/* avl_check() itself must fail on each kind of damage, or the random test proves nothing. */
static void test_check_detects_damage(void **state)
{
	struct avl_root root = seven();
	struct avl_node *save;

	items[3].node.parent = &items[4].node;
	assert_int_equal(avl_check(&root, item_cmp), AVL_BAD_PARENT);
	items[3].node.parent = &items[2].node;
	root.node->parent = &items[1].node;
	assert_int_equal(avl_check(&root, item_cmp), AVL_BAD_PARENT);
	root.node->parent = NULL;

	items[6].node.height = 3;
	assert_int_equal(avl_check(&root, item_cmp), AVL_BAD_HEIGHT);
	items[6].node.height = 2;

	items[3].key = 5;
	assert_int_equal(avl_check(&root, item_cmp), AVL_UNSORTED);
	items[3].key = 4; /* equal keys are out of order too */
	assert_int_equal(avl_check(&root, item_cmp), AVL_UNSORTED);
	items[3].key = 3;

	/* 6's subtree replaced by a chain 6 -> 7 -> 8 with correct heights: unbalanced at 6. */
	save = items[6].node.left;
	items[6].node.left = NULL;
	items[7].node.right = &items[8].node;
	items[7].node.height = 2;
	items[6].node.height = 3;
	items[4].node.height = 4;
	items[8].node = (struct avl_node){ .parent = &items[7].node, .height = 1 };
	assert_int_equal(avl_check(&root, item_cmp), AVL_UNBALANCED);
	items[6].node.left = save;
	items[7].node.right = NULL;
	items[7].node.height = 1;
	items[6].node.height = 2;
	items[4].node.height = 3;

	/* One node hung on both sides of its parent. */
	items[2].node.right = &items[1].node;
	items[3].node.parent = NULL;
	assert_int_equal(avl_check(&root, item_cmp), AVL_UNSORTED);
	items[2].node.right = &items[3].node;
	items[3].node.parent = &items[2].node;
	assert_int_equal(avl_check(&root, item_cmp), 7);
}

/* ---------------------------------------------------------------- random operations */

#define NKEYS 5000
#define NOPS 200000
#define CHECK_EVERY 8 /* a full check is O(n): every step takes ~20 s under ASan */

static struct item pool[NKEYS];
static bool present[NKEYS];

/* The first item whose key is >= key, by the lookup pattern avl.h documents. */
static struct item *lower_bound(const struct avl_root *root, int key)
{
	struct avl_node *n = root->node;
	struct item *found = NULL;

	while (n) {
		struct item *it = avl_entry(n, struct item, node);

		if (it->key >= key) {
			found = it;
			n = n->left;
		} else {
			n = n->right;
		}
	}
	return found;
}

static int ref_lower_bound(int key)
{
	for (int k = key < 0 ? 0 : key; k < NKEYS; k++)
		if (present[k])
			return k;
	return -1;
}

/* The most nodes an AVL tree of height h can lack: it has at least N(h) = N(h-1) + N(h-2) + 1
 * nodes, so n >= N(h) is the exact bound (tighter than h <= 1.45 log2(n + 2)). */
static bool height_ok(long n, int h)
{
	long a = 0, b = 1; /* N(0), N(1) */

	if (h == 0)
		return n == 0;
	for (int i = 1; i < h; i++) {
		long c = a + b + 1;

		a = b;
		b = c;
	}
	return n >= b;
}

/* log2 without libm: the exponent by halving, then the fraction bit by bit by squaring. */
static double log2_of(double y)
{
	double l = 0.0, bit = 1.0;

	while (y >= 2.0) {
		y /= 2.0;
		l += 1.0;
	}
	for (int i = 0; i < 52; i++) {
		y *= y;
		bit /= 2.0;
		if (y >= 2.0) {
			y /= 2.0;
			l += bit;
		}
	}
	return l;
}

static void check_against_reference(const struct avl_root *root, long count)
{
	struct avl_node *n = avl_first(root);

	assert_int_equal(avl_check(root, item_cmp), count);
	for (int k = 0; k < NKEYS; k++) {
		if (!present[k])
			continue;
		assert_non_null(n);
		assert_int_equal(key_of(n), k);
		n = avl_next(n);
	}
	assert_null(n);
	assert_true(height_ok(count, root->node ? root->node->height : 0));
	assert_true((root->node ? root->node->height : 0) <= 1.45 * log2_of(count + 2));
}

static void test_random_operations(void **state)
{
	struct avl_root root = AVL_ROOT_INIT;
	long count = 0, inserts = 0, erases = 0, dups = 0, max_count = 0;
	int max_height = 0;

	rng_seed(0x61766c74726565ull, "avl random operations");
	memset(present, 0, sizeof(present));
	for (int k = 0; k < NKEYS; k++)
		pool[k].key = k;

	for (int op = 0; op < NOPS; op++) {
		/* Phases of 25000 operations that drift towards ~88% of the keys present (grow),
		 * ~52% (churn, most inserts and erases) and ~10% (shrink), in the order of insert_pct[]. */
		static const int insert_pct[] = { 85, 50, 10, 50 };
		int insert_below = insert_pct[(op / 25000) % 4], r = (int)rng_below(100);
		int key = (int)rng_below(NKEYS);
		struct item *it = &pool[key];

		if (r < insert_below) {
			struct avl_node *dup;

			if (rng_below(2)) {
				dup = avl_insert(&root, &it->node, item_cmp);
			} else {
				/* By hand, as the header shows; duplicates are looked up first. */
				struct avl_node **link = &root.node, *parent = NULL;

				dup = NULL;
				while (*link && !dup) {
					parent = *link;
					if (key == key_of(parent))
						dup = parent;
					link = key < key_of(parent) ? &parent->left : &parent->right;
				}
				if (!dup)
					avl_link(&root, &it->node, parent, link);
			}
			if (present[key]) {
				assert_ptr_equal(dup, &it->node);
				dups++;
			} else {
				assert_null(dup);
				present[key] = true;
				count++;
				inserts++;
			}
		} else if (r < 97) {
			struct item *found = lower_bound(&root, key);
			int want = ref_lower_bound(key);

			if (want < 0) {
				assert_null(found);
			} else {
				assert_ptr_equal(found, &pool[want]);
				if (found->key == key) {
					avl_erase(&root, &found->node);
					present[key] = false;
					count--;
					erases++;
				}
			}
		} else {
			/* Neighbours of a present key against the bitmap. */
			struct item *at = lower_bound(&root, key);
			struct avl_node *prev, *next;
			int k;

			if (!at)
				continue;
			prev = avl_prev(&at->node);
			next = avl_next(&at->node);
			for (k = at->key - 1; k >= 0 && !present[k]; k--)
				;
			if (k < 0)
				assert_null(prev);
			else
				assert_ptr_equal(prev, &pool[k].node);
			k = ref_lower_bound(at->key + 1);
			if (k < 0)
				assert_null(next);
			else
				assert_ptr_equal(next, &pool[k].node);
		}
		if (count > max_count)
			max_count = count;
		if (root.node && root.node->height > max_height)
			max_height = root.node->height;
		/* Every step while small (where the rotation cases are dense), then every 8th. */
		if (count < 200 || op % CHECK_EVERY == 0)
			check_against_reference(&root, count);
	}
	check_against_reference(&root, count);
	printf("# %ld inserts, %ld erases, %ld duplicates; up to %ld nodes, height up to %d\n",
	       inserts, erases, dups, max_count, max_height);
	/* The mix did what it is for, with margin for other seeds (this one: 38781, 36249, 4402). */
	assert_true(inserts > 30000);
	assert_true(erases > 30000);
	assert_true(max_count > 4000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_tree),
		cmocka_unit_test(test_single_node),
		cmocka_unit_test(test_rotation_ll),
		cmocka_unit_test(test_rotation_rr),
		cmocka_unit_test(test_rotation_lr),
		cmocka_unit_test(test_rotation_rl),
		cmocka_unit_test(test_rotations_with_subtrees),
		cmocka_unit_test(test_insert_duplicate),
		cmocka_unit_test(test_link_by_hand),
		cmocka_unit_test(test_erase_leaf),
		cmocka_unit_test(test_erase_one_child),
		cmocka_unit_test(test_erase_two_children),
		cmocka_unit_test(test_erase_root),
		cmocka_unit_test(test_erase_cascade),
		cmocka_unit_test(test_walks),
		cmocka_unit_test(test_replace),
		cmocka_unit_test(test_check_detects_damage),
		cmocka_unit_test(test_random_operations),
	};

	hosttest_init();
	return cmocka_run_group_tests_name("avl", tests, NULL, NULL);
}
