#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "rescue/ptrace_plan.h"

static const char *const argv_ok[] = {"/run/lifeboat-rescue/lifeboat/lifeboat", "init", NULL};
static const char *const envp_ok[] = {"PATH=/bin", NULL};

static uint64_t get_u64(const struct ptp_plan *p, uint64_t addr)
{
	uint64_t v = 0;
	size_t off = (size_t)(addr - p->mem_addr);
	assert_true(addr >= p->mem_addr && off + 8 <= p->mem_len);
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p->mem[off + (size_t)i];
	return v;
}

static const char *str_at(const struct ptp_plan *p, uint64_t addr)
{
	assert_true(addr >= p->mem_addr && addr < p->mem_addr + p->mem_len);
	return (const char *)p->mem + (addr - p->mem_addr);
}

/* The scratch image decodes to path, argv and envp at the addresses the
 * registers name, lies below sp minus the red zone, and is 16-aligned. */
static void check_image(const struct ptp_plan *p, uint64_t sp, uint64_t a0, uint64_t a1,
			uint64_t a2)
{
	assert_int_equal(p->mem_addr % 16, 0);
	assert_true(p->mem_addr + p->mem_len <= sp - PTP_REDZONE);
	assert_string_equal(str_at(p, a0), argv_ok[0]);
	assert_string_equal(str_at(p, get_u64(p, a1)), argv_ok[0]);
	assert_string_equal(str_at(p, get_u64(p, a1 + 8)), "init");
	assert_int_equal(get_u64(p, a1 + 16), 0);
	assert_string_equal(str_at(p, get_u64(p, a2)), "PATH=/bin");
	assert_int_equal(get_u64(p, a2 + 8), 0);
}

static void test_x86_64(void **state)
{
	(void)state;
	struct ptp_input in = {
	    .arch = PTP_X86_64, .path = argv_ok[0], .argv = argv_ok, .envp = envp_ok};
	for (int i = 0; i < PTP_X86_NREGS; i++)
		in.entry.v[i] = 0x1000 + (uint64_t)i;
	/* Entering wait4 (61): rax is -ENOSYS at an entry stop. */
	in.entry.v[PTP_X86_ORIG_RAX] = 61;
	in.entry.v[PTP_X86_RAX] = (uint64_t)-ENOSYS;
	in.entry.v[PTP_X86_RIP] = 0x401236; /* after the syscall instruction */
	in.entry.v[PTP_X86_RSP] = 0x7ffff7ff1238;
	in.entry.v[PTP_X86_CS] = 0x33;
	in.entry.v[PTP_X86_RDI] = (uint64_t)-1;
	in.entry.v[PTP_X86_RSI] = 0x7ffff7ff1300;
	struct ptp_plan p;
	const char *why;
	assert_int_equal(ptp_build(&in, &p, &why), 0);
	assert_int_equal(p.orig_nr, 61);
	assert_int_equal(p.run_nr, 59);
	assert_int_equal(p.run.v[PTP_X86_ORIG_RAX], 59);
	check_image(&p, 0x7ffff7ff1238, p.run.v[PTP_X86_RDI], p.run.v[PTP_X86_RSI],
		    p.run.v[PTP_X86_RDX]);
	assert_int_equal(p.run.v[PTP_X86_RSP], 0x7ffff7ff1238); /* sp stays */
	assert_int_equal(p.run.v[PTP_X86_RIP], 0x401236);
	/* Every other register is the tracee's own. */
	for (int i = 0; i < PTP_X86_NREGS; i++)
		if (i != PTP_X86_ORIG_RAX && i != PTP_X86_RDI && i != PTP_X86_RSI &&
		    i != PTP_X86_RDX)
			assert_int_equal(p.run.v[i], in.entry.v[i]);
	/* Restore: back on the syscall instruction, wait4 in rax, arguments
	 * as they were, no syscall in progress. */
	assert_int_equal(p.restore.v[PTP_X86_RIP], 0x401234);
	assert_int_equal(p.restore.v[PTP_X86_RAX], 61);
	assert_int_equal(p.restore.v[PTP_X86_ORIG_RAX], UINT64_MAX);
	assert_int_equal(p.restore.v[PTP_X86_RDI], (uint64_t)-1);
	assert_int_equal(p.restore.v[PTP_X86_RSI], 0x7ffff7ff1300);
	assert_int_equal(p.restore_nr, -1);
	assert_int_equal(ptp_regs_size(PTP_X86_64), 27 * 8);
	assert_int_equal(ptp_pc(PTP_X86_64, &in.entry), 0x401236);
}

static void test_aarch64(void **state)
{
	(void)state;
	struct ptp_input in = {
	    .arch = PTP_AARCH64, .path = argv_ok[0], .argv = argv_ok, .envp = envp_ok};
	for (int i = 0; i < PTP_A64_NREGS; i++)
		in.entry.v[i] = 0x2000 + (uint64_t)i;
	in.entry.v[PTP_A64_X8] = 260; /* wait4 */
	in.entry.v[PTP_A64_X0] = (uint64_t)-1;
	in.entry.v[PTP_A64_PC] = 0x400104;
	in.entry.v[PTP_A64_SP] = 0xfffffffff008; /* only 8-aligned: result must be 16 */
	in.entry.v[PTP_A64_PSTATE] = 0x60000000;
	struct ptp_plan p;
	const char *why;
	assert_int_equal(ptp_build(&in, &p, &why), 0);
	assert_int_equal(p.orig_nr, 260);
	assert_int_equal(p.run_nr, 221);
	check_image(&p, 0xfffffffff008, p.run.v[0], p.run.v[1], p.run.v[2]);
	assert_int_equal(p.run.v[PTP_A64_X8], 260); /* the number goes by regset */
	assert_int_equal(p.run.v[PTP_A64_PC], 0x400104);
	for (int i = 3; i < PTP_A64_NREGS; i++)
		assert_int_equal(p.run.v[i], in.entry.v[i]);
	assert_int_equal(p.restore.v[PTP_A64_PC], 0x400100); /* the svc */
	assert_int_equal(p.restore.v[PTP_A64_X0], (uint64_t)-1);
	assert_int_equal(p.restore.v[PTP_A64_X8], 260);
	assert_int_equal(p.restore_nr, -1);
	assert_int_equal(ptp_regs_size(PTP_AARCH64), 34 * 8);
	assert_int_equal(ptp_retval(PTP_AARCH64, &p.run), p.run.v[0]);
}

