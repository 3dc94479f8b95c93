#!/usr/bin/env bash
# t_takeover_ptrace.sh with tini-static as the container's PID 1 (running sleep),
# as in a docker container started with --init.
LB_PT_INIT=tini exec bash "$(dirname "$0")/t_takeover_ptrace.sh"
