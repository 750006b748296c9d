// SPDX-License-Identifier: BSD-2-Clause
// Atomic counters and memory barriers on the compiler's __atomic builtins, with the names and
// ordering rules of Linux include/linux/atomic.h, include/asm-generic/barrier.h and
// Documentation/atomic_t.txt.
#ifndef ZONEDEV_PLATFORM_ATOMIC_H
#define ZONEDEV_PLATFORM_ATOMIC_H

#include <platform/types.h>

#include <arch/processor.h>

/*
 * Ordering, as in Linux Documentation/atomic_t.txt:
 *   - atomic_read/set and the void RMW ops (add, sub, inc, dec, and, or, xor) are relaxed;
 *   - value-returning RMW ops (*_return, fetch_*, xchg, cmpxchg, try_cmpxchg, *_and_test,
 *     add_unless, inc_not_zero) are fully ordered: like smp_mb() before and after;
 *   - the _relaxed, _acquire and _release forms order only what their name says;
 *   - a failed cmpxchg/try_cmpxchg orders nothing.
 * "Fully ordered" is a release RMW followed by a full fence: ldxr/stlxr + dmb ish on arm64 and
 * amo*.rl or lr/sc.rl + fence rw,rw on riscv64 (what Linux emits there for LL/SC). A sequentially
 * consistent builtin alone is not enough: C11 SC orders only against other SC accesses.
 * The builtins only use 32- and 64-bit RMW: riscv64 has no byte or halfword AMOs.
 */

/** barrier() - compiler barrier: no memory access is moved across it, no CPU ordering. */
#define barrier() __asm__ volatile("" ::: "memory")

/** smp_mb() - full barrier: every earlier access before every later one (fence rw,rw / dmb ish). */
#define smp_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
/** smp_rmb() - earlier loads before later loads. */
#define smp_rmb() arch_smp_rmb()
/** smp_wmb() - earlier stores before later stores. */
#define smp_wmb() arch_smp_wmb()
/** smp_mb__before_atomic() - make a following relaxed RMW op fully ordered before. */
#define smp_mb__before_atomic() smp_mb()
/** smp_mb__after_atomic() - make a preceding relaxed RMW op fully ordered after. */
#define smp_mb__after_atomic() smp_mb()

/** cpu_relax() - call in the body of every spin-wait loop. */
#define cpu_relax() arch_cpu_relax()

/** READ_ONCE() - load @x exactly once, untorn for sizes up to a long; no CPU ordering. */
#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
/** WRITE_ONCE() - store @val to @x exactly once, untorn for sizes up to a long. */
#define WRITE_ONCE(x, val)                               \
	do {                                             \
		*(volatile __typeof__(x) *)&(x) = (val); \
	} while (0)

/** smp_load_acquire() - load *@p; later accesses are ordered after it. */
#define smp_load_acquire(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
/** smp_store_release() - store @v to *@p; earlier accesses are ordered before it. */
#define smp_store_release(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)

/**
 * smp_cond_load_acquire() - spin until @cond_expr, which names the loaded value VAL, is true
 * @ptr: location to poll
 * Return: the value that made @cond_expr true, loaded with acquire ordering.
 */
#define smp_cond_load_acquire(ptr, cond_expr)                           \
	({                                                              \
		__typeof__(*(ptr)) VAL;                                 \
		for (;;) {                                              \
			VAL = __atomic_load_n((ptr), __ATOMIC_ACQUIRE); \
			if (cond_expr)                                  \
				break;                                  \
			cpu_relax();                                    \
		}                                                       \
		VAL;                                                    \
	})

/**
 * struct atomic_t - a 32-bit counter only touched through atomic_*()
 * @counter: the value; never read or written directly
 */
typedef struct {
	int counter;
} atomic_t;

/**
 * struct atomic64_t - a 64-bit counter only touched through atomic64_*()
 * @counter: the value
 */
typedef struct {
	int64_t counter;
} atomic64_t;

/**
 * struct atomic_long_t - a counter the size of a pointer, touched through atomic_long_*()
 * @counter: the value
 */
typedef struct {
	long counter;
} atomic_long_t;

#define ATOMIC_INIT(i) { (i) }
#define ATOMIC64_INIT(i) { (i) }
#define ATOMIC_LONG_INIT(i) { (i) }

/* A fully ordered RMW: release op, then a full fence (see the top of this file). */
#define atomic_full_op(expr)                             \
	({                                               \
		__typeof__(expr) __r = (expr);           \
		__atomic_thread_fence(__ATOMIC_SEQ_CST); \
		__r;                                     \
	})

