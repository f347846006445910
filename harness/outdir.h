/*
 * outdir.h -- the folder a run (or a matrix) writes into.  A run's files
 * must not mix with an earlier run's: a folder named with --out must be new
 * or empty, or, with --force, is emptied first; a default folder is always
 * a new one.
 *
 * Emptying removes only what is inside the folder: a symbolic link inside
 * is removed, never followed, and a folder inside that is another file
 * system's (a mount point) is refused, not entered.
 */
#ifndef DD_HARNESS_OUTDIR_H
#define DD_HARNESS_OUTDIR_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"

/*
 * Make dir (and its parents) ready for a run's files.  When it exists it
 * must be a directory, not a symbolic link, owned by the effective user and
 * not writable by group or others (else DD_EINVAL: another user could
 * plant links where the run writes); a non-empty one is refused (DD_EINVAL,
 * the message names dir and --force) unless force, which empties it first.
 * Returns 0, DD_EINVAL, or a negative errno with err naming the path.
 */
int outdir_prepare(const char *dir, bool force, struct dd_err *err);

/*
 * Create a new directory base (its parents as needed), or base-2, base-3,
 * ... when base is taken (two runs in the same second), and put the name
 * it got into out.  Returns 0 or a negative errno (DD_EINVAL when out is
 * too small) with err naming the path.
 */
int outdir_create_new(const char *base, char *out, size_t len, struct dd_err *err);

/*
 * Remove everything inside the directory dir (not dir itself), as
 * outdir_prepare() does with force.  Returns 0, DD_EINVAL (dir is not a
 * directory, or holds a mount point) or a negative errno, with err naming
 * the path.
 */
int outdir_empty(const char *dir, struct dd_err *err);

#endif
