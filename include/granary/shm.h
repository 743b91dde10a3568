/* include/granary/shm.h: shared-memory objects: refcounted arrays of pages that mappings share.
 * Anonymous MAP_SHARED areas, System V segments (shmget/shmat/shmdt) and named objects (shmopen). */
#ifndef GRANARY_SHM_H
#define GRANARY_SHM_H

#include <granary/types.h>

struct mm;
struct page;

/* A shm object's pages are allocated zeroed on first touch and freed with the object,
 * which lives while anything refers to it: a mapping, an id or name, an open handle. */
struct shm_object;

/* An anonymous object of npages pages; NULL when out of memory. */
struct shm_object *shm_object_create(u64 npages);
/* Page idx of o with a reference taken for the caller; NULL if idx is past the end
 * (-EFAULT for the caller) or out of memory. */
struct page *shm_object_page(struct shm_object *o, u64 idx);
u64 shm_object_pages(const struct shm_object *o);
/* shm_object_get()/shm_object_put() are declared in vma.h. */

/* System V: the id of the segment for key (IPC_PRIVATE: always a new one). flags: IPC_CREAT,
 * IPC_EXCL. -ENOENT (no such key, no IPC_CREAT), -EEXIST (IPC_EXCL and it exists),
 * -EINVAL (size 0, too large, or larger than the existing segment), -ENOMEM, -ENOSPC. */
int shm_get(long key, u64 size, int flags);
/* Maps segment id into mm at addr (0: anywhere; SHM_RND rounds down); SHM_RDONLY maps it
 * read-only. Returns the address, or -EINVAL (bad id or address), -ENOMEM. */
long shm_attach(struct mm *mm, int id, unsigned long addr, int flags);
/* Unmaps the segment attached at addr: 0, or -EINVAL if no segment starts there. */
int shm_detach(struct mm *mm, unsigned long addr);
/* IPC_RMID: the id goes away now, the memory when the last attachment does. 0 or -EINVAL. */
int shm_remove(int id);

/* Named objects (the Zen shmopen/shmclose): returns the object with a reference for the
 * caller. flags: IPC_CREAT, IPC_EXCL; size is used when creating. -ENOENT, -EEXIST,
 * -EINVAL (empty or too long name, size 0), -ENOMEM. */
struct shm_object *shm_open_named(const char *name, u64 size, int flags);
/* Removes the name; the object lives on while it is mapped or held open. 0 or -ENOENT. */
int shm_close_named(const char *name);

/* Objects alive and pages they hold, for statistics and tests. */
void shm_stats(u64 *objects, u64 *pages);

#endif
