/* takeover: the option table of `lifeboat takeover`, for the man page and
 * completion generators (takeover_main itself is in roles.h). */
#ifndef LIFEBOAT_RESCUE_TAKEOVER_H
#define LIFEBOAT_RESCUE_TAKEOVER_H

struct opts_cmd;
const struct opts_cmd *takeover_options(void);

#endif
