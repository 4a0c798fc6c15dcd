#!/usr/bin/env bash
# One libc layer: no file-system call outside Sources/SystemCalls (and the C targets). Everything
# that touches the file system goes through SystemCalls, so EINTR, errno, no-follow opens and the
# service's ownership of the spool (ServiceOwnership) are handled in one place.
# Prints the offending lines and exits 1 if there are any; prints "syscalls: ok" otherwise.
set -uo pipefail
cd "$(dirname "$0")/.."
calls='open|openat|creat|mkdir|mkdirat|rename|renameat|renameat2|unlink|unlinkat|rmdir|stat|lstat|fstat|fstatat|statfs|chmod|fchmod|fchmodat|chown|fchown|lchown|fchownat|access|faccessat|opendir|fdopendir|readdir|closedir|fsync|fdatasync|ftruncate|truncate|lseek|pread|pwrite|flock|realpath|symlink|link|linkat|readlink|utimensat|mmap|munmap|setxattr|getxattr'
hits=$(grep -rnE --include='*.swift' "(^|[^.[:alnum:]_])($calls)\(" Sources \
  | grep -v '^Sources/SystemCalls/' \
  | grep -vE '^[^:]+:[0-9]+:[[:space:]]*//' \
  | grep -vE 'func ('"$calls"')\(|static func open\(|\.open\(|json\.load\(open' )
if [ -n "$hits" ]; then
  echo "syscalls: file-system calls outside Sources/SystemCalls (use the SystemCalls layer):"
  echo "$hits"
  exit 1
fi
echo "syscalls: ok"
