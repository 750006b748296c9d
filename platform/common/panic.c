// SPDX-License-Identifier: BSD-2-Clause
// panic() and WARN: the run ends with status 3 and still prints its result line, because some
// exits (PSCI SYSTEM_OFF) carry no status and the runner must read it from the output.
#include <platform/arch.h>
#include <platform/exit.h>
#include <platform/ktap.h>
#include <platform/panic.h>
#include <platform/printk.h>

static bool in_panic;

__noreturn void panic_finish(const char *reason)
{
	ktap_finish(STATUS_PANIC, reason);
	arch_exit(STATUS_PANIC);
}

__noreturn void panic(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vscnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (in_panic) {
		/* A panic while panicking: print the bare minimum and leave. */
		printk(KERN_EMERG "nested panic: %s\n", msg);
		arch_exit(STATUS_PANIC);
	}
	in_panic = true;
	printk(KERN_EMERG "Kernel panic: %s\n", msg);
	/* The result first: if the backtrace faults, the stream already says how the run ended. */
	ktap_abort("panic");
	arch_backtrace(arch_current_fp());
	panic_finish("panic");
}

void warn_slowpath(const char *file, int line, const char *func, const char *cond)
{
	printk(KERN_WARNING "WARN_ON(%s) in %s at %s:%d\n", cond, func, file, line);
	arch_backtrace(arch_current_fp());
}
