/* cache.h - the OpenCL program-binary cache: a built program's binary kept
 * on disk, keyed by everything that can change it (the kernel source, the
 * build options, the platform, device and driver, clinit's version), so a
 * new process does not compile the kernels again.
 *
 * Folder: $CLINIT_CACHE_DIR, else $XDG_CACHE_HOME/clinit, else
 * $HOME/.cache/clinit; CLINIT_CACHE=0 turns the cache off. One file per
 * key, written under a temporary name and renamed into place, so
 * concurrent processes see a whole file or none. A file is used only if
 * its header, its full key text and the hash of its binary all check; any
 * other file (truncated, corrupt, another key's) is ignored and replaced.
 * Every failure of the cache falls back to building from source: the
 * cache can make a first fill faster, never fail it. */
#ifndef CLINIT_HOST_CACHE_H
#define CLINIT_HOST_CACHE_H

#include <stddef.h>

#include "clinit.h" /* the OpenCL headers, as the library uses them */

/* The cache's view of one program build: the key text (NUL-terminated,
 * malloc'd) and its file path (NULL when the cache is off or no folder is
 * known). */
typedef struct clinit_cache_entry {
    char *key;
    char *path;
} clinit_cache_entry;

/* Fills e for building src[0..len) with `options` on `device`. Returns 0,
 * or -1 when out of memory (e is then empty; build without the cache). */
int clinit_cache_entry_make(clinit_cache_entry *e, cl_platform_id platform,
                            cl_device_id device, const char *src, size_t len,
                            const char *options);
void clinit_cache_entry_free(clinit_cache_entry *e);

/* The program of e's cached binary, built for `device` with `options`;
 * NULL when there is none that checks (the caller builds from source). */
cl_program clinit_cache_load(const clinit_cache_entry *e, cl_context context,
                             cl_device_id device, const char *options);

/* Stores the binary of prog (built for one device) under e; best effort:
 * an error leaves the cache as it was. */
void clinit_cache_store(const clinit_cache_entry *e, cl_program prog);

#endif
