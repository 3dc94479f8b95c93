/* ptrace_exec: make a running process (PID 1) call execve(path, argv,
 * envp) itself, with ptrace (x86_64 and aarch64; the plan is ptrace_plan).
 *
 * Seize, interrupt, let it run to its next syscall entry, save registers
 * and the scratch bytes, write path/argv/envp below its stack pointer,
 * turn the syscall into execve and resume until PTRACE_EVENT_EXEC (done)
 * or the syscall's exit (failed). Every failure after the seize puts the
 * registers and bytes back (the original syscall then runs, or runs
 * again), detaches, and re-sends signals that arrived meanwhile. */
#ifndef LIFEBOAT_RESCUE_PTRACE_EXEC_H
#define LIFEBOAT_RESCUE_PTRACE_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Test-only fault injection: fail right after that step as its real
 * failure would (PTX_FAULT_EXEC: execve of a path that does not exist). */
enum ptx_fault {
	PTX_FAULT_NONE,
	PTX_FAULT_ATTACH,  /* PTRACE_SEIZE refused (EPERM) */
	PTX_FAULT_STOP,	   /* after the syscall-entry stop was reached */
	PTX_FAULT_REGS,	   /* after the registers were read */
	PTX_FAULT_MEM,	   /* after the scratch bytes were written */
	PTX_FAULT_SETREGS, /* after the execve registers were set */
	PTX_FAULT_EXEC,	   /* the execve itself fails (ENOENT) */
};

struct ptx_report {
	const char *step; /* the step that failed: attach stop regs plan mem setregs exec */
	char detail[200]; /* what happened, for the log */
	bool restored;	  /* registers/memory had changed and were put back */
	int signals;	  /* signals that arrived meanwhile and were re-sent */
	long entry_nr;	  /* the syscall PID 1 was entering when stopped, or -1 */
};

/* Returns 0 when pid has executed path (it is detached), else -errno with
 * *rep saying where and what; the process then runs as before. timeout_ms
 * bounds the wait for each stop. */
int ptx_exec(pid_t pid, const char *path, const char *const *argv, const char *const *envp,
	     enum ptx_fault fault, unsigned timeout_ms, struct ptx_report *rep);

/* Preflight: PTRACE_SEIZE then PTRACE_DETACH, which neither stops nor
 * changes the process (in a child, which exits). 0 or -errno (EPERM: Yama, capabilities, an LSM or
 * seccomp said no; ENOSYS: architecture not supported). */
int ptx_probe(pid_t pid);

#endif
