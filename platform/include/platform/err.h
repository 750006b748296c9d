// SPDX-License-Identifier: BSD-2-Clause
// Error values carried in pointers (Linux include/linux/err.h): a function that returns a pointer
// and can fail for more than one reason returns ERR_PTR(-errno) instead of NULL.
#ifndef ZONEDEV_PLATFORM_ERR_H
#define ZONEDEV_PLATFORM_ERR_H

#include <platform/types.h>

/*
 * The last MAX_ERRNO addresses of the address space are never handed out as objects (the top
 * page of the kernel half is left unmapped), so they can encode -1 .. -MAX_ERRNO.
 */
#define MAX_ERRNO 4095

/** ERR_PTR() - encode the negative errno @error as a pointer. */
static inline void *ERR_PTR(long error)
{
	return (void *)(intptr_t)error;
}

/** PTR_ERR() - the negative errno held by @ptr (only meaningful when IS_ERR(@ptr)). */
static inline long PTR_ERR(const void *ptr)
{
	return (long)(intptr_t)ptr;
}

/** IS_ERR() - @ptr holds an error made by ERR_PTR(). */
static inline bool IS_ERR(const void *ptr)
{
	return (uintptr_t)ptr >= (uintptr_t)-MAX_ERRNO;
}

/** IS_ERR_OR_NULL() - @ptr is NULL or holds an error. */
static inline bool IS_ERR_OR_NULL(const void *ptr)
{
	return !ptr || IS_ERR(ptr);
}

#endif
