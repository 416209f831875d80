#!/usr/bin/env node
/*
 * Next fire times from the `cron` package of the reference n8n install,
 * to check util/cron.c against (the fire times in tests/unit/test_cron.c
 * came from here).
 *
 * Usage: NODE_PATH=$HOME/.cache/sluice-n8n-reference/node_modules \
 *          node tests/tools/cron_reference.js < CASES
 * Each input line is "EXPRESSION<TAB>ZONE<TAB>AFTER_MS<TAB>COUNT"; each
 * output line holds COUNT fire times (epoch ms), each found strictly after
 * the one before as n8n's schedules step (CronTime.getNextDateFrom in the
 * zone), or ERR when the package refuses the expression.
 */
const { CronTime } = require('cron');
const { DateTime } = require('luxon');

const lines = require('fs').readFileSync(0, 'utf8').split('\n').filter(Boolean);
for (const line of lines) {
    const [expr, zone, after, count] = line.split('\t');
    const out = [];
    try {
        const ct = new CronTime(expr, zone);
        let d = DateTime.fromMillis(Number(after)).setZone(zone);
        for (let i = 0; i < Number(count); i++) {
            d = ct.getNextDateFrom(d);
            out.push(d.toMillis());
        }
        console.log(out.join(' '));
    } catch (e) {
        console.log(out.length ? out.join(' ') + ' THROW' : 'ERR');
    }
}