/*
 * Every operation exists for atomic_t, atomic64_t and atomic_long_t with the same meaning; the
 * kernel-doc below is written once, for the atomic_ names.
 */
#define ATOMIC_OPS_GEN(pfx, atype, ctype)                                                      \
	static inline ctype pfx##_read(const atype *v)                                         \
	{                                                                                      \
		return __atomic_load_n(&v->counter, __ATOMIC_RELAXED);                         \
	}                                                                                      \
	static inline ctype pfx##_read_acquire(const atype *v)                                 \
	{                                                                                      \
		return __atomic_load_n(&v->counter, __ATOMIC_ACQUIRE);                         \
	}                                                                                      \
	static inline void pfx##_set(atype *v, ctype i)                                        \
	{                                                                                      \
		__atomic_store_n(&v->counter, i, __ATOMIC_RELAXED);                            \
	}                                                                                      \
	static inline void pfx##_set_release(atype *v, ctype i)                                \
	{                                                                                      \
		__atomic_store_n(&v->counter, i, __ATOMIC_RELEASE);                            \
	}                                                                                      \
	static inline void pfx##_add(ctype i, atype *v)                                        \
	{                                                                                      \
		__atomic_fetch_add(&v->counter, i, __ATOMIC_RELAXED);                          \
	}                                                                                      \
	static inline void pfx##_sub(ctype i, atype *v)                                        \
	{                                                                                      \
		__atomic_fetch_sub(&v->counter, i, __ATOMIC_RELAXED);                          \
	}                                                                                      \
	static inline void pfx##_inc(atype *v)                                                 \
	{                                                                                      \
		pfx##_add(1, v);                                                               \
	}                                                                                      \
	static inline void pfx##_dec(atype *v)                                                 \
	{                                                                                      \
		pfx##_sub(1, v);                                                               \
	}                                                                                      \
	static inline void pfx##_and(ctype i, atype *v)                                        \
	{                                                                                      \
		__atomic_fetch_and(&v->counter, i, __ATOMIC_RELAXED);                          \
	}                                                                                      \
	static inline void pfx##_or(ctype i, atype *v)                                         \
	{                                                                                      \
		__atomic_fetch_or(&v->counter, i, __ATOMIC_RELAXED);                           \
	}                                                                                      \
	static inline void pfx##_xor(ctype i, atype *v)                                        \
	{                                                                                      \
		__atomic_fetch_xor(&v->counter, i, __ATOMIC_RELAXED);                          \
	}                                                                                      \
	static inline ctype pfx##_fetch_add_relaxed(ctype i, atype *v)                         \
	{                                                                                      \
		return __atomic_fetch_add(&v->counter, i, __ATOMIC_RELAXED);                   \
	}                                                                                      \
	static inline ctype pfx##_fetch_add_acquire(ctype i, atype *v)                         \
	{                                                                                      \
		return __atomic_fetch_add(&v->counter, i, __ATOMIC_ACQUIRE);                   \
	}                                                                                      \
	static inline ctype pfx##_fetch_add_release(ctype i, atype *v)                         \
	{                                                                                      \
		return __atomic_fetch_add(&v->counter, i, __ATOMIC_RELEASE);                   \
	}                                                                                      \
	static inline ctype pfx##_fetch_add(ctype i, atype *v)                                 \
	{                                                                                      \
		return atomic_full_op(__atomic_fetch_add(&v->counter, i, __ATOMIC_RELEASE));   \
	}                                                                                      \
	static inline ctype pfx##_fetch_sub_relaxed(ctype i, atype *v)                         \
	{                                                                                      \
		return __atomic_fetch_sub(&v->counter, i, __ATOMIC_RELAXED);                   \
	}                                                                                      \
	static inline ctype pfx##_fetch_sub_acquire(ctype i, atype *v)                         \
	{                                                                                      \
		return __atomic_fetch_sub(&v->counter, i, __ATOMIC_ACQUIRE);                   \
	}                                                                                      \
	static inline ctype pfx##_fetch_sub_release(ctype i, atype *v)                         \
	{                                                                                      \
		return __atomic_fetch_sub(&v->counter, i, __ATOMIC_RELEASE);                   \
	}                                                                                      \
	static inline ctype pfx##_fetch_sub(ctype i, atype *v)                                 \
	{                                                                                      \
		return atomic_full_op(__atomic_fetch_sub(&v->counter, i, __ATOMIC_RELEASE));   \
	}                                                                                      \
	static inline ctype pfx##_fetch_or(ctype i, atype *v)                                  \
	{                                                                                      \
		return atomic_full_op(__atomic_fetch_or(&v->counter, i, __ATOMIC_RELEASE));    \
	}                                                                                      \
	static inline ctype pfx##_fetch_and(ctype i, atype *v)                                 \
	{                                                                                      \
		return atomic_full_op(__atomic_fetch_and(&v->counter, i, __ATOMIC_RELEASE));   \
	}                                                                                      \
	static inline ctype pfx##_add_return_relaxed(ctype i, atype *v)                        \
	{                                                                                      \
		return __atomic_add_fetch(&v->counter, i, __ATOMIC_RELAXED);                   \
	}                                                                                      \
	static inline ctype pfx##_add_return_acquire(ctype i, atype *v)                        \
	{                                                                                      \
		return __atomic_add_fetch(&v->counter, i, __ATOMIC_ACQUIRE);                   \
	}                                                                                      \
	static inline ctype pfx##_add_return_release(ctype i, atype *v)                        \
	{                                                                                      \
		return __atomic_add_fetch(&v->counter, i, __ATOMIC_RELEASE);                   \
	}                                                                                      \
	static inline ctype pfx##_add_return(ctype i, atype *v)                                \
	{                                                                                      \
		return atomic_full_op(__atomic_add_fetch(&v->counter, i, __ATOMIC_RELEASE));   \
	}                                                                                      \
	static inline ctype pfx##_sub_return_relaxed(ctype i, atype *v)                        \
	{                                                                                      \
		return __atomic_sub_fetch(&v->counter, i, __ATOMIC_RELAXED);                   \
	}                                                                                      \
	static inline ctype pfx##_sub_return_acquire(ctype i, atype *v)                        \
	{                                                                                      \
		return __atomic_sub_fetch(&v->counter, i, __ATOMIC_ACQUIRE);                   \
	}                                                                                      \
	static inline ctype pfx##_sub_return_release(ctype i, atype *v)                        \
	{                                                                                      \
		return __atomic_sub_fetch(&v->counter, i, __ATOMIC_RELEASE);                   \
	}                                                                                      \
	static inline ctype pfx##_sub_return(ctype i, atype *v)                                \
	{                                                                                      \
		return atomic_full_op(__atomic_sub_fetch(&v->counter, i, __ATOMIC_RELEASE));   \
	}                                                                                      \
	static inline ctype pfx##_inc_return(atype *v)                                         \
	{                                                                                      \
		return pfx##_add_return(1, v);                                                 \
	}                                                                                      \
	static inline ctype pfx##_dec_return(atype *v)                                         \
	{                                                                                      \
		return pfx##_sub_return(1, v);                                                 \
	}                                                                                      \
	static inline ctype pfx##_dec_return_release(atype *v)                                 \
	{                                                                                      \
		return pfx##_sub_return_release(1, v);                                         \
	}                                                                                      \
	static inline ctype pfx##_xchg_relaxed(atype *v, ctype n)                              \
	{                                                                                      \
		return __atomic_exchange_n(&v->counter, n, __ATOMIC_RELAXED);                  \
	}                                                                                      \
	static inline ctype pfx##_xchg_acquire(atype *v, ctype n)                              \
	{                                                                                      \
		return __atomic_exchange_n(&v->counter, n, __ATOMIC_ACQUIRE);                  \
	}                                                                                      \
	static inline ctype pfx##_xchg_release(atype *v, ctype n)                              \
	{                                                                                      \
		return __atomic_exchange_n(&v->counter, n, __ATOMIC_RELEASE);                  \
	}                                                                                      \
	static inline ctype pfx##_xchg(atype *v, ctype n)                                      \
	{                                                                                      \
		return atomic_full_op(__atomic_exchange_n(&v->counter, n, __ATOMIC_RELEASE));  \
	}                                                                                      \
	static inline bool pfx##_try_cmpxchg_relaxed(atype *v, ctype *old, ctype n)            \
	{                                                                                      \
		return __atomic_compare_exchange_n(&v->counter, old, n, false,                 \
						   __ATOMIC_RELAXED, __ATOMIC_RELAXED);        \
	}                                                                                      \
	static inline bool pfx##_try_cmpxchg_acquire(atype *v, ctype *old, ctype n)            \
	{                                                                                      \
		return __atomic_compare_exchange_n(&v->counter, old, n, false,                 \
						   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);        \
	}                                                                                      \
	static inline bool pfx##_try_cmpxchg_release(atype *v, ctype *old, ctype n)            \
	{                                                                                      \
		return __atomic_compare_exchange_n(&v->counter, old, n, false,                 \
						   __ATOMIC_RELEASE, __ATOMIC_RELAXED);        \
	}                                                                                      \
	static inline bool pfx##_try_cmpxchg(atype *v, ctype *old, ctype n)                    \
	{                                                                                      \
		if (!__atomic_compare_exchange_n(&v->counter, old, n, false, __ATOMIC_RELEASE, \
						 __ATOMIC_RELAXED))                            \
			return false;                                                          \
		__atomic_thread_fence(__ATOMIC_SEQ_CST);                                       \
		return true;                                                                   \
	}                                                                                      \
	static inline ctype pfx##_cmpxchg_relaxed(atype *v, ctype old, ctype n)                \
	{                                                                                      \
		pfx##_try_cmpxchg_relaxed(v, &old, n);                                         \
		return old;                                                                    \
	}                                                                                      \
	static inline ctype pfx##_cmpxchg_acquire(atype *v, ctype old, ctype n)                \
	{                                                                                      \
		pfx##_try_cmpxchg_acquire(v, &old, n);                                         \
		return old;                                                                    \
	}                                                                                      \
	static inline ctype pfx##_cmpxchg_release(atype *v, ctype old, ctype n)                \
	{                                                                                      \
		pfx##_try_cmpxchg_release(v, &old, n);                                         \
		return old;                                                                    \
	}                                                                                      \
	static inline ctype pfx##_cmpxchg(atype *v, ctype old, ctype n)                        \
	{                                                                                      \
		pfx##_try_cmpxchg(v, &old, n);                                                 \
		return old;                                                                    \
	}                                                                                      \
	static inline bool pfx##_sub_and_test(ctype i, atype *v)                               \
	{                                                                                      \
		return pfx##_sub_return(i, v) == 0;                                            \
	}                                                                                      \
	static inline bool pfx##_dec_and_test(atype *v)                                        \
	{                                                                                      \
		return pfx##_dec_return(v) == 0;                                               \
	}                                                                                      \
	static inline bool pfx##_inc_and_test(atype *v)                                        \
	{                                                                                      \
		return pfx##_inc_return(v) == 0;                                               \
	}                                                                                      \
	static inline bool pfx##_add_negative(ctype i, atype *v)                               \
	{                                                                                      \
		return pfx##_add_return(i, v) < 0;                                             \
	}                                                                                      \
	static inline bool pfx##_add_unless(atype *v, ctype a, ctype u)                        \
	{                                                                                      \
		ctype c = pfx##_read(v);                                                       \
                                                                                               \
		do {                                                                           \
			if (c == u)                                                            \
				return false;                                                  \
		} while (!pfx##_try_cmpxchg(v, &c,                                             \
					    (ctype)((unsigned long)c + (unsigned long)a)));    \
		return true;                                                                   \
	}                                                                                      \
	static inline bool pfx##_inc_not_zero(atype *v)                                        \
	{                                                                                      \
		return pfx##_add_unless(v, 1, 0);                                              \
	}

