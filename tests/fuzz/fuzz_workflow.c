/*
 * libFuzzer target for the workflow loader: any bytes must give a workflow
 * or a one-line error, never a crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/workflow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sl_error err;
    struct sl_workflow *wf = sl_workflow_parse((const char *)data, size, &err);
    if (wf) {
        (void)sl_workflow_start_node(wf);
        sl_workflow_free(wf);
    } else if (!memchr(err.msg, '\0', sizeof err.msg) || strchr(err.msg, '\n')) {
        abort(); /* errors are one NUL-terminated line */
    }
    return 0;
}
