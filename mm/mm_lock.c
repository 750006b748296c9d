// SPDX-License-Identifier: BSD-2-Clause
// The lock operations mm/ uses (see <mm/mm_lock.h>); none until the kernel installs them.
#include <mm/mm_lock.h>

const struct mm_lock_ops *mm_lock_ops;

void mm_set_lock_ops(const struct mm_lock_ops *ops)
{
	mm_lock_ops = ops;
}
