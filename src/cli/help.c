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
    "  serve [--host H] [--port P]                   run active workflows: webhooks, schedules,\n"
    "                                                REST API, /healthz, /metrics\n"
    "  import FILE... [--activate]                   store workflows from n8n exports\n"
    "  export (--id ID | --all) [--pretty]           print stored workflows as JSON\n"
    "  workflows list [--json]                       list the stored workflows\n"
    "  activate ID / deactivate ID                   switch a workflow's triggers on or off\n"
    "  executions list|show|retry ...                stored executions (see help executions)\n"
    "  apikey create [--label L]                     make a key for the REST API\n"
    "  credentials create|list|delete|import ...     secrets for nodes (see help credentials)\n"
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

#define STORE_ENV                                                                                  \
    "\n"                                                                                           \
    "The store is SLUICE_DATA_DIR/sluice.db (SLUICE_DATA_DIR defaults to ./.sluice); this\n"       \
    "works while 'sluice serve' runs on the same directory.\n"                                     \
    "Exit status: 0 success, 2 usage error, unknown id or refused input.\n"

static const char import_help[] =
    "usage: sluice import FILE... [--activate]\n"
    "\n"
    "Stores the workflows of n8n exports: a file holds one workflow object, an array\n"
    "of them (n8n export:workflow --all) or the API's {\"data\": [...]}; \"-\" reads\n"
    "standard input. A workflow keeps its \"id\", so importing it again updates it\n"
    "(its versionCounter goes up); one without an id gets a new one. Prints one id\n"
    "per line. As n8n does, imported workflows are inactive; --activate activates\n"
    "them, after the same checks as 'sluice activate'. A file is imported whole or\n"
    "not at all: a file that is not a workflow export gets one line naming the file\n"
    "and the cause, and exit status 2 (the other files are still imported).\n" STORE_ENV;

static const char export_help[] =
    "usage: sluice export (--id ID | --all) [--pretty]\n"
    "\n"
    "Prints stored workflows as JSON, like n8n export:workflow: the workflow object\n"
    "for --id, an array of all of them for --all. --pretty indents the output.\n" STORE_ENV;

static const char workflows_help[] =
    "usage: sluice workflows list [--json]\n"
    "\n"
    "Lists the stored workflows ordered by id: columns ID, ACTIVE (yes/no) and NAME;\n"
    "with --json a JSON array of {id, name, active, createdAt, updatedAt,\n"
    "versionCounter}.\n" STORE_ENV;

static const char activate_help[] =
    "usage: sluice activate ID\n"
    "usage: sluice deactivate ID\n"
    "\n"
    "Activates a stored workflow: its webhooks and schedules run under 'sluice serve'\n"
    "(a running server picks the change up). Activation first loads the workflow as\n"
    "'sluice run' does, so an unknown node type or version is refused with the same\n"
    "message, and, as in n8n, requires a node that starts the workflow by itself (a\n"
    "trigger, poller or webhook node; a Manual Trigger is not one). Deactivate\n"
    "switches them off.\n" STORE_ENV;

static const char executions_help[] =
    "usage: sluice executions list [--workflow ID] [--status S] [--limit N] [--json]\n"
    "       sluice executions show ID [--data]\n"
    "       sluice executions retry ID\n"
    "\n"
    "list: executions newest first (default limit 20; --limit 0 lists all). Statuses:\n"
    "new, running, success, error, canceled, crashed, waiting. --json prints a JSON\n"
    "array of {id, workflowId, status, mode, startedAt, stoppedAt}.\n"
    "show: one execution as JSON in the REST API's shape; --data adds its run data\n"
    "(when the save policy kept it) and its node runs (always kept).\n"
    "retry: queues a new execution of a failed or crashed one, with the same input\n"
    "(mode retry, retryOf set) and prints its id. It runs when 'sluice serve' runs: a\n"
    "running server picks it up, else the next one to start.\n" STORE_ENV;

static const char apikey_help[] =
    "usage: sluice apikey create [--label L]\n"
    "\n"
    "Makes a key for the REST API (/api/v1, header X-API-KEY or X-N8N-API-KEY) and\n"
    "prints it. The store keeps only its SHA-256 hash: the key is shown this once.\n" STORE_ENV;

