/*
 * sluice command-line entry point: parses the command word and hands the
 * rest of the arguments to the command's module in src/cli/.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

int main(int argc, char **argv)
{
    if (argc < 2)
        return sl_cli_help(NULL, stderr) ? 2 : 2;
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        printf("sluice %s\n", SLUICE_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h"))
        return sl_cli_help(argc > 2 ? argv[2] : NULL, stdout);
    if (!strcmp(cmd, "run"))
        return sl_cli_run(argc - 1, argv + 1);
    if (!strcmp(cmd, "test"))
        return sl_cli_test(argc - 1, argv + 1);
    if (!strcmp(cmd, "import"))
        return sl_cli_import(argc - 1, argv + 1);
    if (!strcmp(cmd, "export"))
        return sl_cli_export(argc - 1, argv + 1);
    if (!strcmp(cmd, "workflows"))
        return sl_cli_workflows(argc - 1, argv + 1);
    if (!strcmp(cmd, "activate") || !strcmp(cmd, "deactivate"))
        return sl_cli_activate(argc - 1, argv + 1);
    if (!strcmp(cmd, "executions"))
        return sl_cli_executions(argc - 1, argv + 1);
    if (!strcmp(cmd, "apikey"))
        return sl_cli_apikey(argc - 1, argv + 1);
    if (!strcmp(cmd, "credentials"))
        return sl_cli_credentials(argc - 1, argv + 1);
    if (!strcmp(cmd, "serve"))
        return sl_cli_serve(argc - 1, argv + 1);
    if (!strcmp(cmd, "worker"))
        return sl_cli_worker(argc - 1, argv + 1);
    fprintf(stderr, "sluice: unknown command '%s' (see 'sluice help')\n", cmd);
    return 2;
}
