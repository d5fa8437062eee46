/**
 * @file help.c
 * @brief `help`, `quit`, and the extended help texts of the commands that
 *        have one (xfsprogs libxcmd/help.c, libxcmd/quit.c and the *_help()
 *        functions of io/).
 *
 * The help texts are part of the output contract: `help seek` on iomap-io
 * prints what `help seek` prints on xfs_io 6.1, byte for byte (tabs
 * included; tests/unit/iocmd checks them against the real tool's output).
 * `help` alone lists the commands iomap-io has, in xfs_io's format; the
 * five reference-only commands say "(reference only, not in xfs_io)".
 */
#include <string.h>

#include "iocmd-internal.h"

const char iocmd_falloc_help[] =
	"\n"
	" modifies space associated with part of a file via fallocate\n"
	" Example:\n"
	" 'falloc 0 1m' - fills all holes within the first megabyte\n"
	"\n"
	" falloc uses the fallocate system call to alter space allocations in the\n"
	" open file.  The following operations are supported:\n"
	" All the file offsets are in units of bytes.\n"
	" -c -- collapses the given range.\n"
	" -i -- inserts a hole into the given range of the file.\n"
	" -k -- do not change file size.\n"
	" -p -- unmap the given range from the file.\n"
	" -u -- unshare shared extents in the given range.\n"
	"\n";

const char iocmd_sync_range_help[] =
	"\n"
	" Trigger specific writeback commands on a range of the current file\n"
	"\n"
	" With no options, the SYNC_FILE_RANGE_WRITE is implied.\n"
	" -a -- wait for IO to finish after writing (SYNC_FILE_RANGE_WAIT_AFTER).\n"
	" -b -- wait for IO to finish before writing (SYNC_FILE_RANGE_WAIT_BEFORE).\n"
	" -w -- write dirty data in range (SYNC_FILE_RANGE_WRITE).\n"
	"\n";

const char iocmd_seek_help[] =
	"\n"
	" returns the next hole and/or data offset at or after the requested offset\n"
	"\n"
	" Example:\n"
	" 'seek -d 512'\t\t- offset of data at or following offset 512\n"
	" 'seek -a -r 0'\t- offsets of all data and hole in entire file\n"
	"\n"
	" Returns the offset of the next data and/or hole. There is an implied hole\n"
	" at the end of file. If the specified offset is past end of file, or there\n"
	" is no data past the specified offset, EOF is returned.\n"
	" -a\t-- return the next data and hole starting at the specified offset.\n"
	" -d\t-- return the next data starting at the specified offset.\n"
	" -h\t-- return the next hole starting at the specified offset.\n"
	" -r\t-- return all remaining type(s) starting at the specified offset.\n"
	" -s\t-- also print the starting offset.\n"
	"\n";

const char iocmd_fiemap_help[] =
	"\n"
	" prints the block mapping for a file's data or attribute forks\n"
	" Example:\n"
	" 'fiemap -v' - tabular format verbose map\n"
	"\n"
	" fiemap prints the map of disk blocks used by the current file.\n"
	" The map lists each extent used by the file, as well as regions in the\n"
	" file that do not have any corresponding blocks (holes).\n"
	" By default, each line of the listing takes the following form:\n"
	"     extent: [startoffset..endoffset]: startblock..endblock\n"
	" Holes are marked by replacing the startblock..endblock with 'hole'.\n"
	" All the file offsets and disk blocks are in units of 512-byte blocks.\n"
	" -a -- prints the attribute fork map instead of the data fork.\n"
	" -l -- also displays the length of each extent in 512-byte blocks.\n"
	" -n -- query n extents.\n"
	" -v -- Verbose information\n"
	" offset is the starting offset to map, and is optional.  If offset is\n"
	" specified, mapping length may (optionally) be specified as well.\n";

const char iocmd_bmap_help[] =
	"\n"
	" prints the block mapping for an XFS file's data or attribute forks\n"
	" Example:\n"
	" 'bmap -vp' - tabular format verbose map, including unwritten extents\n"
	"\n"
	" bmap prints the map of disk blocks used by the current file.\n"
	" The map lists each extent used by the file, as well as regions in the\n"
	" file that do not have any corresponding blocks (holes).\n"
	" By default, each line of the listing takes the following form:\n"
	"     extent: [startoffset..endoffset]: startblock..endblock\n"
	" Holes are marked by replacing the startblock..endblock with 'hole'.\n"
	" All the file offsets and disk blocks are in units of 512-byte blocks.\n"
	" -a -- prints the attribute fork map instead of the data fork.\n"
	" -c -- prints the copy-on-write fork map instead of the data fork.\n"
	"       This works only if the kernel was compiled in debug mode.\n"
	" -e -- print delayed allocation extents.\n"
	" -l -- also displays the length of each extent in 512-byte blocks.\n"
	" -n -- query n extents.\n"
	" -p -- obtain all unwritten extents as well (w/ -v show which are unwritten.)\n"
	" -v -- Verbose information, specify ag info.  Show flags legend on 2nd -v\n"
	" Note: the bmap for non-regular files can be obtained provided the file\n"
	" was opened appropriately (in particular, must be opened read-only).\n"
	"\n";

