/*
 * The sluice commands. Each takes argv starting at the command word and
 * returns the process exit code: 0 success, 1 a failed execution or test,
 * 2 a usage or load error.
 */
#ifndef SL_CLI_CLI_H
#define SL_CLI_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

int sl_cli_run(int argc, char **argv);
int sl_cli_test(int argc, char **argv);
int sl_cli_serve(int argc, char **argv);
/* Internal: a worker process of `sluice serve`. */
int sl_cli_worker(int argc, char **argv);
/* Prints help for `command` (NULL: the overview) to `out`; returns 0, or 2
 * for an unknown command. */
int sl_cli_help(const char *command, FILE *out);

/* The store commands (workflows.c, executions.c, apikey.c). */
int sl_cli_import(int argc, char **argv);
int sl_cli_export(int argc, char **argv);
int sl_cli_workflows(int argc, char **argv);
/* `activate ID` and `deactivate ID` (argv[0] says which). */
int sl_cli_activate(int argc, char **argv);
int sl_cli_executions(int argc, char **argv);
int sl_cli_apikey(int argc, char **argv);
int sl_cli_credentials(int argc, char **argv);

/* Helpers of the store commands. sl_cli_store_open() opens the store in
 * $SLUICE_DATA_DIR (NULL after printing the reason). sl_cli_opt() matches
 * argv[*i] against `name` as "--name VALUE" (advancing *i) or
 * "--name=VALUE"; a missing value gives *value = NULL. */
struct sl_store;
struct sl_store *sl_cli_store_open(void);
bool sl_cli_opt(int argc, char **argv, int *i, const char *name, const char **value);
/* Prints `j` and a newline to stdout, indented by 2 when `pretty`. */
void sl_cli_print_json(const json_t *j, bool pretty);
/* Prints the array `rows` compactly with only the members `keys[0..n)` of
 * each row (the --json output of the list commands). */
void sl_cli_print_rows(const json_t *rows, const char *const *keys, size_t n);

#endif