/* What t_takeover_ptrace_arm64 meets with `sleep` as PID 1: the interrupt
 * turns its nanosleep into restart_syscall (the kernel wrote x8 = 128 and
 * put the pc back on the svc before the entry stop, which is after that
 * svc again). Failed execve: back to that svc with x8 = 128, so the sleep
 * resumes from its restart block. */
static void test_aarch64_restart_syscall(void **state)
{
	(void)state;
	struct ptp_input in = {
	    .arch = PTP_AARCH64, .path = argv_ok[0], .argv = argv_ok, .envp = envp_ok};
	in.entry.v[PTP_A64_X8] = 128;		 /* restart_syscall */
	in.entry.v[PTP_A64_X0] = 0xffffd1e0aa10; /* nanosleep's first argument, restored */
	in.entry.v[PTP_A64_PC] = 0x4a3f28;
	in.entry.v[PTP_A64_SP] = 0xffffd1e0a9f0;
	struct ptp_plan p;
	const char *why;
	assert_int_equal(ptp_build(&in, &p, &why), 0);
	assert_int_equal(p.orig_nr, 128);
	assert_int_equal(p.run_nr, 221);
	check_image(&p, 0xffffd1e0a9f0, p.run.v[0], p.run.v[1], p.run.v[2]);
	assert_int_equal(p.restore.v[PTP_A64_PC], 0x4a3f24);
	assert_int_equal(p.restore.v[PTP_A64_X8], 128);
	assert_int_equal(p.restore.v[PTP_A64_X0], 0xffffd1e0aa10);
	assert_int_equal(p.restore_nr, -1);
}

/* Malformed inputs: refused with a reason, never a partial plan used. */
static void test_refusals(void **state)
{
	(void)state;
	static const char *const many[] = {"a", "b", "c", "d", "e", "f", "g", "h", "i", NULL};
	static const char *const none[] = {NULL};
	static char big[5000];
	memset(big, 'x', sizeof big - 1);
	big[0] = '/';
	static const char *const bigv[] = {big, NULL};
	const struct {
		enum ptp_arch arch;
		const char *path;
		const char *const *argv;
		uint64_t nr, sp, mode; /* mode: cs (x86) / pstate (a64) */
		int rc;
	} v[] = {
	    {PTP_X86_64, "/x", argv_ok, 61, 0x7fff0000, 0x33, 0},
	    {PTP_X86_64, "rel/x", argv_ok, 61, 0x7fff0000, 0x33, -EINVAL},
	    {PTP_X86_64, NULL, argv_ok, 61, 0x7fff0000, 0x33, -EINVAL},
	    {PTP_X86_64, "/x", none, 61, 0x7fff0000, 0x33, -EINVAL},
	    {PTP_X86_64, "/x", NULL, 61, 0x7fff0000, 0x33, -EINVAL},
	    {PTP_X86_64, "/x", many, 61, 0x7fff0000, 0x33, -EINVAL},
	    {PTP_X86_64, "/x", argv_ok, 61, 0x7fff0000, 0x23, -ENOEXEC},
	    {PTP_X86_64, "/x", argv_ok, (uint64_t)-1, 0x7fff0000, 0x33, -EINVAL},
	    {PTP_X86_64, "/x", argv_ok, 61, 0x100, 0x33, -EINVAL},
	    {PTP_X86_64, big, bigv, 61, 0x7fff0000, 0x33, -E2BIG},
	    {PTP_AARCH64, "/x", argv_ok, 260, 0x7fff0000, 0x10, -ENOEXEC},
	    {PTP_AARCH64, "/x", argv_ok, 260, 0x7fff0000, 0, 0},
	    {(enum ptp_arch)7, "/x", argv_ok, 260, 0x7fff0000, 0, -EINVAL},
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		struct ptp_input in = {.arch = v[i].arch, .path = v[i].path, .argv = v[i].argv};
		struct ptp_plan p;
		const char *why = NULL;
		if (v[i].arch == PTP_X86_64) {
			in.entry.v[PTP_X86_ORIG_RAX] = v[i].nr;
			in.entry.v[PTP_X86_RSP] = v[i].sp;
			in.entry.v[PTP_X86_CS] = v[i].mode;
		} else {
			in.entry.v[PTP_A64_X8] = v[i].nr;
			in.entry.v[PTP_A64_SP] = v[i].sp;
			in.entry.v[PTP_A64_PSTATE] = v[i].mode;
		}
		int rc = ptp_build(&in, &p, &why);
		if (rc != v[i].rc)
			fail_msg("vector %zu: rc %d, want %d (%s)", i, rc, v[i].rc, why);
		assert_non_null(why);
		if (rc)
			assert_true(why[0] != 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_x86_64),
	    cmocka_unit_test(test_aarch64),
	    cmocka_unit_test(test_aarch64_restart_syscall),
	    cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
