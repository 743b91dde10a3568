/* include/granary/avl.h: intrusive AVL trees (balanced binary search trees with parent pointers).
 * No allocation, no locking, no keys: a struct avl_node inside an object links it, callers compare. */
#ifndef GRANARY_AVL_H
#define GRANARY_AVL_H

#include <granary/compiler.h>
#include <granary/types.h>

/* height is that of the subtree rooted here: 1 for a leaf (an absent child counts 0).
 * A node that is not in a tree has no meaningful fields; avl_link() sets them all. */
struct avl_node {
	struct avl_node *left, *right, *parent;
	int height;
};

struct avl_root {
	struct avl_node *node; /* NULL when the tree is empty */
};

#define AVL_ROOT_INIT { NULL }

#define avl_entry(ptr, type, member) container_of(ptr, type, member)
/* Like avl_entry(), but NULL stays NULL (for the results of avl_first(), avl_next(), ...). */
#define avl_entry_safe(ptr, type, member) \
	({ struct avl_node *__n = (ptr); __n ? avl_entry(__n, type, member) : NULL; })

/* In-order walk; do not erase pos inside the loop (fetch avl_next(pos) first instead). */
#define avl_for_each(pos, root) for (pos = avl_first(root); pos; pos = avl_next(pos))

/* Codes avl_check() returns for a broken invariant. */
#define AVL_BAD_PARENT (-1) /* a child whose parent pointer is not its parent, or a root with a parent */
#define AVL_BAD_HEIGHT (-2) /* a height field that is not 1 + the taller child's */
#define AVL_UNBALANCED (-3) /* children whose heights differ by more than one */
#define AVL_UNSORTED (-4)   /* an in-order walk not strictly increasing by cmp, or missing nodes */

typedef int (*avl_cmp_t)(const struct avl_node *, const struct avl_node *);

/*
 * Lookups are written by the caller, walking node->left / node->right with its own key, so
 * no callback is needed and any "first at or after" question is one loop. For example, the
 * first area whose end is above addr (the area holding addr, or the next one up):
 *
 *	struct vm_area *vma_find(struct avl_root *areas, u64 addr)
 *	{
 *		struct avl_node *n = areas->node;
 *		struct vm_area *found = NULL;
 *
 *		while (n) {
 *			struct vm_area *a = avl_entry(n, struct vm_area, avl);
 *
 *			if (a->end > addr) {
 *				found = a;	// a candidate; anything better is further left
 *				n = n->left;
 *			} else {
 *				n = n->right;
 *			}
 *		}
 *		return found;
 *	}
 *
 * Inserting by hand is the same walk, remembering where it fell off the tree:
 *
 *	struct avl_node **link = &areas->node, *parent = NULL;
 *
 *	while (*link) {
 *		parent = *link;
 *		if (new->start < avl_entry(parent, struct vm_area, avl)->start)
 *			link = &parent->left;
 *		else
 *			link = &parent->right;
 *	}
 *	avl_link(areas, &new->avl, parent, link);
 */

static inline bool avl_empty(const struct avl_root *root) { return root->node == NULL; }

/* Links node in where a caller's walk ended: under parent (NULL for an empty tree) at *link,
 * which is &parent->left, &parent->right or &root->node. Then rebalances. O(log n). */
void avl_link(struct avl_root *root, struct avl_node *node, struct avl_node *parent,
	      struct avl_node **link);
/* Inserts node in cmp order (cmp(a, b) < 0 when a sorts before b). Returns NULL, or the node
 * already in the tree that compares equal, in which case node is not inserted. */
struct avl_node *avl_insert(struct avl_root *root, struct avl_node *node, avl_cmp_t cmp);
/* Unlinks node, which must be in this tree, and rebalances. node's fields are left stale. */
void avl_erase(struct avl_root *root, struct avl_node *node);
/* The smallest node, or NULL when the tree is empty. */
struct avl_node *avl_first(const struct avl_root *root);
/* The largest node, or NULL when the tree is empty. */
struct avl_node *avl_last(const struct avl_root *root);
/* The in-order successor of node, or NULL for the last one. O(1) amortised over a walk. */
struct avl_node *avl_next(const struct avl_node *node);
/* The in-order predecessor of node, or NULL for the first one. */
struct avl_node *avl_prev(const struct avl_node *node);
/* Puts new where old is, without rebalancing: new must sort exactly where old did. */
void avl_replace(struct avl_root *root, struct avl_node *old, struct avl_node *new);
/* For tests and debugging: checks parent pointers, heights, balance, and that the in-order walk
 * is strictly increasing by cmp. Returns the node count, or one of the AVL_* codes above.
 * Recursive, to a depth of the tree's height (at most ~1.44 log2 n). */
long avl_check(const struct avl_root *root, avl_cmp_t cmp);

#endif
