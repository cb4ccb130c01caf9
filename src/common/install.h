/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
#ifndef VD_INSTALL_H
#define VD_INSTALL_H

#include <stddef.h>

/* `vhost-device --install [-s] [DIR]` (argv[0] is "--install"): create
 * vhost-device-NAME links to the running binary for each of names[n].
 * Prints what went wrong; returns the exit status (0; 1, or 2 for a
 * malformed command line). */
int install_links(int argc, char **argv, const char *const *names, size_t n);

#endif
