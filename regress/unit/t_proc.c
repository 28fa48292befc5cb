/*
 * The process start-up helpers: the tag parent and child compare, the
 * command line of a child program, and proc_trim(), which gives back the
 * pages start-up touched and must leave the process working.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "test.h"
#include "proc.h"

/* Resident pages of this process. */
static long
resident(void)
{
	FILE	*f;
	long	 size, res = -1;

	if ((f = fopen("/proc/self/statm", "r")) == NULL)
		return -1;
	if (fscanf(f, "%ld %ld", &size, &res) != 2)
		res = -1;
	fclose(f);
	return res;
}

/* Runs proc_child_init() in a child; its exit status, 0 if it returned. */
static int
child_init(char **argv)
{
	pid_t	 pid;
	int	 argc, debug, verbose, st;

	for (argc = 0; argv[argc] != NULL; argc++)
		;
	fflush(stdout);
	if ((pid = fork()) == 0) {
		if (freopen("/dev/null", "w", stderr) == NULL)
			_exit(8);
		proc_child_init(argc, argv, PROC_KEYPROC, &debug, &verbose);
		_exit(debug == 1 && verbose == 2 ? 0 : 7);
	}
	if (pid == -1 || waitpid(pid, &st, 0) == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

int
main(void)
{
	const char	*tag = proc_tag();
	char		 badtag[64];
	char		*good[] = { "keyproc", "-P", "keyproc", "-V", NULL, "-d",
			    "-v", "-v", NULL };
	char		*notag[] = { "keyproc", "-P", "keyproc", "-d", "-vv",
			    NULL };
	char		*bad[] = { "keyproc", "-P", "keyproc", "-V", badtag,
			    "-d", "-vv", NULL };
	char		*other[] = { "keyproc", "-P", "netproc", "-d", "-vv",
			    NULL };
	char		*extra[] = { "keyproc", "-P", "keyproc", "-d", "-vv",
			    "stray", NULL };
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen;
	const unsigned char abc[] = { 0xba, 0x78, 0x16, 0xbf };
	long		 before, after;
	size_t		 n, i;

	n = strlen(ACMED_VERSION);
	CHECK(strncmp(tag, ACMED_VERSION "-", n + 1) == 0 &&
	    strlen(tag) == n + 9, "tag \"%s\": version and 8 hex digits", tag);
	for (i = n + 1; i < strlen(tag); i++)
		if (!isxdigit((unsigned char)tag[i]))
			break;
	CHECK(i == strlen(tag), "tag ends in hex digits");

	good[4] = (char *)tag;
	snprintf(badtag, sizeof(badtag), "%s0", tag);
	CHECK(child_init(good) == 0, "child command line with this build's "
	    "tag accepted (-d, -v twice)");
	CHECK(child_init(notag) == 0, "child command line without a tag "
	    "accepted");
	CHECK(child_init(bad) == 1, "another build's tag refused");
	CHECK(child_init(other) == 1, "the name of another process refused");
	CHECK(child_init(extra) == 1, "a stray argument refused");

	/* Touch libcrypto, then give its pages back and use it again. */
	CHECK(EVP_Digest("abc", 3, md, &mdlen, EVP_sha256(), NULL) == 1,
	    "SHA-256 before the trim");
	before = resident();
	n = proc_trim();
	after = resident();
	CHECK(n > 0, "proc_trim gave back %zu kB of address space",
	    n / 1024);
	CHECK(before > 0 && after > 0 && after < before,
	    "resident pages %ld -> %ld", before, after);
	CHECK(EVP_Digest("abc", 3, md, &mdlen, EVP_sha256(), NULL) == 1 &&
	    mdlen == 32 && memcmp(md, abc, sizeof(abc)) == 0,
	    "SHA-256 of \"abc\" still right after the trim");
	return test_done();
}