const char iocmd_reflink_help[] =
	"\n"
	" Links a range of bytes (in block size increments) from a file into a range\n"
	" of bytes in the open file.  The two extent ranges need not contain identical\n"
	" data.\n"
	"\n"
	" Example:\n"
	" 'reflink some_file 0 4096 32768' - links 32768 bytes from some_file at\n"
	"                                    offset 0 to into the open file at\n"
	"                                    position 4096\n"
	" 'reflink some_file' - links all bytes from some_file into the open file\n"
	"                       at position 0\n"
	"\n"
	" Reflink a range of blocks from a given input file to the open file.  Both\n"
	" files share the same range of physical disk blocks; a write to the shared\n"
	" range of either file should result in the write landing in a new block and\n"
	" that range of the file being remapped (i.e. copy-on-write).  Both files\n"
	" must reside on the same filesystem.\n";

const char iocmd_open_help[] =
	"\n"
	" opens a new file in the requested mode\n"
	"\n"
	" Example:\n"
	" 'open -cd /tmp/data' - creates/opens data file read-write for direct IO\n"
	"\n"
	" Opens a file for subsequent use by all of the other xfs_io commands.\n"
	" With no arguments, open uses the stat command to show the current file.\n"
	" -a -- open with the O_APPEND flag (append-only mode)\n"
	" -d -- open with O_DIRECT (non-buffered IO, note alignment constraints)\n"
	" -f -- open with O_CREAT (create the file if it doesn't exist)\n"
	" -m -- permissions to use in case a new file is created (default 0600)\n"
	" -n -- open with O_NONBLOCK\n"
	" -r -- open with O_RDONLY, the default is O_RDWR\n"
	" -s -- open with O_SYNC\n"
	" -t -- open with O_TRUNC (truncate the file to zero length if it exists)\n"
	" -R -- mark the file as a realtime XFS file immediately after opening it\n"
	" -T -- open with O_TMPFILE (create a file not visible in the namespace)\n"
	" -P -- open with O_PATH (create an fd that is merely a location reference)\n"
	" -L -- open with O_NOFOLLOW (don't follow symlink)\n"
	" Note1: usually read/write direct IO requests must be blocksize aligned;\n"
	"        some kernels, however, allow sectorsize alignment for direct IO.\n"
	" Note2: the bmap for non-regular files can be obtained provided the file\n"
	"        was opened correctly (in particular, must be opened read-only).\n"
	"\n";

const char iocmd_pwrite_help[] =
	"\n"
	" writes a range of bytes (in block size increments) from the given offset\n"
	"\n"
	" Example:\n"
	" 'pwrite 512 20' - writes 20 bytes at 512 bytes into the open file\n"
	"\n"
	" Writes into a segment of the currently open file, using either a buffer\n"
	" filled with a set pattern (0xcdcdcdcd) or data read from an input file.\n"
	" The writes are performed in sequential blocks starting at offset, with the\n"
	" blocksize tunable using the -b option (default blocksize is 4096 bytes),\n"
	" unless a different write pattern is requested.\n"
	" -q   -- quiet mode, do not write anything to standard output.\n"
	" -S   -- use an alternate seed number for filling the write buffer\n"
	" -i   -- input file, source of data to write (used when writing forward)\n"
	" -d   -- open the input file for direct IO\n"
	" -s   -- skip a number of bytes at the start of the input file\n"
	" -w   -- call fdatasync(2) at the end (included in timing results)\n"
	" -W   -- call fsync(2) at the end (included in timing results)\n"
	" -B   -- write backwards through the range from offset (backwards N bytes)\n"
	" -F   -- write forwards through the range of bytes from offset (default)\n"
	" -O   -- perform pwrite call once and return (maybe partial) bytes written\n"
	" -R   -- write at random offsets in the specified range of bytes\n"
	" -Z N -- zeed the random number generator (used when writing randomly)\n"
	"         (heh, zorry, the -s/-S arguments were already in use in pwrite)\n"
	" -V N -- use vectored IO with N iovecs of blocksize each (pwritev)\n"
	" -N   -- Perform the pwritev2() with RWF_NOWAIT\n"
	" -D   -- Perform the pwritev2() with RWF_DSYNC\n"
	"\n";

