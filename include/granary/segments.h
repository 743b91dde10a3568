/* include/granary/segments.h: GDT selectors, shared by C and assembly.
 * User data sits just below user code so SYSRET can derive both from one STAR field. */
#ifndef GRANARY_SEGMENTS_H
#define GRANARY_SEGMENTS_H

#define GDT_KERNEL_CS 0x08
#define GDT_KERNEL_DS 0x10
#define GDT_USER_CS32 0x18
#define GDT_USER_DS 0x20
#define GDT_USER_CS 0x28
#define GDT_TSS 0x30
#define GDT_ENTRIES 8

#endif
