/* notify: sd_notify(3)'s wire protocol: one datagram of "KEY=VALUE" lines
 * to the AF_UNIX socket named by $NOTIFY_SOCKET. */
#include "core/notify.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/sys.h"

/* Set once by notify_open(); see notify.h. */
static int notify_fd = -1;

int notify_addr(const char *value, struct sockaddr_un *sa, socklen_t *len)
{
	size_t n = value ? strlen(value) : 0;
	memset(sa, 0, sizeof *sa);
	sa->sun_family = AF_UNIX;
	if (n < 2 || (value[0] != '/' && value[0] != '@') || n > sizeof sa->sun_path - 1)
		return -EINVAL;
	memcpy(sa->sun_path, value, n);
	if (value[0] == '@') {
		/* abstract: a leading NUL, and the name's exact length */
		sa->sun_path[0] = 0;
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	} else {
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	}
	return 0;
}

int notify_open(void)
{
	const char *v = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	socklen_t len;
	if (!v)
		return 0;
	int r = notify_addr(v, &sa, &len);
	unsetenv("NOTIFY_SOCKET");
	if (r)
		return r;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, len)) {
		r = -errno;
		close(fd);
		return r;
	}
	notify_close();
	notify_fd = fd;
	return 1;
}

int notify_enabled(void)
{
	return notify_fd >= 0;
}

int notify_send(const char *msg)
{
	if (notify_fd < 0)
		return 0;
	if (send(notify_fd, msg, strlen(msg), MSG_NOSIGNAL) < 0)
		return -errno;
	return 0;
}

size_t notify_reloading_msg(char *buf, size_t cap, uint64_t now_us, const char *status)
{
	int k =
	    snprintf(buf, cap, "RELOADING=1\nMONOTONIC_USEC=%llu%s%s", (unsigned long long)now_us,
		     status ? "\nSTATUS=" : "", status ? status : "");
	if (k < 0 || (size_t)k >= cap)
		return 0;
	return (size_t)k;
}

int notify_reloading(const char *status)
{
	char msg[256];
	if (notify_fd < 0)
		return 0;
	if (!notify_reloading_msg(msg, sizeof msg, sys_clock_us(CLOCK_MONOTONIC), status))
		return -ENOBUFS;
	return notify_send(msg);
}

void notify_close(void)
{
	if (notify_fd >= 0)
		close(notify_fd);
	notify_fd = -1;
}
