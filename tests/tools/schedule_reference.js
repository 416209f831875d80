#!/usr/bin/env node
/*
 * Prints what the reference n8n's Schedule Trigger emits for a node test
 * of tests/nodes/scheduleTrigger (n8n's CLI cannot start a workflow from a
 * Schedule Trigger, so record_expected.py cannot record these).
 *
 * Usage: NODE_PATH=$HOME/.cache/sluice-n8n-reference/node_modules \
 *          node tests/tools/schedule_reference.js TEST.json
 *
 * It loads n8n's ScheduleTrigger node class from the reference install,
 * fills the node's parameters with their defaults as n8n does
 * (NodeHelpers.getNodeParameters), fixes Date.now at the test's
 * sluiceTest.now and calls trigger() and its manualTriggerFunction in
 * manual mode in the workflow's zone (settings.timezone, else
 * America/New_York). It prints the emitted item's json, or
 * "ERROR <message> | <description>".
 */
const fs = require('fs');
const { ScheduleTrigger } = require('n8n-nodes-base/dist/nodes/Schedule/ScheduleTrigger.node.js');
const { NodeHelpers } = require('n8n-workflow');

async function main(file) {
    const wf = JSON.parse(fs.readFileSync(file, 'utf8'));
    const node = wf.nodes.find((n) => n.type === 'n8n-nodes-base.scheduleTrigger');
    const now = wf.sluiceTest.now;
    const fixed = typeof now === 'number' ? now : Date.parse(now);
    Date.now = () => fixed;
    const tz = (wf.settings && wf.settings.timezone) || 'America/New_York';
    const desc = new ScheduleTrigger().description;
    const params = NodeHelpers.getNodeParameters(desc.properties, node.parameters, true, false,
                                                 node, desc);
    let emitted;
    const ctx = {
        getNode: () => node,
        getNodeParameter: (name, dflt) => params[name] ?? dflt,
        getTimezone: () => tz,
        getWorkflowStaticData: () => ({}),
        getMode: () => 'manual',
        emit: (data) => { emitted = data; },
        helpers: { returnJsonArray: (a) => a.map((json) => ({ json })), registerCron: () => {} },
    };
    try {
        const r = await new ScheduleTrigger().trigger.call(ctx);
        await r.manualTriggerFunction();
        console.log(JSON.stringify(emitted[0][0].json));
    } catch (e) {
        console.log('ERROR', e.message, '|', e.description);
    }
}

main(process.argv[2]);
