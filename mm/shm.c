/* mm/shm.c: shared-memory objects and the two ways to name them: System V ids and Zen-style names.
 * An object is an array of refcounted pages; mappings, ids, names and handles each hold a reference. */
#include <granary/errno.h>
#include <granary/list.h>
#include <granary/page.h>
#include <granary/shm.h>
#include <granary/slab.h>
#include <granary/spinlock.h>
#include <granary/string.h>
#include <granary/vm.h>
#include <uapi/mman.h>

#define SHM_MAX_PAGES (1UL << 18) /* 1 GiB per object */
#define SHM_MAX_IDS 4096
#define SHM_NAME_MAX 64

struct shm_object {
	u32 refcount;
	u64 npages;
	struct page **pages; /* NULL until a page is first touched */
	struct list_head link;
	int id;	  /* System V id, or 0 */
	long key; /* its key (IPC_PRIVATE for none) */
	char name[SHM_NAME_MAX];
	bool id_live, name_live; /* the id or name still finds the object */
};

/* One lock for the registry and every object's page array. */
static spinlock_t shm_lock = SPINLOCK_INIT;
static struct list_head objects = LIST_HEAD_INIT(objects);
static int next_id = 1;
static unsigned live_ids;

struct shm_object *shm_object_create(u64 npages)
{
	struct shm_object *o;
	unsigned long irq;

	if (!npages || npages > SHM_MAX_PAGES)
		return NULL;
	o = kzalloc(sizeof(*o));
	if (!o)
		return NULL;
	o->pages = kcalloc(npages, sizeof(*o->pages), KM_ZERO);
	if (!o->pages) {
		kfree(o);
		return NULL;
	}
	o->npages = npages;
	o->refcount = 1;
	irq = spin_lock_irqsave(&shm_lock);
	list_add_tail(&o->link, &objects);
	spin_unlock_irqrestore(&shm_lock, irq);
	return o;
}

void shm_object_get(struct shm_object *o)
{
	__atomic_add_fetch(&o->refcount, 1, __ATOMIC_RELAXED);
}

void shm_object_put(struct shm_object *o)
{
	unsigned long irq;

	if (__atomic_sub_fetch(&o->refcount, 1, __ATOMIC_ACQ_REL))
		return;
	irq = spin_lock_irqsave(&shm_lock);
	list_del(&o->link);
	spin_unlock_irqrestore(&shm_lock, irq);
	for (u64 i = 0; i < o->npages; i++)
		if (o->pages[i])
			put_page(o->pages[i]);
	kfree(o->pages);
	kfree(o);
}

u64 shm_object_pages(const struct shm_object *o)
{
	return o->npages;
}

struct page *shm_object_page(struct shm_object *o, u64 idx)
{
	struct page *p = NULL;
	unsigned long irq;

	if (idx >= o->npages)
		return NULL;
	irq = spin_lock_irqsave(&shm_lock);
	p = o->pages[idx];
	if (!p) {
		p = page_alloc(0, PA_ZERO);
		if (p) {
			p->flags |= PG_USER;
			mem_count(MC_USER, 1);
			o->pages[idx] = p; /* the object's own reference */
		}
	}
	if (p)
		get_page(p); /* the caller's */
	spin_unlock_irqrestore(&shm_lock, irq);
	return p;
}

void shm_stats(u64 *nobjects, u64 *npages)
{
	unsigned long irq = spin_lock_irqsave(&shm_lock);
	struct list_head *pos;

	*nobjects = *npages = 0;
	list_for_each(pos, &objects) {
		struct shm_object *o = list_entry(pos, struct shm_object, link);
		(*nobjects)++;
		for (u64 i = 0; i < o->npages; i++)
			*npages += o->pages[i] != NULL;
	}
	spin_unlock_irqrestore(&shm_lock, irq);
}

/* ---- System V ---- */

/* Finds a live id (by id, or by key when id is 0). Caller holds shm_lock. */
static struct shm_object *find_id(int id, long key)
{
	struct list_head *pos;

	list_for_each(pos, &objects) {
		struct shm_object *o = list_entry(pos, struct shm_object, link);
		if (o->id_live && (id ? o->id == id : o->key == key))
			return o;
	}
	return NULL;
}

