/* mkrescue_mods: the kernel modules of `lifeboat mkrescue --modules`, their
 * modules.dep closure and firmware, and the load list /etc/lifeboat/modules. */
#ifndef LIFEBOAT_RESCUE_MKRESCUE_MODS_H
#define LIFEBOAT_RESCUE_MKRESCUE_MODS_H

#include "rescue/mkrescue_tree.h"

/* Modules of --modules and their firmware into the stage, the load list
 * /etc/lifeboat/modules. 0 or -errno (reported on m->out / stderr). */
int mkrescue_modules(struct mkrescue *m);

#endif
