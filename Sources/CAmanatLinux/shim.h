#ifndef AMANAT_LINUX_SHIM_H
#define AMANAT_LINUX_SHIM_H
// prctl(2) is variadic, which Swift cannot call; these wrappers fix its arguments.
#include <sys/prctl.h>
// signalfd(2), which Glibc's Swift module does not include: the guided intake reads Ctrl-C from one.
#include <sys/signalfd.h>

static inline int amanat_set_dumpable(int value) { return prctl(PR_SET_DUMPABLE, value, 0, 0, 0); }
static inline int amanat_get_dumpable(void) { return prctl(PR_GET_DUMPABLE, 0, 0, 0, 0); }
#endif