const char iocmd_pread_help[] =
	"\n"
	" reads a range of bytes in a specified block size from the given offset\n"
	"\n"
	" Example:\n"
	" 'pread -v 512 20' - dumps 20 bytes read from 512 bytes into the file\n"
	"\n"
	" Reads a segment of the currently open file, optionally dumping it to the\n"
	" standard output stream (with -v option) for subsequent inspection.\n"
	" The reads are performed in sequential blocks starting at offset, with the\n"
	" blocksize tunable using the -b option (default blocksize is 4096 bytes),\n"
	" unless a different pattern is requested.\n"
	" -q   -- quiet mode, do not write anything to standard output.\n"
	" -B   -- read backwards through the range from offset (backwards N bytes)\n"
	" -F   -- read forwards through the range of bytes from offset (default)\n"
	" -v   -- be verbose, dump out buffers (used when reading forwards)\n"
	" -R   -- read at random offsets in the range of bytes\n"
	" -Z N -- zeed the random number generator (used when reading randomly)\n"
	"         (heh, zorry, the -s/-S arguments were already in use in pwrite)\n"
	" -V N -- use vectored IO with N iovecs of blocksize each (preadv)\n"
	"\n"
	" When in \"random\" mode, the number of read operations will equal the\n"
	" number required to do a complete forward/backward scan of the range.\n"
	" Note that the offset within the range is chosen at random each time\n"
	" (an offset may be read more than once when operating in this mode).\n"
	"\n";

const char iocmd_fibmap_help[] =
	"\n"
	" prints the device block that holds a file block, as the FIBMAP ioctl\n"
	" returns it (iomap_bmap).  Not an xfs_io command: iomap-io has it so that\n"
	" the reference can show FIBMAP.  Block numbers are in filesystem blocks;\n"
	" 0 means a hole, unwritten space, or a file FIBMAP must not describe.\n"
	"\n"
	" Example:\n"
	" 'fibmap 3' - the device block holding bytes [3 * bsize, 4 * bsize)\n"
	"\n";

const char iocmd_swapon_help[] =
	"\n"
	" activates the current file as a swap file the way swapon(2) does on an\n"
	" iomap filesystem (iomap_swapfile_activate) and prints the swap extent\n"
	" list it built, or the kernel's message for why the file was refused\n"
	" (holes, shared or uncommitted extents, ...).  Not an xfs_io command.\n"
	" While active, the file cannot be truncated or fallocated (ETXTBSY).\n"
	" 'swapoff' deactivates it.\n"
	"\n";

const char iocmd_aio_pwrite_help[] =
	"\n"
	" writes a range of bytes with asynchronous direct I/O, several requests in\n"
	" flight at once, as io_submit(2) or io_uring would.  Not an xfs_io command:\n"
	" iomap-io has it so that the reference can show iomap_dio_rw returning\n"
	" -EIOCBQUEUED and completing later.  The file must be open with -d.\n"
	"\n"
	" Example:\n"
	" 'aio_pwrite -n 4 -b 64k 0 1m' - 16 writes of 64 KiB, at most 4 in flight\n"
	"\n"
	" -b bs -- bytes per request (default: the filesystem block size)\n"
	" -n N  -- at most N requests in flight (default 1)\n"
	" -S    -- the byte to fill the buffers with (default 0xcd)\n"
	" -q    -- quiet mode, do not write anything to standard output\n"
	" -H    -- RWF_HIPRI: poll for completion (f_op->iopoll) instead of waiting\n"
	" -C    -- IOCB_DIO_CALLER_COMP: overwrites are finished by this command,\n"
	"          through iocb->dio_complete, not by the completion context\n"
	"\n";

const char iocmd_aio_pread_help[] =
	"\n"
	" reads a range of bytes with asynchronous direct I/O, several requests in\n"
	" flight at once, as io_submit(2) or io_uring would.  Not an xfs_io command.\n"
	" The file must be open with -d.  Use 'pread -v' to look at the data.\n"
	"\n"
	" Example:\n"
	" 'aio_pread -n 16 0 1m' - 256 reads of 4 KiB, at most 16 in flight\n"
	"\n"
	" -b bs -- bytes per request (default: the filesystem block size)\n"
	" -n N  -- at most N requests in flight (default 1)\n"
	" -q    -- quiet mode, do not write anything to standard output\n"
	" -H    -- RWF_HIPRI: poll for completion (f_op->iopoll) instead of waiting\n"
	" -C    -- IOCB_DIO_CALLER_COMP (direct reads complete inline anyway)\n"
	"\n";

