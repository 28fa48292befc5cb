/*
 * Shared between the sandbox layers: the seccomp filter is built and
 * loaded in sandbox_seccomp.c, everything else in sandbox.c.
 */
#ifndef ACMED_SANDBOX_INT_H
#define ACMED_SANDBOX_INT_H

#include "sandbox.h"

int		 sandbox_seccomp(enum sandbox_profile, int);
int		 sandbox_seccomp_getdebug(void);
const char	*sandbox_syscall_name(long);

#endif
