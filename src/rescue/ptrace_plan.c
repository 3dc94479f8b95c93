/* ptrace_plan: turn a syscall-entry stop into execve(path, argv, envp) and
 * back (pure): the registers to set, the bytes to write below the stack
 * pointer, and the registers that restart the original syscall. */
#include "rescue/ptrace_plan.h"

#include <errno.h>
#include <string.h>

size_t ptp_regs_size(enum ptp_arch a)
{
	return (a == PTP_X86_64 ? PTP_X86_NREGS : PTP_A64_NREGS) * sizeof(uint64_t);
}

uint64_t ptp_pc(enum ptp_arch a, const struct ptp_regs *r)
{
	return a == PTP_X86_64 ? r->v[PTP_X86_RIP] : r->v[PTP_A64_PC];
}

uint64_t ptp_sp(enum ptp_arch a, const struct ptp_regs *r)
{
	return a == PTP_X86_64 ? r->v[PTP_X86_RSP] : r->v[PTP_A64_SP];
}

int64_t ptp_retval(enum ptp_arch a, const struct ptp_regs *r)
{
	return (int64_t)(a == PTP_X86_64 ? r->v[PTP_X86_RAX] : r->v[PTP_A64_X0]);
}

int64_t ptp_nr(enum ptp_arch a, const struct ptp_regs *r)
{
	return (int64_t)(a == PTP_X86_64 ? r->v[PTP_X86_ORIG_RAX] : r->v[PTP_A64_X8]);
}

/* Appends a NUL-terminated string to the scratch image; returns its offset
 * or -1 when it does not fit. */
static long put_str(struct ptp_plan *p, const char *s)
{
	size_t n = strlen(s) + 1;
	if (p->mem_len + n > PTP_MEM_MAX)
		return -1;
	memcpy(p->mem + p->mem_len, s, n);
	p->mem_len += n;
	return (long)(p->mem_len - n);
}

static void put_u64(uint8_t *at, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		at[i] = (uint8_t)(v >> (8 * i)); /* both architectures: little endian */
}

static size_t count(const char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

/* Lays out strings, then (8-aligned) argv[] and envp[] arrays. The final
 * address is chosen after the size is known, so the arrays hold offsets
 * first and are relocated by lay_fix(). */
static int lay_out(const struct ptp_input *in, struct ptp_plan *p, size_t *argv_off,
		   size_t *envp_off, long off[2][PTP_MAX_ARGS + 1], size_t n[2])
{
	long po = put_str(p, in->path);
	const char *const *vec[2] = {in->argv, in->envp};
	if (po != 0)
		return -E2BIG;
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < n[k]; i++)
			if ((off[k][i] = put_str(p, vec[k][i])) < 0)
				return -E2BIG;
	p->mem_len = (p->mem_len + 7) & ~(size_t)7;
	*argv_off = p->mem_len;
	*envp_off = *argv_off + (n[0] + 1) * 8;
	size_t end = *envp_off + (n[1] + 1) * 8;
	if (end > PTP_MEM_MAX)
		return -E2BIG;
	memset(p->mem + p->mem_len, 0, end - p->mem_len);
	p->mem_len = end;
	return 0;
}

static int check_input(const struct ptp_input *in, const char **why)
{
	if (in->arch != PTP_X86_64 && in->arch != PTP_AARCH64)
		return *why = "unknown architecture", -EINVAL;
	if (!in->path || in->path[0] != '/')
		return *why = "the path must be absolute", -EINVAL;
	if (!in->argv || !in->argv[0] || count(in->argv) > PTP_MAX_ARGS ||
	    count(in->envp) > PTP_MAX_ARGS)
		return *why = "argv needs 1..8 entries, envp at most 8", -EINVAL;
	/* A 32-bit tracee uses other syscall numbers and registers. */
	if (in->arch == PTP_X86_64 && in->entry.v[PTP_X86_CS] == 0x23)
		return *why = "PID 1 is a 32-bit (compat) process", -ENOEXEC;
	if (in->arch == PTP_AARCH64 && (in->entry.v[PTP_A64_PSTATE] & 0x10))
		return *why = "PID 1 is a 32-bit (AArch32) process", -ENOEXEC;
	if (ptp_nr(in->arch, &in->entry) < 0)
		return *why = "the tracee is not at a syscall entry", -EINVAL;
	return 0;
}

int ptp_build(const struct ptp_input *in, struct ptp_plan *p, const char **why)
{
	long off[2][PTP_MAX_ARGS + 1];
	size_t n[2], argv_off, envp_off;
	int rc;
	*why = "";
	memset(p, 0, sizeof *p);
	if ((rc = check_input(in, why)))
		return rc;
	n[0] = count(in->argv);
	n[1] = count(in->envp);
	if ((rc = lay_out(in, p, &argv_off, &envp_off, off, n))) {
		*why = "path, argv and envp do not fit the scratch area";
		return rc;
	}
	const enum ptp_arch a = in->arch;
	uint64_t sp = ptp_sp(a, &in->entry);
	if (sp < PTP_REDZONE + p->mem_len + 4096)
		return *why = "stack pointer too low for the scratch area", -EINVAL;
	/* Below the red zone, 16-aligned; the stack pointer itself stays. */
	p->mem_addr = (sp - PTP_REDZONE - p->mem_len) & ~(uint64_t)15;
	for (int k = 0; k < 2; k++) {
		size_t base = k ? envp_off : argv_off;
		for (size_t i = 0; i < n[k]; i++)
			put_u64(p->mem + base + i * 8, p->mem_addr + (uint64_t)off[k][i]);
	}
	p->orig_nr = ptp_nr(a, &in->entry);
	p->run = in->entry;
	p->restore = in->entry;
	uint64_t args[3] = {p->mem_addr, p->mem_addr + argv_off, p->mem_addr + envp_off};
	if (a == PTP_X86_64) {
		p->run.v[PTP_X86_ORIG_RAX] = PTP_X86_NR_EXECVE;
		p->run.v[PTP_X86_RDI] = args[0];
		p->run.v[PTP_X86_RSI] = args[1];
		p->run.v[PTP_X86_RDX] = args[2];
		p->run_nr = PTP_X86_NR_EXECVE;
		/* Back to the 2-byte syscall instruction with the number in rax;
		 * orig_rax -1 keeps the kernel's restart logic off it. */
		p->restore.v[PTP_X86_RIP] -= 2;
		p->restore.v[PTP_X86_RAX] = (uint64_t)p->orig_nr;
		p->restore.v[PTP_X86_ORIG_RAX] = UINT64_MAX;
	} else {
		p->run.v[PTP_A64_X0] = args[0];
		p->run.v[PTP_A64_X0 + 1] = args[1];
		p->run.v[PTP_A64_X0 + 2] = args[2];
		p->run_nr = PTP_A64_NR_EXECVE;
		/* x0..x8 at entry are the arguments and number; svc is 4 bytes. */
		p->restore.v[PTP_A64_PC] -= 4;
	}
	p->restore_nr = -1;
	return 0;
}
