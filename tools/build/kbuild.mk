# tools/build/kbuild.mk: walks the Kbuild fragments and collects objects.
# Each directory's Kbuild sets obj-y/obj-m (objects and subdir/ entries); this file does no compiling.

# $(call descend,DIR): read DIR/Kbuild, append its objects to kbuild-y and
# kbuild-m (paths relative to the source tree), then descend into the
# subdirectories it names. obj-y/obj-m are reset for every fragment, and the
# subdirectory list is saved under a per-directory name before recursing.
define descend
obj-y :=
obj-m :=
include $(srctree)/$(1)/Kbuild
kbuild-y += $$(addprefix $(1)/,$$(filter-out %/,$$(obj-y)))
kbuild-m += $$(addprefix $(1)/,$$(filter-out %/,$$(obj-m)))
subdirs-$(1) := $$(patsubst %/,$(1)/%,$$(filter %/,$$(obj-y)))
$$(foreach d,$$(subdirs-$(1)),$$(eval $$(call descend,$$(d))))
endef

kbuild-y :=
kbuild-m :=
$(foreach d,$(kbuild-dirs),$(eval $(call descend,$(d))))