/*
 * atomic_read() - load the counter (relaxed); atomic_read_acquire() - with acquire ordering.
 * atomic_set() - store the counter (relaxed); atomic_set_release() - with release ordering.
 * atomic_add(), atomic_sub(), atomic_inc(), atomic_dec(), atomic_and(), atomic_or(),
 * atomic_xor() - RMW without a result and without ordering.
 * atomic_fetch_{add,sub}{,_relaxed,_acquire,_release}(), atomic_fetch_{or,and}() - RMW that
 * return the value before the operation.
 * atomic_{add,sub}_return{,_relaxed,_acquire,_release}(), atomic_{inc,dec}_return(),
 * atomic_dec_return_release() - RMW that return the value after the operation.
 * atomic_xchg{,_relaxed,_acquire,_release}() - store a new value, return the old one.
 * atomic_cmpxchg{,_relaxed,_acquire,_release}(@v, @old, @new) - store @new if the counter
 * equals @old; return the value found (== @old on success).
 * atomic_try_cmpxchg{,_relaxed,_acquire,_release}(@v, @old, @new) - the same; return true on
 * success, else false with *@old updated to the value found (so CAS loops need no reload).
 * atomic_{sub,dec,inc}_and_test() - true when the result is 0; atomic_add_negative() - true
 * when it is negative.
 * atomic_add_unless(@v, @a, @u) - add @a unless the counter is @u; true if it added.
 * atomic_inc_not_zero() - take a reference unless the count already dropped to zero.
 */
ATOMIC_OPS_GEN(atomic, atomic_t, int)
ATOMIC_OPS_GEN(atomic64, atomic64_t, int64_t)
ATOMIC_OPS_GEN(atomic_long, atomic_long_t, long)

#undef ATOMIC_OPS_GEN

_Static_assert(sizeof(int) == 4 && sizeof(long) == 8, "atomic RMW are 32 or 64 bit");

#endif