/* help_oneline(): "NAME [ARGS ]-- ONELINE", NAME as typed. */
static void help_oneline(struct iocmd *ic, const char *name, const struct iocmd_cmd *ct)
{
	fprintf(ic->out, "%s ", name);
	if (ct->args)
		fprintf(ic->out, "%s ", ct->args);
	fprintf(ic->out, "-- %s\n", ct->oneline);
}

int iocmd_help_f(struct iocmd *ic, int argc, char **argv)
{
	const struct iocmd_cmd *ct;

	if (argc == 1) {
		for (size_t i = 0; i < iocmd_nr_cmds; i++)
			help_oneline(ic, iocmd_cmds[i].name, &iocmd_cmds[i]);
		fprintf(ic->out, "\nUse 'help commandname' for extended help.\n");
		return 0;
	}
	ct = iocmd_find_command(argv[1]);
	if (!ct) {
		fprintf(ic->out, "command %s not found\n", argv[1]);
		return 0;
	}
	help_oneline(ic, argv[1], ct);
	if (ct->help)
		fputs(ct->help, ic->out);
	return 0;
}

int iocmd_quit_f(struct iocmd *ic, int argc, char **argv)
{
	ic->quit = true;
	return 1;
}

const char iocmd_mmap_help[] =
	"\n"
	" maps a range within the current file into memory\n"
	"\n"
	" Example:\n"
	" 'mmap -rw 0 1m' - maps one megabyte from the start of the current file\n"
	"\n"
	" Memory maps a range of a file for subsequent use by other xfs_io commands.\n"
	" With no arguments, mmap shows the current mappings.  The current mapping\n"
	" can be set by using the single argument form (mapping number or address).\n"
	" If two arguments are specified (a range), a new mapping is created and the\n"
	" following options are available:\n"
	" -r -- map with PROT_READ protection\n"
	" -w -- map with PROT_WRITE protection\n"
	" -x -- map with PROT_EXEC protection\n"
	" -S -- map with MAP_SYNC and MAP_SHARED_VALIDATE flags\n"
	" -s <size> -- first do mmap(size)/munmap(size), try to reserve some free space\n"
	" If no protection mode is specified, all are used by default.\n"
	"\n";

const char iocmd_mread_help[] =
	"\n"
	" reads a range of bytes in the current memory mapping\n"
	"\n"
	" Example:\n"
	" 'mread -v 512 20' - dumps 20 bytes read from 512 bytes into the mapping\n"
	"\n"
	" Accesses a range of the current memory mapping, optionally dumping it to\n"
	" the standard output stream (with -v option) for subsequent inspection.\n"
	" -f -- verbose mode, dump bytes with offsets relative to start of file.\n"
	" -r -- reverse order; start accessing from the end of range, moving backward\n"
	" -v -- verbose mode, dump bytes with offsets relative to start of mapping.\n"
	" The accesses are performed sequentially from the start offset by default.\n"
	" Notes:\n"
	"   References to whole pages following the end of the backing file results\n"
	"   in delivery of the SIGBUS signal.  SIGBUS signals may also be delivered\n"
	"   on various filesystem conditions, including quota exceeded errors, and\n"
	"   for physical device errors (such as unreadable disk blocks).  No attempt\n"
	"   has been made to catch signals at this stage...\n"
	"\n";

const char iocmd_mwrite_help[] =
	"\n"
	" dirties a range of bytes in the current memory mapping\n"
	"\n"
	" Example:\n"
	" 'mwrite 512 20 - writes 20 bytes at 512 bytes into the current mapping.\n"
	"\n"
	" Stores a byte into memory for a range within a mapping.\n"
	" The default stored value is 'X', repeated to fill the range specified.\n"
	" -S -- use an alternate seed character\n"
	" -r -- reverse order; start storing from the end of range, moving backward\n"
	" The stores are performed sequentially from the start offset by default.\n"
	"\n";

const char iocmd_msync_help[] =
	"\n"
	" flushes a range of bytes in the current memory mapping\n"
	"\n"
	" Writes all modified copies of pages over the specified range (or entire\n"
	" mapping if no range specified) to their backing storage locations.  Also,\n"
	" optionally invalidates so that subsequent references to the pages will be\n"
	" obtained from their backing storage locations (instead of cached copies).\n"
	" -a -- perform asynchronous writes (MS_ASYNC)\n"
	" -i -- invalidate mapped pages (MS_INVALIDATE)\n"
	" -s -- perform synchronous writes (MS_SYNC)\n"
	"\n";
