/* kernel/lib/avl.c: intrusive AVL trees: linking, erasing, rebalancing, in-order neighbours.
 * No allocation, locking or keys (callers walk the tree themselves); host unit tests compile this file. */
#include <granary/avl.h>

static inline int avl_height(const struct avl_node *n)
{
	return n ? n->height : 0;
}

static inline int avl_new_height(const struct avl_node *n)
{
	return 1 + max(avl_height(n->left), avl_height(n->right));
}

/* Points whatever pointed at old (parent's child link, or the root) at new. */
static inline void avl_change_child(struct avl_root *root, struct avl_node *parent,
				    struct avl_node *old, struct avl_node *new)
{
	if (!parent)
		root->node = new;
	else if (parent->left == old)
		parent->left = new;
	else
		parent->right = new;
}

/* Lifts x's right child into x's place; returns it. Heights of x and the child are recomputed. */
static struct avl_node *avl_rotate_left(struct avl_root *root, struct avl_node *x)
{
	struct avl_node *y = x->right, *parent = x->parent;

	x->right = y->left;
	if (y->left)
		y->left->parent = x;
	y->left = x;
	x->parent = y;
	y->parent = parent;
	avl_change_child(root, parent, x, y);
	x->height = avl_new_height(x);
	y->height = avl_new_height(y);
	return y;
}

/* Lifts x's left child into x's place; returns it. */
static struct avl_node *avl_rotate_right(struct avl_root *root, struct avl_node *x)
{
	struct avl_node *y = x->left, *parent = x->parent;

	x->left = y->right;
	if (y->right)
		y->right->parent = x;
	y->right = x;
	x->parent = y;
	y->parent = parent;
	avl_change_child(root, parent, x, y);
	x->height = avl_new_height(x);
	y->height = avl_new_height(y);
	return y;
}

/*
 * Walks up from n, the lowest node whose subtree changed, fixing heights and rotating where
 * the children differ by two. The height stored at each position is still the one from before
 * the change, so once a subtree ends up as tall as it was, nothing above it can have changed.
 * After an insertion that happens at the first rotation at the latest; an erase may rotate
 * at every level.
 */
static void avl_rebalance(struct avl_root *root, struct avl_node *n)
{
	while (n) {
		struct avl_node *parent = n->parent;
		int old = n->height;
		int hl = avl_height(n->left), hr = avl_height(n->right);

		if (hl > hr + 1) {
			/* Left-right case: first make the left child lean left. */
			if (avl_height(n->left->left) < avl_height(n->left->right))
				avl_rotate_left(root, n->left);
			n = avl_rotate_right(root, n);
		} else if (hr > hl + 1) {
			if (avl_height(n->right->right) < avl_height(n->right->left))
				avl_rotate_right(root, n->right);
			n = avl_rotate_left(root, n);
		} else {
			n->height = 1 + max(hl, hr);
		}
		if (n->height == old)
			return;
		n = parent;
	}
}

void avl_link(struct avl_root *root, struct avl_node *node, struct avl_node *parent,
	      struct avl_node **link)
{
	node->left = node->right = NULL;
	node->parent = parent;
	node->height = 1;
	*link = node;
	avl_rebalance(root, parent);
}

struct avl_node *avl_insert(struct avl_root *root, struct avl_node *node, avl_cmp_t cmp)
{
	struct avl_node **link = &root->node, *parent = NULL;

	while (*link) {
		int c = cmp(node, *link);

		if (c == 0)
			return *link;
		parent = *link;
		link = c < 0 ? &parent->left : &parent->right;
	}
	avl_link(root, node, parent, link);
	return NULL;
}

void avl_erase(struct avl_root *root, struct avl_node *node)
{
	struct avl_node *parent = node->parent, *fix;

	if (!node->left || !node->right) {
		struct avl_node *child = node->left ? node->left : node->right;

		if (child)
			child->parent = parent;
		avl_change_child(root, parent, node, child);
		fix = parent;
	} else {
		/* Two children: the successor (leftmost of the right subtree, so it has no left
		 * child) takes node's place, and the rebalancing starts where it was taken from. */
		struct avl_node *succ = node->right;

		while (succ->left)
			succ = succ->left;
		if (succ == node->right) {
			fix = succ;
		} else {
			fix = succ->parent;
			fix->left = succ->right;
			if (succ->right)
				succ->right->parent = fix;
			succ->right = node->right;
			node->right->parent = succ;
		}
		succ->left = node->left;
		node->left->parent = succ;
		succ->parent = parent;
		succ->height = node->height; /* the height this position had before the erase */
		avl_change_child(root, parent, node, succ);
	}
	avl_rebalance(root, fix);
}

struct avl_node *avl_first(const struct avl_root *root)
{
	struct avl_node *n = root->node;

	if (n)
		while (n->left)
			n = n->left;
	return n;
}

struct avl_node *avl_last(const struct avl_root *root)
{
	struct avl_node *n = root->node;

	if (n)
		while (n->right)
			n = n->right;
	return n;
}

struct avl_node *avl_next(const struct avl_node *node)
{
	struct avl_node *n = (struct avl_node *)node;

	if (n->right) {
		n = n->right;
		while (n->left)
			n = n->left;
		return n;
	}
	/* Up until we come from a left child: that parent is next. */
	while (n->parent && n == n->parent->right)
		n = n->parent;
	return n->parent;
}

struct avl_node *avl_prev(const struct avl_node *node)
{
	struct avl_node *n = (struct avl_node *)node;

	if (n->left) {
		n = n->left;
		while (n->right)
			n = n->right;
		return n;
	}
	while (n->parent && n == n->parent->left)
		n = n->parent;
	return n->parent;
}

void avl_replace(struct avl_root *root, struct avl_node *old, struct avl_node *new)
{
	*new = *old;
	if (old->left)
		old->left->parent = new;
	if (old->right)
		old->right->parent = new;
	avl_change_child(root, old->parent, old, new);
}

/* Checks the subtree at n (whose parent should be parent); returns its height or an error. */
static long avl_check_subtree(const struct avl_node *n, const struct avl_node *parent, long *count)
{
	long hl, hr;

	if (!n)
		return 0;
	if (n->parent != parent)
		return AVL_BAD_PARENT;
	hl = avl_check_subtree(n->left, n, count);
	if (hl < 0)
		return hl;
	hr = avl_check_subtree(n->right, n, count);
	if (hr < 0)
		return hr;
	if (n->height != 1 + max(hl, hr))
		return AVL_BAD_HEIGHT;
	if (hl > hr + 1 || hr > hl + 1)
		return AVL_UNBALANCED;
	++*count;
	return n->height;
}

long avl_check(const struct avl_root *root, avl_cmp_t cmp)
{
	const struct avl_node *prev = NULL, *n;
	long count = 0, walked = 0;
	long err = avl_check_subtree(root->node, NULL, &count);

	if (err < 0)
		return err;
	/* The parent pointers are sound now, so avl_next() can be trusted to terminate. */
	for (n = avl_first(root); n; prev = n, n = avl_next(n)) {
		if (prev && cmp(prev, n) >= 0)
			return AVL_UNSORTED;
		walked++;
	}
	/* A node linked twice (left == right) passes the checks above but not this one. */
	if (walked != count)
		return AVL_UNSORTED;
	return count;
}
