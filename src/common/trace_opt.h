/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* --trace FILE[,format=F] for every device that traces (trace_opt.c). */
#ifndef VD_COMMON_TRACE_OPT_H
#define VD_COMMON_TRACE_OPT_H

/* For serve_register_part(): the file is opened before the device starts. */
struct serve_part;
extern const struct serve_part trace_serve_part;

#endif
