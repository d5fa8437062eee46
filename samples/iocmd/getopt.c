/**
 * @file getopt.c
 * @brief GNU getopt(3), reentrant: the option parser every xfs_io command
 *        uses, including its argument permutation.
 *
 * xfs_io parses each command's words with glibc's getopt(), which by
 * default *permutes*: it skips operands, keeps looking for options after
 * them, and finally moves the operands to the end.  That is visible to a
 * user: `falloc 0 -1` is read as option '1' (invalid) plus operand "0",
 * and prints glibc's "falloc: invalid option -- '1'".  A shell that
 * compares byte for byte with xfs_io has to behave the same, so this file
 * implements that algorithm, but with its state in a struct instead of
 * glibc's globals (the library may serve several contexts).
 *
 * How the permutation works (the same bookkeeping as glibc):
 *
 *     argv:  cmd  0  -k  1m          first_nonopt..last_nonopt = skipped operands
 *                 ^skip  ^option
 *     after: cmd  -k  0  1m          operands rotated behind the options
 *
 * When an option is found after skipped operands, the block of operands
 * [first_nonopt, last_nonopt) and the block of options just scanned
 * [last_nonopt, optind) are swapped.  "--" ends the scan; the operands after
 * it stay in place behind the earlier ones.  At the end, optind points to
 * the first operand.
 *
 * Not supported (xfs_io's commands never use them): long options, optional
 * arguments ("::"), POSIXLY_CORRECT, and a leading '+' or '-' in optstring.
 */
#include <string.h>

#include "iocmd-internal.h"

static void reverse(char **argv, int from, int to)
{
	while (from < --to) {
		char *t = argv[from];

		argv[from++] = argv[to];
		argv[to] = t;
	}
}

/*
 * Swap the skipped operands [first_nonopt, last_nonopt) with the options
 * [last_nonopt, optind) that followed them, keeping each block's order:
 * reversing the whole span and then each block rotates it in place.
 */
static void exchange(struct iocmd_getopt *g, char **argv)
{
	int bottom = g->first_nonopt, middle = g->last_nonopt, top = g->optind;

	reverse(argv, bottom, top);
	reverse(argv, bottom, bottom + (top - middle));
	reverse(argv, bottom + (top - middle), top);
	g->first_nonopt += top - middle;
	g->last_nonopt = top;
}

/* An operand is anything that does not start with '-', and "-" itself. */
static bool is_operand(const char *arg)
{
	return arg[0] != '-' || arg[1] == '\0';
}

int iocmd_getopt(struct iocmd_getopt *g, int argc, char **argv, const char *optstring,
		 FILE *err)
{
	const char *spec;
	char c;

	g->optarg = NULL; /* as glibc: only an option with an argument sets it */
	if (g->nextchar == NULL || *g->nextchar == '\0') {
		/* Start the next argv element. */
		if (g->last_nonopt > g->optind)
			g->last_nonopt = g->optind;
		if (g->first_nonopt > g->optind)
			g->first_nonopt = g->optind;

		if (g->first_nonopt != g->last_nonopt && g->last_nonopt != g->optind)
			exchange(g, argv);
		else if (g->last_nonopt != g->optind)
			g->first_nonopt = g->optind;

		while (g->optind < argc && is_operand(argv[g->optind]))
			g->optind++;
		g->last_nonopt = g->optind;

		if (g->optind != argc && strcmp(argv[g->optind], "--") == 0) {
			g->optind++;
			if (g->first_nonopt != g->last_nonopt && g->last_nonopt != g->optind)
				exchange(g, argv);
			else if (g->first_nonopt == g->last_nonopt)
				g->first_nonopt = g->optind;
			g->last_nonopt = argc;
			g->optind = argc;
		}
		if (g->optind == argc) {
			if (g->first_nonopt != g->last_nonopt)
				g->optind = g->first_nonopt;
			g->nextchar = NULL;
			return -1;
		}
		g->nextchar = argv[g->optind] + 1;
	}

	c = *g->nextchar++;
	spec = c == ':' ? NULL : strchr(optstring, c);
	if (*g->nextchar == '\0') {
		g->optind++;
		g->nextchar = NULL;
	}
	if (spec == NULL) {
		fprintf(err, "%s: invalid option -- '%c'\n", argv[0], c);
		g->optopt = c;
		return '?';
	}
	if (spec[1] == ':') {
		if (g->nextchar != NULL) {
			/* The rest of the cluster is the argument: "-n5". */
			g->optarg = g->nextchar;
			g->optind++;
		} else if (g->optind == argc) {
			fprintf(err, "%s: option requires an argument -- '%c'\n", argv[0], c);
			g->optopt = c;
			return '?';
		} else {
			/* The next word is the argument, even if it starts with '-'. */
			g->optarg = argv[g->optind++];
		}
		g->nextchar = NULL;
	}
	return c;
}