static const char serve_help[] =
    "usage: sluice serve [--host H] [--port P]\n"
    "\n"
    "Runs the active workflows of the store: webhooks on /webhook/<path> (and\n"
    "/webhook-test/<path> for a one-off run of any stored workflow), Schedule Trigger,\n"
    "Cron and Interval nodes, the REST API on /api/v1, /healthz, /healthz/readiness and\n"
    "/metrics. Executions run in worker processes that are restarted when they die;\n"
    "SIGTERM or SIGINT stops taking work and drains what runs. The CLI commands work\n"
    "while it runs. How it is built: docs/serve.md.\n"
    "\n"
    "environment (defaults in brackets):\n"
    "  SLUICE_HOST [127.0.0.1], SLUICE_PORT [5678]   where to listen (the options win)\n"
    "  SLUICE_DATA_DIR [./.sluice]                   the store\n"
    "  SLUICE_WORKERS [cores], SLUICE_WORKER_CONCURRENCY [8]   worker processes, threads each\n"
    "  SLUICE_CONCURRENCY_LIMIT [workers x threads], SLUICE_QUEUE_MAX [1000]\n"
    "                                                past both a webhook gets 503 + Retry-After\n"
    "  SLUICE_PAYLOAD_SIZE_MAX [16777216]            request body limit in bytes (413 past it)\n"
    "  SLUICE_GRACEFUL_SHUTDOWN_TIMEOUT [30]         seconds to drain on SIGTERM\n"
    "  SLUICE_EXECUTIONS_DATA_SAVE_ON_SUCCESS [none], _ON_ERROR [all], _MANUAL [all]\n"
    "  SLUICE_EXECUTIONS_PRUNE_MAX_AGE_H [336], SLUICE_EXECUTIONS_PRUNE_MAX_COUNT [10000]\n"
    "  SLUICE_CRASH_RETRIES [3]                      re-runs of an execution whose worker died\n"
    "  SLUICE_METRICS [true], SLUICE_LOG_FORMAT [text|json], SLUICE_LOG_LEVEL [info]\n";

static const char credentials_help[] =
    "usage: sluice credentials create --type T --name N --data JSON|@FILE [--id ID]\n"
    "       sluice credentials list [--json]\n"
    "       sluice credentials delete ID\n"
    "       sluice credentials import FILE\n"
    "\n"
    "Credentials hold the secrets nodes use, referenced the n8n way from a node's\n"
    "\"credentials\": {TYPE: {id, name}}: by id, or by name when the id is not known here\n"
    "(so a workflow exported from n8n finds a credential made here under the same\n"
    "name). create prints the new id as its last line. Types used today: httpBasicAuth\n"
    "{user, password} and httpHeaderAuth {name, value} for webhook authentication,\n"
    "redis {host, port, password, user, database} for the Redis node.\n"
    "\n"
    "import reads what 'n8n export:credentials --all --decrypted --output=FILE' writes\n"
    "(an array of {id, name, type, data}, or one such object), keeps the ids (an id\n"
    "that exists is replaced) and prints one line per credential: id, type, name.\n"
    "Every entry is checked first; a bad one is named with its field and nothing is\n"
    "imported. The REST API has POST /api/v1/credentials, DELETE\n"
    "/api/v1/credentials/{id} and GET /api/v1/credentials/schema/{type}.\n"
    "\n"
    "The data is encrypted (libsodium secretbox) with SLUICE_ENCRYPTION_KEY, or else\n"
    "with a key generated on first use into SLUICE_DATA_DIR/encryption.key (mode\n"
    "0600): keep that file, or the credentials cannot be read. list never prints\n"
    "secrets.\n" STORE_ENV;

static const struct {
    const char *name;
    const char *text;
} store_helps[] = {
    {"credentials", credentials_help}, {"serve", serve_help},           {"import", import_help},
    {"export", export_help},           {"workflows", workflows_help},   {"activate", activate_help},
    {"deactivate", activate_help},     {"executions", executions_help}, {"apikey", apikey_help},
};

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
    for (size_t i = 0; i < sizeof store_helps / sizeof *store_helps; i++) {
        if (!strcmp(command, store_helps[i].name)) {
            fputs(store_helps[i].text, out);
            return 0;
        }
    }
    fprintf(stderr, "sluice help: unknown command '%s'\n", command);
    return 2;
}
