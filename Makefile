# Makefile: top-level build of Granary: Kconfig, Kbuild-style fragments, link, initramfs and ISO.
# `make help` lists the targets; docs/build.md explains the machinery.

# Run from the top of the source tree; objects go to $(O) (default build/).
O ?= build
override O := $(abspath $(O))
srctree := $(abspath .)
export srctree

include tools/build/quiet.mk

# Kconfig is kconfiglib from Debian (python3-kconfiglib), which the pyenv
# python3 on PATH cannot import, hence the absolute path.
PYTHON := /usr/bin/python3
CONFIG := $(O)/.config
export KCONFIG_CONFIG := $(CONFIG)
AUTOCONF := $(O)/include/generated/autoconf.h
AUTOCONF_MK := $(O)/include/config/auto.conf
kconfig-files := $(shell find $(srctree) -name 'Kconfig*' -not -path '$(O)/*' -not -path '*/.git/*')

config-targets := menuconfig defconfig %_defconfig olddefconfig savedefconfig
no-config-targets := help clean distclean toolchain setup run debug test check bench $(config-targets)
no-config-targets += fuzz
need-config := $(if $(MAKECMDGOALS),$(filter-out $(no-config-targets),$(MAKECMDGOALS)),all)

.DEFAULT_GOAL := all
.PHONY: all help clean distclean toolchain setup menuconfig defconfig olddefconfig savedefconfig \
	run debug test check bench iso kernel modules userland FORCE
.PHONY: fuzz

# ---------------------------------------------------------------- configuration

$(O)/.dir:
	@mkdir -p $(O) && touch $@

menuconfig: | $(O)/.dir setup
	$(Q)test -f $(CONFIG) || $(PYTHON) -m defconfig configs/defconfig >/dev/null
	$(Q)$(PYTHON) -m menuconfig Kconfig

defconfig: | $(O)/.dir setup
	$(Q)$(PYTHON) -m defconfig configs/defconfig

%_defconfig: | $(O)/.dir setup
	$(Q)test -f configs/$@ || { echo "no such configuration: configs/$@" >&2; exit 1; }
	$(Q)$(PYTHON) -m defconfig configs/$@

olddefconfig: | $(O)/.dir setup
	$(Q)$(PYTHON) -m olddefconfig Kconfig

savedefconfig: | $(O)/.dir setup
	$(Q)$(PYTHON) -m savedefconfig --kconfig Kconfig --out $(O)/defconfig
	@echo "wrote $(O)/defconfig (copy it to configs/ to keep it)"

# A build without a .config starts from configs/defconfig.
$(CONFIG): | $(O)/.dir
	$(call msg,DEFCONF,configs/defconfig)$(PYTHON) -m defconfig configs/defconfig >/dev/null

# genconfig writes autoconf.h and, through --sync-deps, touches
# include/config/<option>.h for each option whose value changed; tools/fixdep
# makes every object depend on the options its sources mention.
$(AUTOCONF_MK): $(CONFIG) $(kconfig-files)
	$(call msg,GEN,$(AUTOCONF))mkdir -p $(dir $(AUTOCONF)) && \
		$(PYTHON) -m genconfig --header-path $(AUTOCONF) --sync-deps $(O)/include/config Kconfig
	$(Q)touch $@

ifneq ($(need-config),)
# On a fresh machine, install the host packages first (a no-op when present).
ifneq ($(shell $(PYTHON) -c 'import kconfiglib' 2>/dev/null && command -v grub-mkrescue && command -v musl-gcc),)
else
  $(shell tools/setup-host >&2)
endif
include $(AUTOCONF_MK)
endif

# ---------------------------------------------------------------- toolchain

# A cross compiler built by `make toolchain` is used when present; CC= and
# CROSS_COMPILE= override it. Debian's gcc works as a freestanding compiler.
TOOLCHAIN_PREFIX := $(O)/toolchain
ifneq ($(wildcard $(TOOLCHAIN_PREFIX)/bin/x86_64-elf-gcc),)
  CROSS_COMPILE ?= $(TOOLCHAIN_PREFIX)/bin/x86_64-elf-
