# tools/build/quiet.mk: quiet command output for the kernel and host-test makefiles.
# $(call msg,TAG,path) prints "  TAG     path" (relative to $(O)) unless V=1, which shows commands.

ifeq ($(V),1)
  Q :=
  msg :=
else
  Q := @
  msg = @printf '  %-7s %s\n' '$(1)' '$(patsubst $(O)/%,%,$(2))';
endif
