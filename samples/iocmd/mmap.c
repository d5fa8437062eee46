/**
 * @file mmap.c
 * @brief `mmap`, `mread`, `mwrite`, `msync`, `munmap` (xfsprogs io/mmap.c)
 *        over the modelled shared mappings of core/kernel/mmap.c.
 *
 * As in xfs_io, the context keeps a table of mappings and a current one:
 * `mmap OFF LEN` adds a mapping of the current file and makes it current,
 * `mmap` lists the table ("[NNN]" marks the current entry), `mmap N`
 * selects entry N, `munmap` removes the current one.  mread, mwrite and
 * msync work on the current mapping; with no mapping the command loop
 * answers "no mapped regions, try 'help mmap'" (IOCMD_NEEDMAP).
 *
 * Addresses: there is no address space, so each mapping gets a made-up
 * address, handed out downwards from 0x7f0000000000 as Linux's top-down
 * mmap does; only the listing and the "not page aligned" message show it.
 *
 * Loads and stores go byte by byte in xfs_io's order (forwards, or
 * backwards with -r) through vma_read()/vma_write(), so page faults, and
 * the ->page_mkwrite events they cause, come in the order the real tool
 * causes them.  An access the kernel would answer with a signal (past
 * EOF: SIGBUS; outside the mapping or against its protection: SIGSEGV)
 * kills xfs_io; here it prints the shell's message, sets the exit status
 * the shell would report (128 + signal) and stops the command loop.
 *
 * The checks of the range against the mapping are xfs_io 6.1's
 * check_mapping_range(), including its quirk of comparing the end of the
 * range relative to the mapping with the end of the mapping in the file.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <iomap/mm.h>

#include "iocmd-internal.h"


static struct iocmd_map *cur_map(struct iocmd *ic)
{
	return ic->cur_map >= 0 ? &ic->maps[ic->cur_map] : NULL;
}

/* print_mapping() */
static void print_mapping(struct iocmd *ic, const struct iocmd_map *map, int index, bool braces)
{
	char buffer[8] = { 0 };

	buffer[0] = (map->prot & PROT_READ) ? 'r' : '-';
	buffer[1] = (map->prot & PROT_WRITE) ? 'w' : '-';
	buffer[2] = (map->prot & PROT_EXEC) ? 'x' : '-';
	fprintf(ic->out, "%c%03d%c 0x%llx - 0x%llx %s  %14s (%lld : %ld)\n", braces ? '[' : ' ',
		index, braces ? ']' : ' ', (unsigned long long)map->addr,
		(unsigned long long)(map->addr + map->length), buffer, map->name,
		(long long)map->offset, (long)map->length);
}

/* maplist_f() */
static int maplist(struct iocmd *ic)
{
	for (int i = 0; i < ic->nr_maps; i++)
		print_mapping(ic, &ic->maps[i], i, i == ic->cur_map);
	return 0;
}

/*
 * check_mapping_range(): NULL-equivalent false with xfs_io's message, or
 * true.  @pagealign: msync needs a page-aligned start address.
 */
static bool check_mapping_range(struct iocmd *ic, long long offset, long long length,
				bool pagealign)
{
	struct iocmd_map *map = cur_map(ic);
	long long relative;

	if (offset < map->offset) {
		fprintf(ic->out, "offset (%lld) is before start of mapping (%lld)\n", offset,
			(long long)map->offset);
		goto fail;
	}
	relative = offset - map->offset;
	if (relative > (long long)map->length) {
		fprintf(ic->out, "offset (%lld) is beyond end of mapping (%lld)\n", relative,
			(long long)map->offset);
		goto fail;
	}
	if (relative + length > map->offset + (long long)map->length) {
		fprintf(ic->out, "range (%lld:%lld) is beyond mapping (%lld:%ld)\n", offset,
			relative, (long long)map->offset, (long)map->length);
		goto fail;
	}
	if (pagealign && ((map->addr + (unsigned long long)relative) & (PAGE_SIZE - 1))) {
		fprintf(ic->out, "offset address (0x%llx) is not page aligned\n",
			map->addr + (unsigned long long)relative);
		goto fail;
	}
	return true;
fail:
	iocmd_note(ic, -EINVAL);
	ic->exitcode = 1;
	return false;
}

