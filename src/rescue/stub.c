/* Temporary: the rescue roles are being written (src/rescue/). */
#include <stdio.h>
#include "roles.h"
static int not_yet(const char *what)
{
	fprintf(stderr, "lifeboat %s: not built yet\n", what);
	return 1;
}
int takeover_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return not_yet("takeover");
}
int init_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return not_yet("init");
}
int confirm_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return not_yet("confirm");
}
int return_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return not_yet("return");
}
