/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The GET_LINE_NAMES block of a virtio-gpio device: every line's name in
 * line order, each NUL-terminated, 7-bit ASCII and unique within the
 * device ("The strings MUST be zero-terminated and an unique (if
 * available) within the GPIO device", virtio spec, GPIO device, requestq
 * operation).  A host chip gives no such promise: its lines may share a
 * name, and names may hold any byte.
 *
 * Rules, in the order applied:
 * 1. a byte outside 0x20..0x7e becomes '?', and a name is cut at
 *    GPIO_NAME_MAX - 1 bytes;
 * 2. an empty name stays empty: the line has no name ("If missing, then a
 *    zero-byte must be present"), and uniqueness is only asked of the
 *    names present;
 * 3. the first line with a (cleaned) name keeps it; every later line with
 *    the same name becomes NAME_K with the smallest K >= 2 that gives a
 *    name no line has and no earlier renaming produced, NAME cut so that
 *    NAME_K fits.  So neither rule 1 nor the cut can leave two lines with
 *    one name, and a line named "A_2" by the host keeps its name.
 * Linear in the number of lines (one hash set of the names). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "devices/gpio.h"

struct name_slot {
	const char *s;         /* NULL: free */
	unsigned next_k;       /* next suffix to try for duplicates of s */
};

struct name_set {
	struct name_slot *slot;
	size_t mask;
};

static size_t name_hash(const char *s)
{
	size_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

/* The slot holding s, or the free slot where it would go. */
static struct name_slot *set_find(struct name_set *set, const char *s)
{
	size_t i = name_hash(s) & set->mask;

	while (set->slot[i].s && strcmp(set->slot[i].s, s))
		i = (i + 1) & set->mask;
	return &set->slot[i];
}

/* Rule 1: printable 7-bit ASCII, at most GPIO_NAME_MAX - 1 bytes. */
static void clean_name(char *dst, const char *src)
{
	size_t len = strnlen(src, GPIO_NAME_MAX - 1);

	for (size_t k = 0; k < len; k++) {
		unsigned char ch = (unsigned char)src[k];

		dst[k] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
	}
	dst[len] = '\0';
}

/* Rule 3: a free name for a later line named like base. */
static void rename_dup(struct name_set *set, struct name_slot *base, char *out)
{
	char cand[GPIO_NAME_MAX];
	struct name_slot *slot;
	unsigned k = base->next_k;

	for (;; k++) {
		char sfx[16];
		int sl = snprintf(sfx, sizeof(sfx), "_%u", k);
		size_t bl = strlen(base->s);

		if (bl > GPIO_NAME_MAX - 1 - (size_t)sl)
			bl = GPIO_NAME_MAX - 1 - (size_t)sl;
		memcpy(cand, base->s, bl);
		memcpy(cand + bl, sfx, (size_t)sl + 1);
		slot = set_find(set, cand);
		if (!slot->s)
			break;
	}
	base->next_k = k + 1;
	memcpy(out, cand, strlen(cand) + 1);
	slot->s = out;
	slot->next_k = 2;
}

int gpio_names_build(struct gpio_chip *c, uint8_t **block, uint32_t *size)
{
	char (*nm)[GPIO_NAME_MAX] = calloc(c->ngpio, sizeof(*nm));
	bool *dup = calloc(c->ngpio, sizeof(*dup));
	struct name_set set = { NULL, 0 };
	size_t cap = 4, total = 0, pos = 0;
	unsigned renamed = 0;
	uint8_t *b = NULL;

	/* at most 2 * ngpio names (each line's, each renaming): load <= 1/2 */
	while (cap < 4 * (size_t)c->ngpio)
		cap *= 2;
	set.slot = calloc(cap, sizeof(*set.slot));
	set.mask = cap - 1;
	if (!nm || !dup || !set.slot)
		goto out;
	for (unsigned i = 0; i < c->ngpio; i++) {
		struct name_slot *slot;

		clean_name(nm[i], c->ops->name(c, i));
		if (!nm[i][0])
			continue;
		slot = set_find(&set, nm[i]);
		if (slot->s) {
			dup[i] = true;
			continue;
		}
		slot->s = nm[i];
		slot->next_k = 2;
	}
	for (unsigned i = 0; i < c->ngpio; i++) {
		char old[GPIO_NAME_MAX];

		if (!dup[i])
			continue;
		memcpy(old, nm[i], sizeof(old));
		rename_dup(&set, set_find(&set, nm[i]), nm[i]);
		log_debug("gpio %s: line %u: '%s' is an earlier line's name; named '%s'",
			  c->label, i, old, nm[i]);
		renamed++;
	}
	for (unsigned i = 0; i < c->ngpio; i++)
		total += strlen(nm[i]) + 1;
	b = malloc(total);
	if (!b)
		goto out;
	for (unsigned i = 0; i < c->ngpio; i++) {
		size_t l = strlen(nm[i]) + 1;

		memcpy(b + pos, nm[i], l);
		pos += l;
	}
	if (renamed)
		log_info("gpio %s: %u line name%s shared with an earlier line got a _N suffix "
			 "(names must be unique)", c->label, renamed, renamed == 1 ? "" : "s");
	*block = b;
	*size = (uint32_t)total;
out:
	free(set.slot);
	free(dup);
	free(nm);
	return b ? 0 : -ENOMEM;
}