endif
ifeq ($(origin CC),default)
  CC := $(CROSS_COMPILE)gcc
endif
LD := $(CROSS_COMPILE)ld
NM := $(CROSS_COMPILE)nm
OBJCOPY := $(CROSS_COMPILE)objcopy
HOSTCC ?= gcc

cc-is-clang := $(findstring clang,$(shell $(CC) --version 2>/dev/null | head -n 1))
cc-include := $(shell $(CC) -print-file-name=include)

KCFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-pic -fno-pie -mno-red-zone -mcmodel=kernel \
	-mgeneral-regs-only -fno-asynchronous-unwind-tables -fno-omit-frame-pointer \
	-fno-stack-protector -fcf-protection=none -fno-strict-aliasing -fno-common \
	-nostdinc -isystem $(cc-include) -I$(srctree)/include -I$(O)/include \
	-include $(AUTOCONF) \
	-Wall -Wextra -Werror -Wno-unused-parameter -Wmissing-prototypes -Wstrict-prototypes
ifeq ($(cc-is-clang),)
  KCFLAGS += -Wno-array-bounds
else
  KCFLAGS += --target=x86_64-unknown-none-elf -Wno-unused-command-line-argument
endif
KAFLAGS := $(filter-out -std=gnu11,$(KCFLAGS)) -D__ASSEMBLY__
KLDFLAGS := -nostdlib -static -no-pie -Wl,-T,$(srctree)/kernel/arch/x86_64/kernel.lds \
	-Wl,-z,max-page-size=0x1000 -Wl,--build-id=none -Wl,-z,noexecstack -Wl,-n
ifeq ($(cc-is-clang),)
  KLDFLAGS += -Wl,--no-warn-rwx-segments
else
  KLDFLAGS += --target=x86_64-unknown-none-elf -fuse-ld=bfd -Wno-unused-command-line-argument
endif

# Everything is rebuilt when the compiler or its flags change.
flags-line := $(CC) $(KCFLAGS) $(KLDFLAGS)
ifneq ($(need-config),)
ifneq ($(flags-line),$(strip $(file < $(O)/.flags)))
  $(shell mkdir -p $(O))
  $(file > $(O)/.flags,$(flags-line))
endif
endif

# ---------------------------------------------------------------- objects

kbuild-dirs := kernel mm ipc fs drivers modules silo
include tools/build/kbuild.mk
kobjs := $(addprefix $(O)/,$(kbuild-y))
mobjs := $(addprefix $(O)/,$(kbuild-m))
# The link depends on the object list too: dropping an object from a Kbuild relinks.
objlist-line := $(kbuild-y)
ifneq ($(need-config),)
ifneq ($(objlist-line),$(strip $(file < $(O)/.objlist)))
  $(file > $(O)/.objlist,$(objlist-line))
endif
endif
kmods := $(foreach m,$(kbuild-mods),$(O)/modules/$(notdir $(m)).ko)

# Whether an object is compiled for a module (-DMODULE), and the unit it is named after, are part of
# how it is built: a stamp per object, rewritten only when that changes, makes a y<->m switch
# recompile exactly its objects.
define modflag_stamp
ifneq ($(2),$$(strip $$(file < $(O)/.modflag/$(1))))
  $$(shell mkdir -p $$(dir $(O)/.modflag/$(1)))
  $$(file > $(O)/.modflag/$(1),$(2))
endif
endef
ifneq ($(need-config),)
$(foreach o,$(kbuild-y),$(eval $(call modflag_stamp,$(o),y $(modfile-$(o)))))
$(foreach o,$(kbuild-m),$(eval $(call modflag_stamp,$(o),m $(modfile-$(o)))))
endif
$(kobjs) $(mobjs): $(O)/%.o: $(O)/.modflag/%.o

fixdep = $(PYTHON) $(srctree)/tools/fixdep $@.d $@ $(O)/include/config $(AUTOCONF) > $(@D)/.$(@F).cmd && rm -f $@.d

