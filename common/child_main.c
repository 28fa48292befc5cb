/*
 * main() of a child program: built once per child, with CHILD_ID the
 * process and CHILD_MAIN its entry point, so each program links only the
 * code and the libraries of its own process.
 */
#include "proc.h"

int
main(int argc, char *argv[])
{
	int	 debug, verbose;

	proc_child_init(argc, argv, CHILD_ID, &debug, &verbose);
	return CHILD_MAIN(debug, verbose);
}
