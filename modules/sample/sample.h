/* modules/sample/sample.h: what sample_export exports and sample_use's two objects share.
 * Private to the sample modules. */
#ifndef MODULES_SAMPLE_H
#define MODULES_SAMPLE_H

long sample_add(long a, long b);
unsigned long sample_calls(void);

/* sample_use's parameters (use_params.c). */
extern int sample_base;
extern char *sample_who;

#endif
