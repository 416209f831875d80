/*
 * `sluice help [COMMAND]`.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const char overview[] =
    "sluice — runs n8n workflows, built for high-volume production work\n"
    "\n"
    "usage: sluice COMMAND [ARGS]\n"
    "\n"
    "commands:\n"
    "  run WORKFLOW.json [--input FILE|-] [--json]   run a workflow once (manual mode)\n"
    "  test [--fixtures DIR] PATH...                 run workflow tests (pinData = expected)\n"
    "  help [COMMAND]                                show help\n"
    "  --version                                     print the version\n";

static const char run_help[] =
    "usage: sluice run WORKFLOW.json [--input FILE|-] [--json]\n"
    "\n"
    "Runs the workflow once in manual mode, from its start node (the first enabled\n"
    "trigger node). --input gives the start node its items: a JSON array of objects\n"
    "or of {\"json\": ...} items (\"-\" reads standard input).\n"
    "\n"
    "A Wait node parks the run; sluice run sleeps until its time and resumes it.\n"
    "A workflow without a trigger that starts with a Webhook node gets the --input\n"
    "items as its request items.\n"
    "\n"
    "Output: the items of the last node executed, as a JSON array. With --json, the\n"
    "whole run in n8n's shape: status, finished, lastNodeExecuted, error, runData.\n"
    "\n"
    "Exit status: 0 success, 1 the execution failed, 2 usage or load error.\n"
    "\n"
    "Environment:\n"
    "  SLUICE_CODE_TIMEOUT_MS  time limit for one Code node run or expression (60000)\n"
    "  SLUICE_CODE_MEMORY_MB   memory a Code node run may grow by (1024)\n"
    "  SLUICE_ENV_ACCESS=allow allow $env in expressions and Code nodes\n"
    "  SLUICE_FILES_ALLOW      directories file nodes and workflowPath may use,\n"
    "                          ':'-separated (the working directory)\n"
    "  SLUICE_DATA_DIR         data directory for large binary data (.sluice)\n"
    "  SLUICE_BINARY_INLINE_MAX  binary data above this many bytes goes to a file (1048576)\n"
    "  SLUICE_BINARY_KEEP=1    keep an execution's binary files when it ends\n";

static const char test_help[] =
    "usage: sluice test [--fixtures DIR] PATH...\n"
    "\n"
    "Runs workflow files (folders recursively) the way n8n's test harness does: the\n"
    "workflow's pinData holds the expected output 0 of each named node, which must\n"
    "run exactly once; the run must succeed. A file with a top-level\n"
    "\"sluiceTest\": {\"error\": \"MESSAGE\"} must fail with exactly that message, and\n"
    "\"sluiceTest\": {\"nodeExecutionOrder\": [NAMES]} checks the order node runs finished.\n"
    "A top-level \"trigger\": {\"mode\": M, \"input\": ITEM} sets the execution mode and\n"
    "the start node's item. Waits and retry pauses run on a virtual clock: they take\n"
    "no time, while $now and Date in the workflow see the time go by.\n"
    "Prints one line per file and 'N passed, N failed' last; exit 1 if any failed.\n"
    "--fixtures DIR: absolute file paths the workflows read or write resolve inside\n"
    "DIR (so /test/x is DIR/test/x), and DIR is allowed for file access.\n";

int sl_cli_help(const char *command, FILE *out)
{
    if (!command) {
        fputs(overview, out);
        return 0;
    }
    if (!strcmp(command, "run")) {
        fputs(run_help, out);
        return 0;
    }
    if (!strcmp(command, "test")) {
        fputs(test_help, out);
        return 0;
    }
    fprintf(stderr, "sluice help: unknown command '%s'\n", command);
    return 2;
}
