/*
 * Graph queries over a loaded workflow's main connections, with n8n's
 * orders where the engine depends on them (see graph.h).
 */
#include "core/graph.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

/* n8n's getParentNodes(name): all ancestors through main connections, in
 * n8n's order. */
static void parents_rec(const struct sl_workflow *wf, int node, char *checked, int *outv, int *outn)
{
    const struct sl_node *n = (&wf->nodes[node]);
    if (checked[node])
        return;
    checked[node] = 1;
    for (int i = 0; i < n->n_in_conns; i++) {
        for (size_t k = 0; k < n->in[i].n; k++) {
            int p = n->in[i].v[k].node;
            if (checked[p])
                continue;
            /* unshift p */
            memmove(outv + 1, outv, sizeof(int) * (size_t)*outn);
            outv[0] = p;
            (*outn)++;
            int *sub = sl_malloc(sizeof(int) * wf->n_nodes * 2 + sizeof(int));
            int subn = 0;
            char *c2 = sl_malloc(wf->n_nodes);
            memcpy(c2, checked, wf->n_nodes);
            parents_rec(wf, p, c2, sub, &subn);
            free(c2);
            for (int j = subn - 1; j >= 0; j--) {
                for (int q = 0; q < *outn; q++) {
                    if (outv[q] == sub[j]) {
                        memmove(outv + q, outv + q + 1, sizeof(int) * (size_t)(*outn - q - 1));
                        (*outn)--;
                        break;
                    }
                }
                memmove(outv + 1, outv, sizeof(int) * (size_t)*outn);
                outv[0] = sub[j];
                (*outn)++;
            }
            free(sub);
        }
    }
}

int *sl_graph_parents(const struct sl_workflow *wf, int node, int *n)
{
    int *v = sl_malloc(sizeof(int) * (wf->n_nodes * 2 + 1));
    char *checked = sl_calloc(wf->n_nodes, 1);
    *n = 0;
    parents_rec(wf, node, checked, v, n);
    free(checked);
    return v;
}

static bool enabled_source_rec(const struct sl_workflow *wf, int node, int input, char *seen)
{
    const struct sl_node *n = (&wf->nodes[node]);
    if (input >= n->n_in_conns)
        return false;
    for (size_t k = 0; k < n->in[input].n; k++) {
        int p = n->in[input].v[k].node;
        if (seen[p])
            continue;
        seen[p] = 1;
        if (!(&wf->nodes[p])->disabled)
            return true;
        for (int i = 0; i < (&wf->nodes[p])->n_in_conns; i++)
            if (enabled_source_rec(wf, p, i, seen))
                return true;
    }
    return false;
}

void sl_graph_mark_descendants(const struct sl_workflow *wf, int from, char *mark)
{
    const struct sl_node *n = (&wf->nodes[from]);
    for (int o = 0; o < n->n_out_conns; o++)
        for (size_t k = 0; k < n->out[o].n; k++) {
            int c = n->out[o].v[k].node;
            if (!mark[c]) {
                mark[c] = 1;
                sl_graph_mark_descendants(wf, c, mark);
            }
        }
}

void sl_graph_mark_ancestors(const struct sl_workflow *wf, int from, char *mark)
{
    const struct sl_node *n = (&wf->nodes[from]);
    for (int i = 0; i < n->n_in_conns; i++)
        for (size_t k = 0; k < n->in[i].n; k++) {
            int p = n->in[i].v[k].node;
            if (!mark[p]) {
                mark[p] = 1;
                sl_graph_mark_ancestors(wf, p, mark);
            }
        }
}

bool sl_graph_has_enabled_source(const struct sl_workflow *wf, int node, int input)
{
    char *seen = sl_calloc(wf->n_nodes ? wf->n_nodes : 1, 1);
    bool r = enabled_source_rec(wf, node, input, seen);
    free(seen);
    return r;
}
