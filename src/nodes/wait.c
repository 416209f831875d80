/*
 * Wait (v1, v1.1): passes its input through once a time interval has gone
 * by or a given time has come.
 *
 * The node does not sleep: it computes the wake-up time on the
 * execution's clock and parks the execution there (sl_ctx_put_to_wait);
 * the caller resumes it (core/engine.h). A time already past passes the
 * input through at once, as n8n's zero-length timer does. The "webhook"
 * and "form" resume modes wait for an HTTP request, which only the server
 * can receive: here they are an error rather than a silent pass.
 *
 * Defaults differ by version as in n8n: v1 waits 1 hour, v1.1 5 seconds.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsvalue.h"
#include "nodes/conditions.h"
#include "nodes/node.h"

static const double versions[] = {1, 1.1, 0};

/* Milliseconds per unit, 0 for a unit n8n rejects. */
static double unit_ms(const json_t *unit)
{
    static const struct {
        const char *name;
        double ms;
    } units[] = {{"seconds", 1e3}, {"minutes", 6e4}, {"hours", 3.6e6}, {"days", 8.64e7}};
    if (!json_is_string(unit))
        return 0;
    for (size_t i = 0; i < sizeof units / sizeof *units; i++)
        if (!strcmp(json_string_value(unit), units[i].name))
            return units[i].ms;
    return 0;
}

/* The wake-up time of the "timeInterval" mode: now + amount × unit. */
static int interval_till(struct sl_node_ctx *ctx, double *till)
{
    bool v1 = sl_ctx_node(ctx)->version < 1.1;
    json_t *dunit = json_string(v1 ? "hours" : "seconds");
    json_t *unit = sl_ctx_param(ctx, "unit", 0, dunit);
    json_decref(dunit);
    if (!unit)
        return SL_ERR_NODE;
    double per = unit_ms(unit);
    json_decref(unit);
    if (per == 0)
        return sl_ctx_fail(
            ctx, "Invalid wait unit. Valid units are 'seconds', 'minutes', 'hours', or 'days'.");

    json_t *damount = json_real(v1 ? 1 : 5);
    json_t *amount =
        sl_ctx_param_number_checked(ctx, "amount", 0, damount, "amount", "Wait Amount");
    json_decref(damount);
    if (!amount)
        return SL_ERR_NODE;
    double a = json_is_number(amount) ? sl_jsv_num(amount) : NAN;
    json_decref(amount);
    if (!(a >= 0))
        return sl_ctx_fail(ctx, "Invalid wait amount. Please enter a number that is 0 or greater.");
    *till = (double)sl_ctx_now_ms(ctx) + a * per;
    return 0;
}

/* The wake-up time of the "specificTime" mode: n8n's tryToParseDateTime
 * of the dateTime parameter in the workflow's zone. */
static int specific_till(struct sl_node_ctx *ctx, double *till)
{
    json_t *empty = json_string("");
    json_t *v = sl_ctx_param(ctx, "dateTime", 0, empty);
    json_decref(empty);
    if (!v)
        return SL_ERR_NODE;
    char *text = sl_jsv_to_string(v);
    json_decref(v);
    int rc = sl_cond_luxon_date(ctx, text, 0, till);
    free(text);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return sl_ctx_fail(ctx,
                           "Cannot put execution to wait because `dateTime` parameter is not "
                           "a valid date. Please pick a specific date and time to wait until.");
    return 0;
}

static int execute(struct sl_node_ctx *ctx)
{
    char *resume = NULL;
    if (sl_ctx_param_str(ctx, "resume", 0, "timeInterval", &resume) < 0)
        return SL_ERR_NODE;
    if (!strcmp(resume, "webhook") || !strcmp(resume, "form")) {
        int rc = sl_ctx_fail(ctx, "resume mode '%s' needs sluice serve", resume);
        sl_ctx_fail_description(ctx,
                                "Only the server can receive the %s that resumes this "
                                "execution; use 'timeInterval' or 'specificTime' here",
                                !strcmp(resume, "webhook") ? "webhook call" : "form submission");
        free(resume);
        return rc;
    }
    double till;
    int rc =
        !strcmp(resume, "timeInterval") ? interval_till(ctx, &till) : specific_till(ctx, &till);
    free(resume);
    if (rc)
        return rc;
    /* JavaScript's Date keeps whole milliseconds */
    till = trunc(till);
    if (till > (double)sl_ctx_now_ms(ctx)) {
        if (till > 8.64e15)
            till = 8.64e15; /* the last time a Date can hold */
        sl_ctx_put_to_wait(ctx, (int64_t)till);
    }
    sl_ctx_pass_through(ctx, 0, 0);
    return 0;
}

const struct sl_node_type sl_node_wait = {
    .name = "n8n-nodes-base.wait",
    .versions = versions,
    .execute = execute,
};
