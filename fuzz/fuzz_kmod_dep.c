/* libFuzzer: kmod_parse_dep on arbitrary text (it reads modules.dep of a
 * --from root); on success every dependency index is in range, names are
 * terminated, and the closure of everything puts dependencies first or
 * reports a cycle. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rescue/kmod.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kmod_db db;
	if (kmod_parse_dep(data, size, &db)) {
		kmod_free(&db);
		return 0;
	}
	for (size_t i = 0; i < db.n_deps; i++)
		if (db.deps[i] >= db.n)
			abort();
	for (size_t i = 0; i < db.n; i++) {
		if (!memchr(db.mods[i].name, 0, sizeof db.mods[i].name) ||
		    strlen(db.mods[i].path) >= KMOD_PATH_MAX ||
		    db.mods[i].dep0 + db.mods[i].n_deps > db.n_deps ||
		    kmod_find_path(&db, db.mods[i].path) != (long)i)
			abort();
	}
	uint8_t *want = malloc(db.n + 1);
	uint32_t *order = malloc((db.n + 1) * sizeof *order);
	uint32_t *pos = malloc((db.n + 1) * sizeof *pos);
	if (want && order && pos) {
		memset(want, 1, db.n);
		long n = kmod_closure(&db, want, order);
		if (n >= 0) {
			if ((size_t)n != db.n)
				abort();
			for (long i = 0; i < n; i++)
				pos[order[i]] = (uint32_t)i;
			for (size_t i = 0; i < db.n; i++)
				for (uint32_t d = 0; d < db.mods[i].n_deps; d++)
					if (pos[db.deps[db.mods[i].dep0 + d]] > pos[i])
						abort();
		}
	}
	free(want);
	free(order);
	free(pos);
	kmod_free(&db);
	return 0;
}
