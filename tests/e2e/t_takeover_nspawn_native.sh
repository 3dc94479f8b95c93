#!/usr/bin/env bash
# t_takeover_nspawn.sh with systemd's own re-exec (bind over systemd, daemon-reexec)
# instead of ptrace, inside systemd-nspawn.
LB_NSP_REEXEC=auto exec bash "$(dirname "$0")/t_takeover_nspawn.sh"