/* The process dies of a signal: what the shell prints, and its status. */
static int fault_kill(struct iocmd *ic, vm_fault_t ret)
{
	int sig = (ret & VM_FAULT_SIGSEGV) ? SIGSEGV : SIGBUS;

	fprintf(ic->err, "%s\n", sig == SIGSEGV ? "Segmentation fault" : "Bus error");
	iocmd_note(ic, -EFAULT);
	ic->exitcode = 128 + sig;
	return 1;
}

/*
 * The optional "off len" of mread, mwrite and msync: the whole mapping
 * when absent.  Returns false after printing xfs_io's message (or usage).
 * @usage_fails: whether a wrong operand count sets the exit code (it does
 * for mwrite and msync in xfs_io 6.1, not for mread: measured).
 */
static bool parse_range(struct iocmd *ic, int argc, char **argv, int optind, long long *offset,
			long long *length, bool usage_fails)
{
	size_t blocksize, sectsize;

	if (optind == argc) {
		*offset = cur_map(ic)->offset;
		*length = (long long)cur_map(ic)->length;
		return true;
	}
	if (optind != argc - 2) {
		if (usage_fails)
			ic->exitcode = 1;
		iocmd_usage(ic);
		return false;
	}
	iocmd_init_cvtnum(ic, &blocksize, &sectsize);
	*offset = iocmd_cvtnum(blocksize, sectsize, argv[optind]);
	if (*offset < 0) {
		fprintf(ic->out, "non-numeric offset argument -- %s\n", argv[optind]);
		goto fail;
	}
	*length = iocmd_cvtnum(blocksize, sectsize, argv[optind + 1]);
	if (*length < 0) {
		fprintf(ic->out, "non-numeric length argument -- %s\n", argv[optind + 1]);
		goto fail;
	}
	return true;
fail:
	iocmd_note(ic, -EINVAL);
	ic->exitcode = 1;
	return false;
}

/* mapset_f() */
static int mapset(struct iocmd *ic, const char *arg)
{
	int i = atoi(arg);

	if (i < 0 || i >= ic->nr_maps) {
		fprintf(ic->out, "value %d is out of range (0-%d)\n", i, ic->nr_maps);
		iocmd_note(ic, -EINVAL);
		ic->exitcode = 1;
		return 0;
	}
	ic->cur_map = i;
	return maplist(ic);
}

