#ifndef CSTATFS_SHIM_H
#define CSTATFS_SHIM_H
// statfs(2), whose f_type names the filesystem (linux/magic.h); Swift's Glibc module has only statvfs.
#include <sys/vfs.h>

// f_type as an unsigned 32-bit magic number, whatever width the architecture gives it.
static inline unsigned int cstatfs_type(const char *path, int *error) {
    struct statfs buffer;
    if (statfs(path, &buffer) != 0) { *error = 1; return 0; }
    *error = 0;
    return (unsigned int)buffer.f_type;
}
#endif
