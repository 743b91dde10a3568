/* modules/sample/use_params.c: sample_use's parameters, in an object of their own so the module is
 * two objects joined by ld -r. "base" (int) and "who" (string) are set at load time as name=value. */
#include <granary/module.h>
#include "sample.h"

int sample_base = 40;
char *sample_who = "world";

module_param(sample_base, int, 0444);
MODULE_PARM_DESC(sample_base, "the number sample_use adds 2 to (default 40)");
module_param(sample_who, charp, 0444);
MODULE_PARM_DESC(sample_who, "who sample_use greets (default world)");
