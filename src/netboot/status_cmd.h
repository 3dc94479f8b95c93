/* status_cmd: `lifeboat status` (status_main in roles.h); its option
 * table, for the tests and the man page/completion generators. */
#ifndef LIFEBOAT_NETBOOT_STATUS_CMD_H
#define LIFEBOAT_NETBOOT_STATUS_CMD_H

struct opts_cmd;
const struct opts_cmd *status_options(void);

#endif
