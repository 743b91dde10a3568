/* drivers/tty/chrdev_stub.c: TEMPORARY stand-in for the character-device registry of include/granary/device.h.
 * Only so the tty layer links and its tests run before the VFS branch lands; the lead deletes this file
 * (and its Kbuild line) when fs/ provides chrdev_register and friends. */
#include <granary/device.h>
#include <granary/errno.h>
#include <granary/file.h>
#include <granary/spinlock.h>

static struct chrdev *registry;
static spinlock_t registry_lock = SPINLOCK_INIT;

static bool overlaps(const struct chrdev *a, const struct chrdev *b)
{
	return a->major == b->major && a->minor < b->minor + b->count && b->minor < a->minor + a->count;
}

int chrdev_register(struct chrdev *cd)
{
	unsigned long irq = spin_lock_irqsave(&registry_lock);
	int err = 0;

	for (struct chrdev *o = registry; o && !err; o = o->next)
		if (overlaps(o, cd))
			err = -EBUSY;
	if (!err) {
		cd->next = registry;
		registry = cd;
	}
	spin_unlock_irqrestore(&registry_lock, irq);
	return err;
}

void chrdev_unregister(struct chrdev *cd)
{
	unsigned long irq = spin_lock_irqsave(&registry_lock);

	for (struct chrdev **pp = &registry; *pp; pp = &(*pp)->next) {
		if (*pp == cd) {
			*pp = cd->next;
			break;
		}
	}
	spin_unlock_irqrestore(&registry_lock, irq);
}

int chrdev_open(struct file *f, dev_t rdev)
{
	struct chrdev *cd;
	unsigned long irq = spin_lock_irqsave(&registry_lock);

	for (cd = registry; cd; cd = cd->next)
		if (MAJOR(rdev) == cd->major && MINOR(rdev) >= cd->minor && MINOR(rdev) < cd->minor + cd->count)
			break;
	spin_unlock_irqrestore(&registry_lock, irq);
	return cd ? cd->open(f, rdev) : -ENXIO;
}

void chrdev_foreach(void (*fn)(struct chrdev *cd, void *arg), void *arg)
{
	for (struct chrdev *cd = registry; cd; cd = cd->next)
		fn(cd, arg);
}