int iocmd_mmap_f(struct iocmd *ic, int argc, char **argv)
{
	struct iocmd_getopt g = IOCMD_GETOPT_INIT;
	size_t blocksize, sectsize;
	long long offset, length;
	struct iocmd_map *maps;
	struct vm_area *vma;
	int c, prot = 0, ret;
	bool map_sync = false;

	if (argc <= 2) {
		if (ic->cur_map >= 0)
			return argc == 1 ? maplist(ic) : mapset(ic, argv[1]);
		fprintf(ic->err, ic->nr_files ? "no mapped regions, try 'help mmap'\n"
					      : "no files are open, try 'help open'\n");
		iocmd_note(ic, -EINVAL);
		ic->exitcode = 1;
		return 0;
	}
	if (!ic->nr_files) {
		fprintf(ic->err, "no files are open, try 'help open'\n");
		iocmd_note(ic, -EBADF);
		ic->exitcode = 1;
		return 0;
	}
	iocmd_init_cvtnum(ic, &blocksize, &sectsize);
	while ((c = iocmd_getopt(&g, argc, argv, "rwxSs:", ic->err)) != -1) {
		switch (c) {
		case 'r':
			prot |= PROT_READ;
			break;
		case 'w':
			prot |= PROT_WRITE;
			break;
		case 'x':
			prot |= PROT_EXEC;
			break;
		case 'S':
			map_sync = true;
			break;
		case 's':
			/* Reserves address space for mremap: nothing to do here. */
			(void)iocmd_cvtnum(blocksize, sectsize, g.optarg);
			break;
		default:
			ic->exitcode = 1;
			return iocmd_usage(ic);
		}
	}
	if (!prot)
		prot = PROT_READ | PROT_WRITE | PROT_EXEC;
	if (g.optind != argc - 2) {
		ic->exitcode = 1;
		return iocmd_usage(ic);
	}
	offset = iocmd_cvtnum(blocksize, sectsize, argv[g.optind]);
	if (offset < 0) {
		fprintf(ic->out, "non-numeric offset argument -- %s\n", argv[g.optind]);
		goto bad;
	}
	length = iocmd_cvtnum(blocksize, sectsize, argv[g.optind + 1]);
	if (length < 0) {
		fprintf(ic->out, "non-numeric length argument -- %s\n", argv[g.optind + 1]);
		goto bad;
	}
	/* MAP_SYNC | MAP_SHARED_VALIDATE needs DAX, which extentfs lacks. */
	ret = map_sync ? -EOPNOTSUPP
		       : vma_mmap(iocmd_cur(ic)->file, offset, (size_t)length, prot, &vma);
	if (ret < 0) {
		iocmd_perror(ic, "mmap", ret);
		ic->exitcode = 1;
		return 0;
	}
	maps = realloc(ic->maps, (size_t)(ic->nr_maps + 1) * sizeof(*maps));
	if (!maps) {
		vma_munmap(vma);
		iocmd_perror(ic, "realloc", -ENOMEM);
		return 0;
	}
	ic->maps = maps;
	ic->next_addr -= ((unsigned long long)length + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1ull);
	maps[ic->nr_maps] = (struct iocmd_map){
		.vma = vma,
		.name = strdup(iocmd_cur(ic)->name),
		.addr = ic->next_addr,
		.offset = offset,
		.length = (size_t)length,
		.prot = prot,
	};
	ic->cur_map = ic->nr_maps++;
	return 0;
bad:
	iocmd_note(ic, -EINVAL);
	ic->exitcode = 1;
	return 0;
}

/*
 * mread: the bytes go through a page-sized buffer that is dumped each
 * time it fills (the first dump holds length % pagesize bytes), exactly
 * as xfs_io's loop does, quirks included.
 */
int iocmd_mread_f(struct iocmd *ic, int argc, char **argv)
{
	struct iocmd_getopt g = IOCMD_GETOPT_INIT;
	long long offset, length, printoffset, dumpoffset;
	size_t dumplen, cnt = 0;
	int c, dump = 0;
	bool rflag = false;
	struct iocmd_map *map = cur_map(ic);
	char *bp;

	while ((c = iocmd_getopt(&g, argc, argv, "frv", ic->err)) != -1) {
		switch (c) {
		case 'f':
			dump = 2;
			break;
		case 'r':
			rflag = true;
			break;
		case 'v':
			dump = 1;
			break;
		default:
			ic->exitcode = 1;
			return iocmd_usage(ic);
		}
	}
	if (!parse_range(ic, argc, argv, g.optind, &offset, &length, false))
		return 0;
	if (!check_mapping_range(ic, offset, length, false))
		return 0;
	dumpoffset = offset - map->offset;
	printoffset = dump == 2 ? offset : dumpoffset;
	if (iocmd_iobuf_alloc(ic, PAGE_SIZE, false, 0) < 0)
		return 0;
	bp = ic->iobuf.buffer;
	dumplen = (size_t)(length % (long long)PAGE_SIZE);
	if (!dumplen)
		dumplen = PAGE_SIZE;
	for (long long i = 0; i < length; i++) {
		long long tmp = rflag ? length - 1 - i : i;
		vm_fault_t ret = vma_read(map->vma, map->offset + dumpoffset + tmp, bp, 1);

		if (ret)
			return fault_kill(ic, ret);
		cnt++;
		if (i > 0 && cnt == dumplen) {
			if (dump && rflag) {
				iocmd_dump_buffer(ic, printoffset, (long long)dumplen);
				printoffset += (long long)dumplen;
			} else if (dump) {
				iocmd_dump_buffer(ic, printoffset + tmp - ((long long)dumplen - 1),
						  (long long)dumplen);
			}
			bp = ic->iobuf.buffer;
			dumplen = PAGE_SIZE;
			cnt = 0;
		} else {
			bp++;
		}
	}
	return 0;
}