int shm_get(long key, u64 size, int flags)
{
	u64 npages = (size + PAGE_SIZE - 1) >> PAGE_SHIFT;
	struct shm_object *o;
	unsigned long irq;
	int id;

	if (key != IPC_PRIVATE) {
		irq = spin_lock_irqsave(&shm_lock);
		o = find_id(0, key);
		id = !o ? -ENOENT
		     : (flags & IPC_CREAT) && (flags & IPC_EXCL) ? -EEXIST
		     : npages > o->npages			 ? -EINVAL
								 : o->id;
		spin_unlock_irqrestore(&shm_lock, irq);
		if (id != -ENOENT || !(flags & IPC_CREAT))
			return id;
	}
	if (!size || npages > SHM_MAX_PAGES)
		return -EINVAL;
	o = shm_object_create(npages);
	if (!o)
		return -ENOMEM;
	irq = spin_lock_irqsave(&shm_lock);
	if (live_ids >= SHM_MAX_IDS) {
		spin_unlock_irqrestore(&shm_lock, irq);
		shm_object_put(o);
		return -ENOSPC;
	}
	/* The registry keeps the creation reference for as long as the id lives. */
	o->key = key;
	o->id = next_id++;
	o->id_live = true;
	live_ids++;
	id = o->id;
	spin_unlock_irqrestore(&shm_lock, irq);
	return id;
}

long shm_attach(struct mm *mm, int id, unsigned long addr, int flags)
{
	unsigned prot = PROT_READ | ((flags & SHM_RDONLY) ? 0 : PROT_WRITE);
	struct shm_object *o;
	unsigned long irq;
	long ret;

	if (flags & SHM_RND)
		addr &= ~(PAGE_SIZE - 1);
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	irq = spin_lock_irqsave(&shm_lock);
	o = id > 0 ? find_id(id, 0) : NULL;
	if (o)
		shm_object_get(o);
	spin_unlock_irqrestore(&shm_lock, irq);
	if (!o)
		return -EINVAL;
	ret = vm_mmap(mm, addr, o->npages << PAGE_SHIFT, prot, MAP_SHARED | (addr ? MAP_FIXED : 0), o, 0);
	shm_object_put(o); /* the mapping holds its own reference */
	return ret;
}

int shm_detach(struct mm *mm, unsigned long addr)
{
	struct vm_area *a = vma_lookup(&mm->areas, addr);

	if (!a || a->start != addr || !a->shm || a->pgoff)
		return -EINVAL;
	return vm_munmap(mm, addr, a->shm->npages << PAGE_SHIFT);
}

int shm_remove(int id)
{
	unsigned long irq = spin_lock_irqsave(&shm_lock);
	struct shm_object *o = id > 0 ? find_id(id, 0) : NULL;

	if (o) {
		o->id_live = false;
		live_ids--;
	}
	spin_unlock_irqrestore(&shm_lock, irq);
	if (!o)
		return -EINVAL;
	shm_object_put(o);
	return 0;
}

/* ---- named objects ---- */

static struct shm_object *find_name(const char *name)
{
	struct list_head *pos;

	list_for_each(pos, &objects) {
		struct shm_object *o = list_entry(pos, struct shm_object, link);
		if (o->name_live && !strcmp(o->name, name))
			return o;
	}
	return NULL;
}

struct shm_object *shm_open_named(const char *name, u64 size, int flags)
{
	size_t len = strnlen(name, SHM_NAME_MAX);
	struct shm_object *o, *other;
	unsigned long irq;

	if (!len || len == SHM_NAME_MAX)
		return ERR_PTR(-EINVAL);
	irq = spin_lock_irqsave(&shm_lock);
	o = find_name(name);
	if (o && !((flags & IPC_CREAT) && (flags & IPC_EXCL)))
		shm_object_get(o);
	spin_unlock_irqrestore(&shm_lock, irq);
	if (o)
		return (flags & IPC_CREAT) && (flags & IPC_EXCL) ? ERR_PTR(-EEXIST) : o;
	if (!(flags & IPC_CREAT))
		return ERR_PTR(-ENOENT);
	if (!size)
		return ERR_PTR(-EINVAL);
	o = shm_object_create((size + PAGE_SIZE - 1) >> PAGE_SHIFT);
	if (!o)
		return ERR_PTR(-ENOMEM);
	irq = spin_lock_irqsave(&shm_lock);
	other = find_name(name);
	if (!other) {
		memcpy(o->name, name, len + 1);
		o->name_live = true;
		shm_object_get(o); /* the caller's; the creation reference stays with the name */
	}
	spin_unlock_irqrestore(&shm_lock, irq);
	if (other) {
		/* Someone created the name meanwhile. */
		shm_object_put(o);
		return ERR_PTR(-EEXIST);
	}
	return o;
}

int shm_close_named(const char *name)
{
	unsigned long irq = spin_lock_irqsave(&shm_lock);
	struct shm_object *o = find_name(name);

	if (o)
		o->name_live = false;
	spin_unlock_irqrestore(&shm_lock, irq);
	if (!o)
		return -ENOENT;
	shm_object_put(o);
	return 0;
}