$(O)/%.o: %.c $(O)/.flags | $(AUTOCONF_MK)
	$(call msg,CC,$@)mkdir -p $(@D) && $(CC) $(KCFLAGS) $(CFLAGS_$(*F).o) -MD -MF $@.d -c -o $@ $<
	$(Q)$(fixdep)

$(O)/%.o: %.S $(O)/.flags | $(AUTOCONF_MK)
	$(call msg,AS,$@)mkdir -p $(@D) && $(CC) $(KAFLAGS) -MD -MF $@.d -c -o $@ $<
	$(Q)$(fixdep)

# Every object, built in or not, is compiled with the name of the module it is (part of) as
# KBUILD_MODNAME and that unit's path as KBUILD_MODFILE, as Linux does: built in, module.h files
# its .modinfo tags and parameters under that name ("fat.license=GPL"). Module objects see MODULE
# defined; a module's objects are joined into one ET_REL .ko.
$(foreach o,$(kbuild-y) $(kbuild-m),$(eval $(O)/$(o): KCFLAGS += \
	-DKBUILD_MODNAME='"$(notdir $(modfile-$(o)))"' -DKBUILD_MODFILE='"$(modfile-$(o))"'))
$(mobjs): KCFLAGS += -DMODULE
define kmod_rule
$(O)/modules/$(notdir $(1)).ko: $(addprefix $(O)/,$(modparts-$(1)))
	$$(call msg,LD [M],$$@)mkdir -p $$(@D) && $$(LD) -r -o $$@ $$^
endef
$(foreach m,$(kbuild-mods),$(eval $(call kmod_rule,$(m))))

# modules.dep from each module's undefined symbols and the others' exports, as depmod makes it.
$(O)/modules/modules.dep: $(kmods) $(O)/granary.elf tools/gen-modules-dep
	$(call msg,GEN,$@)mkdir -p $(@D) && tools/gen-modules-dep --nm $(NM) --kernel $(O)/granary.elf --out $@ $(kmods)

# What is built in, as Linux's modules.builtin.modinfo and modules.builtin give it to modinfo and
# modprobe: the tags the kernel keeps ("fat.license=GPL", NUL-separated), cut out of the image, and
# one kernel/DIR/NAME.ko line per built-in module from their file tags ("fat.file=fs/fat/fat").
$(O)/modules/modules.builtin.modinfo: $(O)/granary.elf
	$(call msg,GEN,$@)mkdir -p $(@D) && $(OBJCOPY) -O binary --only-section=.modinfo $< $@ && chmod 644 $@
$(O)/modules/modules.builtin: $(O)/modules/modules.builtin.modinfo
	$(call msg,GEN,$@)tr '\0' '\n' < $< | sed -n 's/^[A-Za-z0-9_]*\.file=//p' | awk '!seen[$$0]++' | \
		sed 's:.*:kernel/&.ko:' > $@.tmp && mv $@.tmp $@
builtin-lists := $(O)/modules/modules.builtin $(O)/modules/modules.builtin.modinfo

# The framebuffer console's font: a PSF from Debian's console-setup-linux, unpacked
# at build time and embedded with .incbin by drivers/console/font8x16.S.
FONT_PSF ?= /usr/share/consolefonts/Uni2-VGA16.psf.gz
$(O)/drivers/console/font.psf: $(FONT_PSF)
	$(call msg,GEN,$@)mkdir -p $(@D) && zcat $< > $@
$(O)/drivers/console/font8x16.o: $(O)/drivers/console/font.psf
$(O)/drivers/console/font8x16.o: KAFLAGS += -DFONT_PSF_FILE='"$(O)/drivers/console/font.psf"'

-include $(wildcard $(foreach o,$(kobjs) $(mobjs),$(dir $(o)).$(notdir $(o)).cmd))

# ---------------------------------------------------------------- link

# Two-pass link: the symbol table sits in .ksyms, the last section of the
# image, so filling it in does not move any other symbol; the second pass
# checks that.
ksyms-empty := $(O)/kernel/.ksyms_empty.o
ksyms-full := $(O)/kernel/.ksyms_table.o

