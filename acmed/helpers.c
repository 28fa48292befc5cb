/*
 * Where the parent finds the child programs: compiled twice, once for the
 * build tree and once for the installed layout.
 */
#include "parent_state.h"

const char *const helper_dir = ACMED_HELPER_DIR;
