/* The commands of the multi-call binary. Each returns the process exit
 * status. argv[0] is the command name ("serve", "takeover", ...). */
#ifndef LIFEBOAT_ROLES_H
#define LIFEBOAT_ROLES_H

int serve_main(int argc, char **argv);
int takeover_main(int argc, char **argv);
int init_main(int argc, char **argv);
int confirm_main(int argc, char **argv);
int return_main(int argc, char **argv);
int probe_main(int argc, char **argv);
int mkrescue_main(int argc, char **argv);
/* Ask PID 1 to reboot / power off (SIGTERM, SIGUSR2: busybox init's signals). */
int reboot_main(int argc, char **argv);
int poweroff_main(int argc, char **argv);
int status_main(int argc, char **argv);

#endif
