/*
 * The retention plan of an execution: which nodes' outputs must outlive
 * the hand-over to their children, so that the engine can drop all others
 * as soon as they are consumed and memory holds only the items in play.
 */
#ifndef SL_CORE_RETAIN_H
#define SL_CORE_RETAIN_H

#include <stdbool.h>
#include <stddef.h>

#include "core/workflow.h"

/* Returns a new array of wf->n_nodes flags (caller frees): true for the
 * nodes whose outputs must be kept. keep_all keeps every node (full run
 * data); `keep` names nodes the caller will read (n_keep entries). */
bool *sl_retain_plan(const struct sl_workflow *wf, bool keep_all, const char *const *keep,
                     size_t n_keep);

#endif