$(O)/kernel/.ksyms_empty.S: tools/gen-ksyms
	$(call msg,KSYMS,$@)mkdir -p $(@D) && $(PYTHON) tools/gen-ksyms < /dev/null > $@

$(O)/kernel/.ksyms_%.o: $(O)/kernel/.ksyms_%.S
	$(call msg,AS,$@)$(CC) $(KAFLAGS) -c -o $@ $<

$(O)/.tmp_granary.elf: $(kobjs) $(ksyms-empty) kernel/arch/x86_64/kernel.lds $(O)/.objlist
	$(call msg,LD,$@)$(CC) $(KLDFLAGS) -o $@ $(kobjs) $(ksyms-empty)

ifeq ($(CONFIG_KALLSYMS),y)
$(O)/kernel/.ksyms_table.S: $(O)/.tmp_granary.elf tools/gen-ksyms
	$(call msg,KSYMS,$@)$(NM) -n -S --defined-only $< | $(PYTHON) tools/gen-ksyms > $@

$(O)/granary.elf: $(O)/.tmp_granary.elf $(ksyms-full)
	$(call msg,LD,$@)$(CC) $(KLDFLAGS) -o $@ $(kobjs) $(ksyms-full)
	$(Q)$(PYTHON) tools/gen-ksyms --same-layout $(NM) $< $@
else
$(O)/granary.elf: $(O)/.tmp_granary.elf
	$(Q)cp $< $@
endif

kernel: $(O)/granary.elf
modules: $(kmods) $(O)/modules/modules.dep $(builtin-lists)

# ---------------------------------------------------------------- user programs

include userland/userland.mk

# ---------------------------------------------------------------- initramfs and ISO

RELEASE := 0.1.0$(CONFIG_LOCALVERSION)
INITRAMFS_ROOT := $(O)/initramfs-root

# The staging tree: userland/rootfs/, the modules, the user programs and busybox with a link per
# applet (after the programs, which keep their names); empty mount points; /etc/mtab as on Linux.
INITRAMFS_DIRS := proc dev tmp mnt root home
$(O)/initramfs.cpio: $(shell find userland/rootfs -print 2>/dev/null) $(kmods) $(O)/modules/modules.dep \
		$(builtin-lists) $(uprogs) $(uobj)/.install \
		$(ubusybox) tools/mkinitramfs tools/busybox-links
	$(call msg,CPIO,$@)rm -rf $(INITRAMFS_ROOT) && mkdir -p $(INITRAMFS_ROOT) && \
		cp -a userland/rootfs/. $(INITRAMFS_ROOT)/ && \
		mkdir -p $(addprefix $(INITRAMFS_ROOT)/,$(INITRAMFS_DIRS)) && \
		chmod 1777 $(INITRAMFS_ROOT)/tmp && chmod 0700 $(INITRAMFS_ROOT)/root && \
		ln -sfn /proc/mounts $(INITRAMFS_ROOT)/etc/mtab && \
		mkdir -p $(INITRAMFS_ROOT)/lib/modules/$(RELEASE) && \
		$(foreach k,$(kmods),$(OBJCOPY) --strip-debug $(k) $(INITRAMFS_ROOT)/lib/modules/$(RELEASE)/$(notdir $(k)) &&) \
		cp $(O)/modules/modules.dep $(builtin-lists) $(INITRAMFS_ROOT)/lib/modules/$(RELEASE)/ && \
		$(call uinstall-cmds,$(INITRAMFS_ROOT)) $(call ubusybox-cmd,$(INITRAMFS_ROOT)) \
		$(if $(ubusybox),tools/busybox-links $(INITRAMFS_ROOT) $(ubusybox) >/dev/null &&) \
		tools/mkinitramfs $(INITRAMFS_ROOT) $@

