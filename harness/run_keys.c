/*
 * run_keys.c -- the scenario's DNSSEC keys on disk (dnssec_key() and dns {
 * sign = ... }, harness/lua_dnssec.c): at run start every key set is
 * written into the run's own folder, OUT/keys/ (0700), each key as
 * ldns-keygen writes it (BASE.private and BASE.key, 0600, created new,
 * never through a link), and OUT/keys/ds lists every zone's DS; faultd
 * gets --sign ZONE:OUT/keys/KSK,OUT/keys/ZSK.  Nothing is written
 * anywhere else, and nothing at all by `dnsdrill check`.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/run_internal.h"

static int
put(struct run *r, const char *path, const char *a, const char *b)
{
	int fd;
	size_t la = strlen(a), lb = b ? strlen(b) : 0;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || write(fd, a, la) != (ssize_t)la ||
	    (b != NULL && write(fd, b, lb) != (ssize_t)lb) || close(fd) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return run_fail(r, DD_EIO, "DNSSEC keys: %s: %s", path, strerror(e));
	}
	return 0;
}

int
run_keys_write(struct run *r)
{
	const struct scenario *sc = r->sc;
	char dir[PATH_MAX], path[PATH_MAX];
	FILE *ds;
	char *text = NULL;
	size_t tlen = 0;
	int rc;

	if (sc->n_keysets == 0)
		return 0;
	/* faultd splits --sign's key list at commas */
	if (strchr(r->out, ',') != NULL)
		return run_fail(r, DD_EINVAL, "DNSSEC keys: the run's folder %s has a ',' in its "
		    "path, which faultd's --sign ZONE:KEY,KEY cannot take (give --out another)",
		    r->out);
	snprintf(dir, sizeof(dir), "%s/keys", r->out);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return run_fail(r, DD_EIO, "DNSSEC keys: %s: %s", dir, strerror(errno));
	if (chmod(dir, 0700) < 0)
		return run_fail(r, DD_EIO, "DNSSEC keys: %s: %s", dir, strerror(errno));
	for (size_t i = 0; i < sc->n_keysets; i++)
		for (size_t j = 0; j < 2; j++) {
			const struct sc_key *k = &sc->keysets[i].key[j];
			snprintf(path, sizeof(path), "%s/%s.private", dir, k->base);
			if ((rc = put(r, path, k->private_text, NULL)) < 0)
				return rc;
			snprintf(path, sizeof(path), "%s/%s.key", dir, k->base);
			if ((rc = put(r, path, k->dnskey, "\n")) < 0)
				return rc;
		}
	if ((ds = open_memstream(&text, &tlen)) == NULL)
		return run_fail(r, DD_ENOMEM, "out of memory");
	fprintf(ds, "; the DS of every key set of the run (dnssec_key(), dns { sign = ... })\n");
	for (size_t i = 0; i < sc->n_keysets; i++)
		fprintf(ds, "%s\n", sc->keysets[i].ds);
	if (fclose(ds) != 0) {
		free(text);
		return run_fail(r, DD_ENOMEM, "out of memory");
	}
	snprintf(path, sizeof(path), "%s/ds", dir);
	rc = put(r, path, text, NULL);
	free(text);
	return rc;
}

int
run_keys_sign_arg(const struct run *r, const struct sc_sign *s, char *buf, size_t len)
{
	const struct sc_keyset *k = &r->sc->keysets[s->keyset];
	int n = snprintf(buf, len, "%s:%s/keys/%s,%s/keys/%s", s->zone, r->out, k->key[0].base,
	    r->out, k->key[1].base);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}
