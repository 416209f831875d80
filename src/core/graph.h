/*
 * Graph queries over a workflow's main connections. The workflow is
 * borrowed and read-only; functions are reentrant.
 */
#ifndef SL_CORE_GRAPH_H
#define SL_CORE_GRAPH_H

#include <stdbool.h>

#include "core/workflow.h"

/* n8n's getParentNodes(node): every ancestor, in n8n's order. Returns a
 * new array (caller frees) with room for one more entry; *n gets the count. */
int *sl_graph_parents(const struct sl_workflow *wf, int node, int *n);

/* Whether an enabled node feeds input `input` of `node`, directly or
 * through disabled ones (n8n's getHighestNode being non-empty). */
bool sl_graph_has_enabled_source(const struct sl_workflow *wf, int node, int input);

/* Set mark[i] = 1 for every descendant / ancestor of `from` (not `from`
 * itself unless it lies on a cycle). `mark` has wf->n_nodes entries. */
void sl_graph_mark_descendants(const struct sl_workflow *wf, int from, char *mark);
void sl_graph_mark_ancestors(const struct sl_workflow *wf, int from, char *mark);

#endif
