#include "harness/fctl.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/util.h"

int
fctl_request(const char *sock, const char *line, struct dd_buf *out,
    unsigned timeout_ms, struct dd_err *err)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct dd_buf in = { 0 };
	uint64_t deadline = dd_now_ms() + timeout_ms;
	int fd, rc = DD_EIO;
	size_t len = strlen(line);

	if (strlen(sock) >= sizeof(sun.sun_path) || strchr(line, '\n') != NULL) {
		dd_err_set(err, "bad control request");
		return DD_EINVAL;
	}
	strcpy(sun.sun_path, sock);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		dd_err_set(err, "cannot reach faultd at %s: %s", sock, strerror(errno));
		if (fd >= 0)
			close(fd);
		return DD_EIO;
	}
	if (write(fd, line, len) != (ssize_t)len || write(fd, "\n", 1) != 1) {
		dd_err_set(err, "write to %s: %s", sock, strerror(errno));
		goto out;
	}
	shutdown(fd, SHUT_WR);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char b[4096];
		uint64_t now = dd_now_ms();
		if (now >= deadline || poll(&p, 1, (int)(deadline - now)) <= 0) {
			dd_err_set(err, "faultd at %s did not answer in %u ms", sock, timeout_ms);
			goto out;
		}
		ssize_t n = read(fd, b, sizeof(b));
		if (n <= 0)
			break;
		dd_buf_append(&in, b, (size_t)n);
	}
	dd_buf_append(&in, "", 1);
	/* the status line is the last one */
	char *s = (char *)in.data;
	size_t l = strlen(s);
	while (l > 0 && s[l - 1] == '\n')
		s[--l] = '\0';
	char *last = strrchr(s, '\n');
	char *status = last ? last + 1 : s;
	if (strncmp(status, "OK", 2) == 0) {
		if (out) {
			if (last) {
				*last = '\0';
				dd_buf_printf(out, "%s\n", s);
			}
		}
		rc = 0;
	} else if (strncmp(status, "ERR ", 4) == 0) {
		dd_err_set(err, "%s", status + 4);
		rc = DD_EINVAL;
	} else {
		dd_err_set(err, "faultd at %s closed without an answer", sock);
	}
out:
	dd_buf_free(&in);
	close(fd);
	return rc;
}

int
fctl_rule_add(const char *sock, const char *rule, uint64_t *id, struct dd_err *err)
{
	struct dd_buf out = { 0 };
	char *line;
	int rc;

	if (asprintf(&line, "rule add %s", rule) < 0)
		return DD_ENOMEM;
	rc = fctl_request(sock, line, &out, 3000, err);
	free(line);
	if (rc == 0) {
		dd_buf_append(&out, "", 1);
		*id = strtoull((const char *)out.data, NULL, 10);
	}
	dd_buf_free(&out);
	return rc;
}

int
fctl_rule_del(const char *sock, uint64_t id, struct dd_err *err)
{
	char line[64];
	snprintf(line, sizeof(line), "rule del %llu", (unsigned long long)id);
	return fctl_request(sock, line, NULL, 3000, err);
}