int iocmd_mwrite_f(struct iocmd *ic, int argc, char **argv)
{
	struct iocmd_getopt g = IOCMD_GETOPT_INIT;
	struct iocmd_map *map = cur_map(ic);
	long long offset, length;
	bool rflag = false;
	int c, seed = 'X';
	char byte;
	char *sp;

	while ((c = iocmd_getopt(&g, argc, argv, "rS:", ic->err)) != -1) {
		switch (c) {
		case 'r':
			rflag = true;
			break;
		case 'S':
			seed = (int)strtol(g.optarg, &sp, 0);
			if (!sp || sp == g.optarg) {
				fprintf(ic->out, "non-numeric seed -- %s\n", g.optarg);
				iocmd_note(ic, -EINVAL);
				return 0;
			}
			break;
		default:
			ic->exitcode = 1;
			return iocmd_usage(ic);
		}
	}
	if (!parse_range(ic, argc, argv, g.optind, &offset, &length, true))
		return 0;
	if (!check_mapping_range(ic, offset, length, false))
		return 0;
	byte = (char)seed;
	for (long long i = 0; i < length; i++) {
		long long pos = rflag ? offset + length - 1 - i : offset + i;
		vm_fault_t ret = vma_write(map->vma, pos, &byte, 1);

		if (ret)
			return fault_kill(ic, ret);
	}
	return 0;
}

int iocmd_msync_f(struct iocmd *ic, int argc, char **argv)
{
	struct iocmd_getopt g = IOCMD_GETOPT_INIT;
	long long offset, length;
	int c, flags = 0, ret;

	while ((c = iocmd_getopt(&g, argc, argv, "ais", ic->err)) != -1) {
		switch (c) {
		case 'a':
			flags |= MS_ASYNC;
			break;
		case 'i':
			flags |= MS_INVALIDATE;
			break;
		case 's':
			flags |= MS_SYNC;
			break;
		default:
			ic->exitcode = 1;
			return iocmd_usage(ic);
		}
	}
	if (!parse_range(ic, argc, argv, g.optind, &offset, &length, true))
		return 0;
	if (!check_mapping_range(ic, offset, length, true))
		return 0;
	/*
	 * Without -s, xfs_io passes MS_ASYNC or 0, and Linux then writes
	 * nothing back (msync(2) syncs only with MS_SYNC): in scenario 07 the
	 * writeback events come from the later `fsync`, not from `msync`.
	 */
	ret = vma_msync(cur_map(ic)->vma, offset, (size_t)length, flags);
	if (ret < 0) {
		iocmd_perror(ic, "msync", ret);
		ic->exitcode = 1;
	}
	return 0;
}

int iocmd_munmap_f(struct iocmd *ic, int argc, char **argv)
{
	int i = ic->cur_map;

	vma_munmap(ic->maps[i].vma);
	free(ic->maps[i].name);
	memmove(&ic->maps[i], &ic->maps[i + 1], (size_t)(ic->nr_maps - i - 1) * sizeof(*ic->maps));
	if (--ic->nr_maps) {
		if (i == ic->nr_maps)
			i--;
		ic->cur_map = i;
	} else {
		free(ic->maps);
		ic->maps = NULL;
		ic->cur_map = -1;
	}
	return maplist(ic);
}

void iocmd_munmap_all(struct iocmd *ic)
{
	for (int i = 0; i < ic->nr_maps; i++) {
		vma_munmap(ic->maps[i].vma);
		free(ic->maps[i].name);
	}
	free(ic->maps);
	ic->maps = NULL;
	ic->nr_maps = 0;
	ic->cur_map = -1;
}
