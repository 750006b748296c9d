// SPDX-License-Identifier: BSD-2-Clause
// Linux's errno numbers, so results read the same as in the kernel we mirror.
#ifndef ZONEDEV_PLATFORM_ERRNO_H
#define ZONEDEV_PLATFORM_ERRNO_H

#define EPERM 1
#define ENOENT 2
#define EIO 5
#define ENXIO 6
#define E2BIG 7
#define ENOMEM 12
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define ENODEV 19
#define EINVAL 22
#define ENOSPC 28
#define ERANGE 34
#define ENOSYS 38
#define ENODATA 61
#define EOVERFLOW 75
#define EBADMSG 74
#define EOPNOTSUPP 95
#define ETIMEDOUT 110
#define EALREADY 114

#endif
