/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* A coverage build (make coverage) writes its counts at exit(), to the
 * build directory (VD_COVERAGE_DIR, which the sandbox leaves writable).
 * A process that ends another way (the SIGSYS reporter, a fatal SIGBUS
 * that is not guest memory, a test's child calling exit_group) writes
 * them with coverage_dump() first.  Nothing in other builds. */
#ifndef VD_COVERAGE_H
#define VD_COVERAGE_H

#ifdef VD_COVERAGE_DIR
void __gcov_dump(void);
#define coverage_dump() __gcov_dump()
#else
#define coverage_dump() do { } while (0)
#endif

#endif
