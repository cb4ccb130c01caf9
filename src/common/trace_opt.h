/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* --trace FILE[,format=F] for every device that traces (trace_opt.c). */
#ifndef VD_COMMON_TRACE_OPT_H
#define VD_COMMON_TRACE_OPT_H

struct serve_state;
struct opt;

void trace_part_opts(struct serve_state *st, struct opt *tab);
int trace_part_opt(struct serve_state *st, int id, const char *arg);
int trace_part_check(struct serve_state *st);
int trace_part_ready(struct serve_state *st);
int trace_part_stop(struct serve_state *st);

#endif
