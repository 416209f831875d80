/*
 * Which node outputs an execution must keep (see retain.h).
 *
 * A node's items are needed after its children have them only when
 * something reads them by name: `$('X')`, `$node["X"]`, `$node.X` or
 * `$items("X")` in any parameter or Code node, or the paired-item walk of
 * `$('X').item`, which reads every output between X and the reader. A
 * reference that is not a plain string literal (`$(name)`) could name any
 * node, so then everything is kept.
 */
#include "core/retain.h"

#include <stdlib.h>
#include <string.h>

#include "core/graph.h"
#include "util/alloc.h"

#define IDENT_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$"

/* Marks in `refd` the nodes that `v` refers to by name; sets *dynamic when
 * a reference cannot be resolved statically. Returns whether v refers to
 * any node at all. */
static bool scan_refs(const struct sl_workflow *wf, json_t *v, char *refd, bool *dynamic)
{
    bool any = false;
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        static const char *const pats[] = {"$(", "$node[", "$items(", "$node."};
        for (size_t p = 0; p < sizeof pats / sizeof pats[0]; p++) {
            const char *at = s;
            size_t pl = strlen(pats[p]);
            while ((at = strstr(at, pats[p]))) {
                at += pl;
                any = true;
                if (p == 3) {
                    /* $node.Name: identifier */
                    size_t len = strspn(at, IDENT_CHARS);
                    bool found = false;
                    for (size_t i = 0; i < wf->n_nodes; i++)
                        if (strlen(wf->nodes[i].name) == len &&
                            !strncmp(wf->nodes[i].name, at, len))
                            refd[i] = 1, found = true;
                    if (!found)
                        *dynamic = true;
                    continue;
                }
                while (*at == ' ')
                    at++;
                char q = *at;
                if (q != '\'' && q != '"' && q != '`') {
                    if (p == 2 && *at == ')')
                        continue; /* $items() is the input */
                    *dynamic = true;
                    continue;
                }
                const char *end = strchr(at + 1, q);
                if (!end) {
                    *dynamic = true;
                    continue;
                }
                bool found = false;
                for (size_t i = 0; i < wf->n_nodes; i++) {
                    const char *nm = wf->nodes[i].name;
                    if (strlen(nm) == (size_t)(end - at - 1) &&
                        !strncmp(nm, at + 1, (size_t)(end - at - 1)))
                        refd[i] = 1, found = true;
                }
                if (!found && memchr(at + 1, '\\', (size_t)(end - at - 1)))
                    *dynamic = true;
            }
        }
    } else if (json_is_object(v)) {
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x) any |= scan_refs(wf, x, refd, dynamic);
    } else if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) any |= scan_refs(wf, x, refd, dynamic);
    }
    return any;
}

bool *sl_retain_plan(const struct sl_workflow *wf, bool keep_all, const char *const *keep,
                     size_t n_keep)
{
    size_t n = wf->n_nodes;
    bool *plan = sl_calloc(n ? n : 1, sizeof *plan);
    if (keep_all) {
        for (size_t i = 0; i < n; i++)
            plan[i] = true;
        return plan;
    }
    for (size_t k = 0; k < n_keep; k++) {
        const struct sl_node *nd = sl_workflow_node(wf, keep[k]);
        if (nd)
            plan[nd->index] = true;
    }
    char *refd = sl_calloc(n ? n : 1, 1);
    char *desc = sl_calloc(n ? n : 1, 1);
    char *anc = sl_calloc(n ? n : 1, 1);
    bool dynamic = false;
    for (size_t z = 0; z < n && !dynamic; z++) {
        memset(refd, 0, n);
        if (!scan_refs(wf, wf->nodes[z].params, refd, &dynamic) || dynamic)
            continue;
        memset(anc, 0, n);
        sl_graph_mark_ancestors(wf, (int)z, anc);
        for (size_t x = 0; x < n; x++) {
            if (!refd[x])
                continue;
            plan[x] = true;
            memset(desc, 0, n);
            sl_graph_mark_descendants(wf, (int)x, desc);
            for (size_t m = 0; m < n; m++)
                if (desc[m] && anc[m])
                    plan[m] = true;
        }
    }
    if (dynamic)
        for (size_t i = 0; i < n; i++)
            plan[i] = true;
    free(refd);
    free(desc);
    free(anc);
    return plan;
}
