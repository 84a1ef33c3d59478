#ifndef AMANAT_LINUX_SHIM_H
#define AMANAT_LINUX_SHIM_H
// prctl(2) is variadic, which Swift cannot call; these wrappers fix its arguments.
#include <sys/prctl.h>
// signalfd(2), which Glibc's Swift module does not include: the guided intake reads Ctrl-C from one.
#include <sys/signalfd.h>

// sync_file_range(2) is a GNU extension Glibc's Swift module does not declare; the raw system call needs no
// feature macro. SYNC_FILE_RANGE_WRITE (2) starts writeback of the range and does not wait for it.
#include <sys/syscall.h>
#include <unistd.h>

static inline int amanat_start_writeback(int fd, long long offset, long long count) {
    return (int)syscall(SYS_sync_file_range, fd, offset, count, 2);
}
static inline int amanat_set_dumpable(int value) { return prctl(PR_SET_DUMPABLE, value, 0, 0, 0); }
static inline int amanat_get_dumpable(void) { return prctl(PR_GET_DUMPABLE, 0, 0, 0, 0); }
#endif