$(O)/granary.iso: $(O)/granary.elf $(O)/initramfs.cpio tools/mkiso
	$(call msg,ISO,$@)tools/mkiso --kernel $(O)/granary.elf --initrd $(O)/initramfs.cpio --out $@

all: $(O)/granary.iso
iso: $(O)/granary.iso

# ---------------------------------------------------------------- running and testing

# The VGA window too when there is a display to show it on and HEADLESS=1 is not given.
run-gui := $(if $(filter 1,$(HEADLESS)),,$(if $(DISPLAY)$(WAYLAND_DISPLAY),--gui))
run: setup
	$(Q)$(MAKE) --no-print-directory all
	tools/qemu-run --iso $(O)/granary.iso --interactive $(run-gui) $(if $(CMDLINE),--cmdline "$(CMDLINE)") \
		$(foreach d,$(DISK),--disk $(d))

# QEMU waits for gdb on tcp::1234 with its serial console in debug.log; quitting gdb stops it.
debug: setup
	$(Q)$(MAKE) --no-print-directory all
	tools/qemu-run --iso $(O)/granary.iso --gdb $(if $(CMDLINE),--cmdline "$(CMDLINE)") > $(O)/debug.log 2>&1 & \
		qemu=$$!; gdb -q -x tools/gdbinit $(O)/granary.elf; kill $$qemu 2>/dev/null; true

test check: setup
	$(Q)tools/run-tests --build $(O)

bench: setup
	$(Q)$(MAKE) --no-print-directory all
	$(Q)tools/qemu-run --iso $(O)/granary.iso --icount --timeout 300 --cmdline 'ktest=bench_* loglevel=4' | \
		sed -n 's/^\[ *[0-9.]*\] \(BENCH .*\)/\1/p'
	$(Q)tools/run-init --icount --timeout 300 /bin/bench | \
		sed -n -e '/^BENCH /p' -e 's/^# bench: /bench: /p' \
			-e 's/^# run-init: \(.*\)/bench: \1: user-space benchmarks skipped/p'
	$(Q)tools/boot-time --runs 5

# The libFuzzer harnesses (tests/fuzz/) for as long as asked; make test runs them for 20 s.
FUZZ_SECONDS ?= 600
fuzz: setup
	$(Q)tests/fuzz/run --build $(O) --seconds $(FUZZ_SECONDS)

setup:
	$(Q)tools/setup-host

toolchain:
	tools/build-toolchain --prefix $(TOOLCHAIN_PREFIX) --work $(O)/toolchain-build

clean:
	rm -rf $(filter-out $(CONFIG) $(TOOLCHAIN_PREFIX),$(wildcard $(O)/* $(O)/.tmp*))

distclean:
	rm -rf $(O)

help:
	@echo 'Granary build targets (O=DIR puts objects in DIR, default build/; V=1 shows commands)'
	@echo '  all (default)      kernel, modules, user programs, initramfs and build/granary.iso'
	@echo '  userland           only the user programs and libgranary ($(O)/userland/)'
	@echo '  run                boot the ISO in QEMU on this terminal (CMDLINE="..." adds parameters,'
	@echo '                     HEADLESS=1 leaves out the VGA window; Ctrl-A X quits)'
	@echo '  debug              boot with the gdb stub and attach gdb at the kernel entry'
	@echo '  test               host unit tests, kernel tests and user programs in QEMU, harness checks'
	@echo '  bench              benchmarks under an instruction-counting clock'
	@echo '  fuzz               the fuzzers in tests/fuzz/ for FUZZ_SECONDS (default 600) each'
	@echo '  menuconfig         edit the configuration ($(O)/.config)'
	@echo '  defconfig          configuration from configs/defconfig'
	@echo '  NAME_defconfig     configuration from configs/NAME_defconfig'
	@echo '  olddefconfig       update .config, new options at their defaults'
	@echo '  savedefconfig      write a minimal $(O)/defconfig'
	@echo '  toolchain          build x86_64-elf binutils and gcc from Debian sources'
	@echo '  setup              install missing host packages (tools/setup-host)'
	@echo '  clean / distclean  remove objects / the whole build directory'
