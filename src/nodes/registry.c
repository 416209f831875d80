/*
 * The node registry: every node type listed in nodes.def, looked up by its
 * full type name when a workflow is loaded.
 */
#include <string.h>

#include "nodes/node.h"

#define SL_NODE(n) extern const struct sl_node_type sl_node_##n;
#include "nodes/nodes.def"
#undef SL_NODE

static const struct sl_node_type *const registry[] = {
#define SL_NODE(n) &sl_node_##n,
#include "nodes/nodes.def"
#undef SL_NODE
};

const struct sl_node_type *sl_node_type_find(const char *name)
{
    for (size_t i = 0; i < sizeof registry / sizeof registry[0]; i++)
        if (!strcmp(registry[i]->name, name))
            return registry[i];
    return NULL;
}

bool sl_node_type_has_version(const struct sl_node_type *t, double version)
{
    for (const double *v = t->versions; *v; v++)
        if (*v == version)
            return true;
    return false;
}
