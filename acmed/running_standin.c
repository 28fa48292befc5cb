/*
 * TEMPORARY STAND-IN, to be dropped when the state directory's lock and
 * its daemon_running() are merged: this file and its declaration in
 * parent.h go, nothing else changes.
 *
 * daemon_running() as the lock will answer it, from what is at hand
 * meanwhile: the pid in status.json, if that process is still an acmed.
 */
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yajl/yajl_tree.h>

#include "parent.h"

/* Whether /proc/PID/exe, or else (not ours to read) its comm, is acmed. */
static int
is_acmed(pid_t pid)
{
	char	 path[64], exe[PATH_MAX], *base;
	ssize_t	 n;
	int	 fd;

	snprintf(path, sizeof(path), "/proc/%ld/exe", (long)pid);
	if ((n = readlink(path, exe, sizeof(exe) - 1)) > 0) {
		exe[n] = '\0';
		if ((base = strstr(exe, " (deleted)")) != NULL)
			*base = '\0';
		base = strrchr(exe, '/');
		return strcmp(base ? base + 1 : exe, "acmed") == 0;
	}
	snprintf(path, sizeof(path), "/proc/%ld/comm", (long)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	n = read(fd, exe, sizeof(exe) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	exe[n] = '\0';
	exe[strcspn(exe, "\n")] = '\0';
	return strcmp(exe, "acmed") == 0;
}

pid_t
daemon_running(const char *state_dir)
{
	const char	*path_pid[2] = { "pid", NULL };
	char		 path[PATH_MAX], *data;
	yajl_val	 root, v;
	size_t		 len;
	long long	 pid = 0;

	if ((size_t)snprintf(path, sizeof(path), "%s/status.json",
	    state_dir) >= sizeof(path) ||
	    read_file(path, 4 * 1024 * 1024, &data, &len) == -1)
		return 0;
	root = yajl_tree_parse(data, NULL, 0);
	free(data);
	if ((v = yajl_tree_get(root, path_pid, yajl_t_number)) != NULL &&
	    YAJL_IS_INTEGER(v))
		pid = YAJL_GET_INTEGER(v);
	yajl_tree_free(root);
	if (pid <= 1 || pid > INT_MAX || pid == getpid() ||
	    (kill((pid_t)pid, 0) == -1 && errno != EPERM) ||
	    !is_acmed((pid_t)pid))
		return 0;
	return (pid_t)pid;
}
