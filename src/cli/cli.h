/*
 * The sluice commands. Each takes argv starting at the command word and
 * returns the process exit code: 0 success, 1 a failed execution or test,
 * 2 a usage or load error.
 */
#ifndef SL_CLI_CLI_H
#define SL_CLI_CLI_H

#include <stdio.h>

int sl_cli_run(int argc, char **argv);
int sl_cli_test(int argc, char **argv);
/* Prints help for `command` (NULL: the overview) to `out`; returns 0, or 2
 * for an unknown command. */
int sl_cli_help(const char *command, FILE *out);

#endif
