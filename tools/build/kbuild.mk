# tools/build/kbuild.mk: walks the Kbuild fragments and collects objects and modules.
# Each directory's Kbuild sets obj-y/obj-m (objects and subdir/ entries); this file does no compiling.

# $(call descend,DIR): read DIR/Kbuild, append its objects to kbuild-y and its modules to
# kbuild-mods (paths relative to the source tree), then descend into the subdirectories it
# names in obj-y or obj-m (a directory's own Kbuild says what in it is y and what m).
# A composite X.o lists its parts in X-y (or X-objs): built in, the parts are linked into the
# kernel; as a module, they are joined into X.ko. modparts-DIR/X holds a module's objects.
# modfile-DIR/P.o is DIR/X for every object, built in or not: the unit P is part of (P itself, or
# the composite X), whose last component is the module name the object is compiled with.
define descend
obj-y :=
obj-m :=
include $(srctree)/$(1)/Kbuild
kbuild-y += $$(foreach o,$$(filter-out %/,$$(obj-y)),$$(call kbuild-parts,$(1),$$(o)))
$$(foreach o,$$(filter-out %/,$$(obj-y) $$(obj-m)),$$(foreach p,$$(call kbuild-parts,$(1),$$(o)),$$(eval modfile-$$(p) := $(1)/$$(o:.o=))))
$$(foreach o,$$(filter-out %/,$$(obj-m)),$$(eval modparts-$(1)/$$(o:.o=) := $$(call kbuild-parts,$(1),$$(o))))
kbuild-mods += $$(addprefix $(1)/,$$(patsubst %.o,%,$$(filter-out %/,$$(obj-m))))
subdirs-$(1) := $$(patsubst %/,$(1)/%,$$(filter %/,$$(obj-y) $$(obj-m)))
$$(foreach o,$$(filter %.o,$$(obj-y) $$(obj-m)),$$(eval $$(o:.o=-y) :=)$$(eval $$(o:.o=-objs) :=))
$$(foreach d,$$(subdirs-$(1)),$$(eval $$(call descend,$$(d))))
endef

# $(call kbuild-parts,DIR,X.o): DIR/X.o, or DIR/ and each part of a composite X.o.
kbuild-parts = $(addprefix $(1)/,$(or $(strip $($(2:.o=-y)) $($(2:.o=-objs))),$(2)))

kbuild-y :=
kbuild-mods :=
$(foreach d,$(kbuild-dirs),$(eval $(call descend,$(d))))
# Every object of every module.
kbuild-m := $(foreach m,$(kbuild-mods),$(modparts-$(m)))
