/* ptrace_plan: the register set and memory bytes that make a stopped
 * tracee call execve(path, argv, envp) (pure; x86_64 and aarch64).
 *
 * The registers are the kernel's NT_PRSTATUS layout of the architecture
 * (x86_64: struct user_regs_struct, 27 words; aarch64: struct user_pt_regs,
 * 34 words), so the plan can be built and tested for either architecture
 * on any host. The doer (ptrace_exec.c) reads the registers and a few code
 * bytes, asks for a plan, writes it, and on failure puts `restore` back. */
#ifndef LIFEBOAT_RESCUE_PTRACE_PLAN_H
#define LIFEBOAT_RESCUE_PTRACE_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ptp_arch { PTP_X86_64, PTP_AARCH64 };

#define PTP_NREGS 34
#define PTP_X86_NREGS 27
#define PTP_A64_NREGS 34
#define PTP_MEM_MAX 4096 /* the scratch bytes below the stack pointer */
#define PTP_REDZONE 128	 /* x86_64 ABI red zone, kept on aarch64 too */
#define PTP_MAX_ARGS 8

/* x86_64 struct user_regs_struct word indexes. */
enum {
	PTP_X86_R10 = 7,
	PTP_X86_RAX = 10,
	PTP_X86_RDX = 12,
	PTP_X86_RSI = 13,
	PTP_X86_RDI = 14,
	PTP_X86_ORIG_RAX = 15,
	PTP_X86_RIP = 16,
	PTP_X86_CS = 17,
	PTP_X86_RSP = 19,
};
/* aarch64 struct user_pt_regs: x0..x30, sp, pc, pstate. */
enum { PTP_A64_X0 = 0, PTP_A64_X8 = 8, PTP_A64_SP = 31, PTP_A64_PC = 32, PTP_A64_PSTATE = 33 };

#define PTP_X86_NR_EXECVE 59
#define PTP_A64_NR_EXECVE 221

struct ptp_regs {
	uint64_t v[PTP_NREGS];
};

/* What the doer observed: the registers at a syscall-entry stop (the
 * tracee is entering some syscall; the plan turns it into execve, and the
 * restore turns it back into the original syscall, run again). */
struct ptp_input {
	enum ptp_arch arch;
	struct ptp_regs entry;
	const char *path;
	const char *const *argv; /* NULL-terminated, at most PTP_MAX_ARGS */
	const char *const *envp; /* NULL-terminated, at most PTP_MAX_ARGS */
};

struct ptp_plan {
	/* At the entry stop: set `run` (and, on aarch64, the syscall number
	 * run_nr through NT_ARM_SYSTEM_CALL; on x86_64 it is orig_rax in
	 * `run`), then resume: the kernel runs execve instead. */
	struct ptp_regs run;
	int64_t run_nr;
	/* At the exit stop of a failed execve: set `restore` (and restore_nr,
	 * -1: no syscall in progress). The pc points back at the syscall
	 * instruction with the original number and arguments, so the tracee
	 * re-enters the syscall it was about to make. */
	struct ptp_regs restore;
	int64_t restore_nr;
	int64_t orig_nr; /* the syscall the tracee was entering */
	/* The scratch area: strings and the argv/envp arrays, written at
	 * mem_addr, below the stack pointer and its red zone. */
	uint64_t mem_addr;
	uint8_t mem[PTP_MEM_MAX];
	size_t mem_len;
};

/* The register layout size in bytes (for PTRACE_GETREGSET). */
size_t ptp_regs_size(enum ptp_arch a);
uint64_t ptp_pc(enum ptp_arch a, const struct ptp_regs *r);
uint64_t ptp_sp(enum ptp_arch a, const struct ptp_regs *r);
/* The syscall return value at a syscall-exit stop. */
int64_t ptp_retval(enum ptp_arch a, const struct ptp_regs *r);
/* The syscall number at an entry stop (x86_64: orig_rax; aarch64: x8). */
int64_t ptp_nr(enum ptp_arch a, const struct ptp_regs *r);

/* Builds the plan. Returns 0, or -EINVAL (bad input; *why says what),
 * -E2BIG (strings do not fit PTP_MEM_MAX), -ENOEXEC (a 32-bit tracee). */
int ptp_build(const struct ptp_input *in, struct ptp_plan *out, const char **why);

#endif
