/*
 * sluice's JavaScript prelude: evaluated once in every execution's global
 * context. It builds n8n's expression and Code node globals ($json,
 * $input, $('Node'), $node, $items, $execution, $workflow, $now, $today,
 * DateTime, $env, …) on top of the native bridge object __sl (see js.c),
 * and the helpers the C side calls to evaluate templates and run code.
 *
 * Data comes from C lazily and is cached per node run ("epoch"); Code
 * nodes get fresh copies, so user code may mutate what it reads.
 */
(function () {
    'use strict';
    const g = globalThis;
    const S = g.__sl;
    const hide = (obj, name, value) =>
        Object.defineProperty(obj, name, { value, enumerable: false, writable: true, configurable: true });
    const getter = (name, get) =>
        Object.defineProperty(g, name, { get, enumerable: false, configurable: true });

    let epoch = -1;
    let itemCache = [];
    let allCache = null;
    let nodeCache = new Map();
    function sync() {
        const e = S.epoch();
        if (e !== epoch) {
            epoch = e;
            itemCache = [];
            allCache = null;
            nodeCache = new Map();
        }
    }
    function inputItem(i) {
        sync();
        if (allCache) return allCache[i];
        let v = itemCache[i];
        if (v === undefined) {
            v = S.inputItem(i);
            itemCache[i] = v;
        }
        return v;
    }
    function inputAll() {
        sync();
        if (!allCache) allCache = S.inputAll();
        return allCache;
    }
    function nodeItems(name, output, run) {
        sync();
        const key = name + '\u0000' + output + '\u0000' + run;
        let v = nodeCache.get(key);
        if (v === undefined) {
            v = S.nodeItems(name, output === undefined ? 0 : output, run === undefined ? -1 : run);
            nodeCache.set(key, v);
        }
        return v;
    }

    /* Date, and through it luxon, reads the execution's clock: the real
     * time, or the virtual time `sluice test` runs Wait nodes on. Dates
     * stay real Date objects (same prototype, same internal slots). */
    const RealDate = g.Date;
    function Date(...a) {
        if (new.target === undefined) return new RealDate(S.now()).toString();
        return Reflect.construct(RealDate, a.length ? a : [S.now()], new.target);
    }
    Date.prototype = RealDate.prototype;
    Object.defineProperty(Date, 'length', { value: 7 });
    hide(Date, 'now', () => S.now());
    hide(Date, 'parse', RealDate.parse);
    hide(Date, 'UTC', RealDate.UTC);
    hide(RealDate.prototype, 'constructor', Date);
    hide(g, 'Date', Date);

    let luxonLoaded = false;
    function lx() {
        if (!luxonLoaded) {
            /* the bundle declares `var luxon`: drop our lazy getter first */
            delete g.luxon;
            S.loadLuxon();
            luxonLoaded = true;
            /* as n8n: dates without an offset are in the workflow's zone */
            const z = zone();
            if (z) g.luxon.Settings.defaultZone = z;
            g.luxon.Settings.now = () => S.now();
        }
        return g.luxon;
    }
    function zone() {
        const i = S.info();
        return i.timezone || undefined;
    }

    /* $jmespath(data, query): the npm jmespath package (the version n8n
     * pins), loaded on first use, behind n8n's argument and query checks. */
    let jmes = null, unsafeToken = null;
    class ExpressionError extends Error {
        constructor(message) { super(message); this.name = 'ExpressionError'; }
    }
    const unsafeWords = () => new RegExp('\\b(?:' + ['__proto__', 'prototype', 'constructor',
        'getPrototypeOf', 'setPrototypeOf', 'getOwnPropertyDescriptor', 'getOwnPropertyDescriptors',
        'defineProperty', 'defineProperties', 'mainModule', 'binding', '_linkedBinding', '_load',
        'prepareStackTrace', '__lookupGetter__', '__lookupSetter__', '__defineGetter__',
        '__defineSetter__', 'caller', 'callee', 'arguments', 'getBuiltinModule', 'dlopen', 'execve',
        'loadEnvFile'].join('|') + ')\\b');
    function jmespathSearch(data, query) {
        if (typeof data !== 'object' || typeof query !== 'string')
            throw new ExpressionError('expected two arguments (Object, string) for this function');
        if (!unsafeToken) unsafeToken = unsafeWords();
        if (query.includes('\\') || unsafeToken.test(query))
            throw new ExpressionError('Cannot access this property in a jmespath query due to security concerns');
        if (!jmes) {
            S.loadJmespath();
            jmes = g.jmespath;
            delete g.jmespath;
        }
        /* not a tail call: V8 keeps this frame in the stack, and the Code
         * node's error line depends on the frame count (see codeErrorInfo) */
        const r = jmes.search(Array.isArray(data) ? data : { ...data }, query);
        return r;
    }
    hide(g, '$jmespath', jmespathSearch);
    hide(g, '$jmesPath', jmespathSearch);

    function nodeProxy(name) {
        if (!S.nodeExists(name)) throw new ExpressionError(`Referenced node doesn't exist`);
        return {
            all(output, run) { return nodeItems(name, output, run); },
            first(output, run) { return nodeItems(name, output, run)[0]; },
            last(output, run) { const a = nodeItems(name, output, run); return a[a.length - 1]; },
            get item() { return S.pairedItem(name, S.index()); },
            itemMatching(i) { return S.pairedItem(name, i); },
            pairedItem(i) { return S.pairedItem(name, i === undefined ? S.index() : i); },
            get isExecuted() { return S.nodeRuns(name) > 0; },
            get params() { return S.nodeParams(name); },
            get context() { return S.nodeContext(name); },
            get runIndex() { return S.nodeRuns(name) - 1; },
        };
    }
    hide(g, '$', nodeProxy);
    hide(g, '$items', function (name, output, run) {
        if (name === undefined) return inputAll();
        return nodeItems(name, output, run);
    });
    hide(g, '$item', function (index) {
        return {
            $node: new Proxy({}, { get(_, name) { return legacyNode(String(name), index); } }),
            get $json() { return (inputItem(index) || {}).json; },
        };
    });
    function legacyNode(name, index) {
        if (!S.nodeExists(name)) throw new ExpressionError(`Referenced node doesn't exist`);
        const idx = index === undefined ? S.index() : index;
        return {
            get json() { const it = nodeItems(name, 0, -1)[idx]; return it ? it.json : undefined; },
            get binary() { const it = nodeItems(name, 0, -1)[idx]; return it ? it.binary : undefined; },
            get data() { const it = nodeItems(name, 0, -1)[idx]; return it ? it.json : undefined; },
            get context() { return S.nodeContext(name); },
            get parameter() { return S.nodeParams(name); },
            get runIndex() { return S.nodeRuns(name) - 1; },
        };
    }
    getter('$node', () => new Proxy({}, { get(_, name) { return typeof name === 'string' ? legacyNode(name) : undefined; } }));

    const $input = {
        all() { return inputAll(); },
        first() { return inputAll()[0]; },
        last() { const a = inputAll(); return a[a.length - 1]; },
        get item() { return inputItem(S.index()); },
        get params() { return S.nodeParams(S.info().nodeName); },
        get context() { return S.nodeContext(S.info().nodeName); },
    };
    hide(g, '$input', $input);
    getter('$json', () => { const it = inputItem(S.index()); return it ? it.json : undefined; });
    getter('$binary', () => { const it = inputItem(S.index()); return it ? it.binary || {} : undefined; });
    getter('$data', () => { const it = inputItem(S.index()); return it ? it.json : undefined; });
    getter('$itemIndex', () => S.index());
    getter('$runIndex', () => S.info().runIndex);
    getter('$parameter', () => S.nodeParams(S.info().nodeName));
    getter('$prevNode', () => S.prevNode());
    getter('$mode', () => S.info().mode);
    getter('$execution', () => {
        const i = S.info();
        return {
            id: i.executionId,
            mode: i.mode === 'manual' ? 'test' : 'production',
            resumeUrl: '',
            customData: {
                set(k, v) { S.customSet(String(k), String(v)); },
                setAll(o) { for (const k of Object.keys(o || {})) S.customSet(String(k), String(o[k])); },
                get(k) { return S.customGet(String(k)); },
                getAll() { return S.customAll(); },
            },
        };
    });
    getter('$workflow', () => { const i = S.info(); return { id: i.workflowId, name: i.workflowName, active: i.workflowActive }; });
    getter('$env', () => S.env());
    getter('$vars', () => ({}));
    getter('luxon', () => lx());
    getter('DateTime', () => lx().DateTime);
    getter('Duration', () => lx().Duration);
    getter('Interval', () => lx().Interval);
    getter('$now', () => { const z = zone(); const d = lx().DateTime.now(); return z ? d.setZone(z) : d; });
    getter('$today', () => { const z = zone(); const d = lx().DateTime.now(); return (z ? d.setZone(z) : d).startOf('day'); });

    hide(g, 'console', {
        log(...a) { S.log(a.map(fmt).join(' ')); },
        info(...a) { S.log(a.map(fmt).join(' ')); },
        warn(...a) { S.log(a.map(fmt).join(' ')); },
        error(...a) { S.log(a.map(fmt).join(' ')); },
        debug(...a) { S.log(a.map(fmt).join(' ')); },
    });
    function fmt(v) {
        if (typeof v === 'string') return v;
        try { return JSON.stringify(v); } catch (e) { return String(v); }
    }

    /* ---- templates ---- */
    /* One {{ }} segment, evaluated as n8n evaluates it: an error of the
     * expression language itself (a node that doesn't exist, paired-item
     * data, an extension method such as toNumber(), $jmespath's argument
     * checks) fails the node; any other error (a TypeError from reading
     * past a missing field, a value user code throws) makes the segment
     * undefined, so the parameter is null and a text template skips it.
     * n8n does that silently; sluice logs each distinct message once per
     * execution, so nothing is lost without a trace. */
    const warned = new Set();
    const failsExpression = (e) => e !== null && typeof e === 'object' &&
        (e.name === 'ExpressionError' || e.name === 'ExpressionExtensionError' || e.__sl_fail === true);
    hide(g, '__sl_try', function (segment) {
        try {
            return segment();
        } catch (e) {
            if (failsExpression(e) || S.terminated()) throw e;
            const m = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
            if (warned.size < 100 && !warned.has(m)) {
                warned.add(m);
                S.log(`expression error ignored, the value is empty (as in n8n): ${m}`);
            }
            return undefined;
        }
    });
    hide(g, '__sl_cat', function (parts) {
        let s = '';
        for (const v of parts) {
            if (v === null || v === undefined) continue;
            if (typeof v === 'object') {
                if (g.luxon && v instanceof g.luxon.DateTime) s += v.toISO();
                else if (v instanceof Date) s += v.toISOString();
                else s += JSON.stringify(v);
            } else s += String(v);
        }
        return s;
    });
    hide(g, '__sl_compile', function (body) {
        return new Function('"use strict"; return (' + body + ');');
    });
    /* A template's value for the C side: a luxon DateTime as its ISO text
     * (as n8n prints it), anything else as it is. */
    hide(g, '__sl_out', function (v) {
        if (g.luxon && v instanceof g.luxon.DateTime) return v.toISO();
        return v;
    });
    /* The same for a node that takes dates as dates (sl_js_keep_dates):
     * a DateTime keeps its zone, tagged for src/js/datetime.js, and a Date
     * becomes its time in ms (what Number() makes of it). */
    hide(g, '__sl_out_dates', function (v) {
        if (v !== null && typeof v === 'object') {
            if (v instanceof Date) return v.getTime();
            if (g.luxon && v instanceof g.luxon.DateTime) return { __sl_luxon: v.toISO(), zone: v.zoneName };
        }
        return v;
    });

    /* ---- Code and Function nodes ---- */
    const ITEM_KEYS = new Set(['json', 'binary', 'pairedItem', 'error', 'metadata', 'index']);
    const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date);
    class ValidationError extends Error {
        constructor(message, description, itemIndex) {
            super(itemIndex === undefined ? message : `${message} [item ${itemIndex}]`);
            this.description = description;
            this.validation = true;
        }
    }
    function normalizeItems(data) {
        if (!Array.isArray(data)) data = [data];
        if (data.every((i) => typeof i === 'object' && i !== null && 'json' in i)) return data;
        if (data.some((i) => typeof i === 'object' && i !== null && 'json' in i))
            throw new ValidationError('Inconsistent item format', 'Return either all items with a json key or none.');
        if (data.every((i) => typeof i === 'object' && i !== null && 'binary' in i))
            return data.map((i) => { const r = { json: {} }; for (const k of Object.keys(i)) r[k] = i[k]; return r; });
        return data.map((i) => ({ json: i }));
    }
    function validateItem(item, index) {
        if (item.json === undefined || !isObject(item.json))
            throw new ValidationError("A 'json' property isn't an object", "In the returned data, every key named 'json' must point to an object.", index);
        if (item.binary !== undefined && !isObject(item.binary))
            throw new ValidationError("A 'binary' property isn't an object", "In the returned data, every key named 'binary' must point to an object.", index);
    }
    function validateTopLevelKeys(item, index) {
        let reserved = null;
        const unknown = [];
        for (const k in item) {
            if (!Object.prototype.hasOwnProperty.call(item, k)) continue;
            if (ITEM_KEYS.has(k)) reserved = reserved || k;
            else unknown.push(k);
        }
        if (unknown.length) {
            if (reserved)
                throw new ValidationError(`Invalid output format`, `An output item contains the reserved key '${reserved}'. To get around this, please wrap each item in an object, under a key called 'json'.`, index);
            throw new ValidationError(`Unknown top-level item key: ${unknown[0]}`, 'Access the properties of an item under `.json`, e.g. `item.json`', index);
        }
    }
    function validateAll(result) {
        const improper = () => new ValidationError("Code doesn't return items properly",
            'Please return an array of objects, one for each item you would like to output.');
        if (typeof result !== 'object' || result === null) throw improper();
        if (Array.isArray(result)) {
            for (const it of result)
                if (!isObject(it)) throw improper();
            if (result.some((it) => Object.keys(it).some((k) => ITEM_KEYS.has(k))))
                result.forEach(validateTopLevelKeys);
        }
        const out = normalizeItems(result);
        out.forEach(validateItem);
        return out;
    }
    function validateEach(result, index) {
        if (typeof result !== 'object' || result === null)
            throw new ValidationError("Code doesn't return an object", `Please return an object representing the output item. ('${result}' was returned instead.)`, index);
        if (Array.isArray(result)) {
            const first = result.length > 0 ? `An array of ${typeof result[0]}s was returned.` : 'An empty array was returned.';
            throw new ValidationError("Code doesn't return a single object", `${first} If you need to output multiple items, please use the 'Run Once for All Items' mode instead.`, index);
        }
        const [item] = normalizeItems([result]);
        validateItem(item, index);
        validateTopLevelKeys(item, index);
        return item;
    }
    /* How n8n's Code node (ExecutionError) words an Error. It reads the
     * stack text: the first line that contains "Error:", less a leading
     * "Error: ", is split at its first ": " into a type (the description)
     * and the message; the line number is that of the innermost frame in
     * the user's code ("Code"), which V8 lists only among the ten innermost
     * frames (Error.stackTraceLimit). Errors made by the user's code reach
     * it as "Error: " + String(error) (so their message stays whole), those
     * made by the helpers it calls ($jmespath, ...) as V8 prints them,
     * "Name: message". */
    function codeErrorInfo(e, index) {
        let line, user = true;
        if (typeof e.stack === 'string') {
            const frames = e.stack.split('\n');
            user = /(?:^|@)Code:\d+:\d+$/.test(frames[0]);
            for (const f of frames.slice(0, 10)) {
                const m = /(?:^|@)Code:(\d+):\d+$/.exec(f);
                if (m) { line = +m[1]; break; }
            }
        } else if (typeof e.line === 'number') line = e.line;
        const where = line === undefined ? '' : index === undefined ? `[line ${line}]` : `[line ${line}, for item ${index}]`;
        const name = e.name === undefined ? 'Error' : String(e.name);
        const msg = e.message === undefined ? '' : String(e.message);
        const head = (user ? 'Error: ' : '') + (!name ? msg : !msg ? name : `${name}: ${msg}`);
        let row = head.split('\n').find((l) => l.includes('Error:'));
        if (row === undefined) return { message: `Unknown error ${where}`, description: null };
        row = row.replace(/^Error: /, '');
        const i = row.indexOf(': ');
        const type = i < 0 ? null : row.slice(0, i).trim();
        const details = (i < 0 ? row : row.slice(i + 2)).trim();
        const description = type === 'Error' ? null : type;
        if (!details) return { message: `Unknown error ${where}`, description };
        return { message: `${details} ${where}`.trim(), description };
    }
    function errorInfo(e, index, code) {
        if (e && e.validation) return { message: e.message, description: e.description || null };
        if (code && e instanceof Error)
            return Object.assign(codeErrorInfo(e, index), { terminated: S.terminated() });
        let message;
        if (e instanceof Error) message = e.message;
        else if (typeof e === 'string') message = e;
        else {
            try { message = JSON.stringify(e); } catch (x) { message = String(e); }
        }
        const line = e && typeof e === 'object' && typeof e.line === 'number' ? e.line : undefined;
        if (line !== undefined)
            message += index === undefined ? ` [line ${line}]` : ` [line ${line}, for item ${index}]`;
        return { message, description: (e && e.description) || null, terminated: S.terminated() };
    }
    /* luxon's DateTime and Date serialise themselves through toJSON(); a
     * replacer function would cost a call per value. */
    function toPlain(items) {
        return JSON.stringify(items);
    }

    /* Where __sl_run_code leaves its result, for sluice to read as a
     * property (no call into JavaScript): codeOut.state. */
    const codeOut = { state: null };
    hide(g, '__sl_code_out', codeOut);
    /* mode: 0 all items, 1 each item, 2 Function, 3 Function Item.
     * Sets codeOut.state to {items: JSON text} or {error: {...}}. */
    hide(g, '__sl_run_code', function (fn, mode, continueOnFail, nItems) {
        codeOut.state = null;
        const finish = (v) => { codeOut.state = v; };
        (async () => {
            if (mode === 0 || mode === 2) {
                hide(g, 'items', inputAll());
                let r;
                try {
                    r = await fn();
                    if (mode === 2) {
                        /* n8n's Function node runs helpers.normalizeItems()
                         * first: plain objects become {json: object}. */
                        if (typeof r === 'object' && r !== null) r = normalizeItems(r);
                        if (!Array.isArray(r)) throw new ValidationError('The code doesn\'t return an array of arrays. Please return an array with one array inside', undefined);
                        r.forEach(validateItem);
                        return finish({ items: toPlain(r) });
                    }
                    return finish({ items: toPlain(validateAll(r)) });
                } catch (e) {
                    const info = errorInfo(e, undefined, mode === 0);
                    if (continueOnFail) return finish({ items: toPlain([{ json: { error: info.message } }]) });
                    return finish({ error: info });
                }
            }
            const out = [];
            const all = inputAll();
            for (let i = 0; i < nItems; i++) {
                S.setIndex(i);
                const src = all[i];
                try {
                    if (mode === 3) {
                        hide(g, 'item', src.json);
                        const r = await fn();
                        if (typeof r !== 'object' || r === null || Array.isArray(r))
                            throw new ValidationError('The function did not return an object!', undefined, undefined);
                        const o = { json: r, pairedItem: { item: i } };
                        if (src.binary) o.binary = src.binary;
                        out.push(o);
                    } else {
                        hide(g, 'item', src);
                        const r = validateEach(await fn(), i);
                        if (r.pairedItem === undefined) r.pairedItem = { item: i };
                        out.push(r);
                    }
                } catch (e) {
                    const info = errorInfo(e, mode === 1 ? i : undefined, mode === 1);
                    if (continueOnFail && !info.terminated) { out.push({ json: { error: info.message }, pairedItem: { item: i } }); continue; }
                    return finish({ error: info });
                }
            }
            finish({ items: toPlain(out) });
        })();
    });
    hide(g, '__sl_regex_test', function (source, flags, subject) {
        return new RegExp(source, flags).test(subject);
    });
    hide(g, '__sl_regex_replace', function (source, flags, subject, replacement) {
        return subject.replace(new RegExp(source, flags), replacement);
    });
    /* Sort node "code" type: n8n runs items.sort((a, b) => { code }) on
     * V8, whose TimSort orders short arrays (under 64) by one natural run
     * plus binary insertion. That is reproduced here, for every length, so
     * an inconsistent comparator gives V8's order; the comparator body is
     * sloppy-mode code, as in n8n's vm. Returns the sorted input indices. */
    hide(g, '__sl_sort_code', function (body, items) {
        const cmpfn = new Function('items', 'return function (a, b) {' + body + '\n};')(items);
        const cmp = (x, y) => {
            const v = +cmpfn(items[x], items[y]);
            return v !== v ? 0 : v;
        };
        const idx = items.map((_, i) => i);
        const n = idx.length;
        if (n < 2) return idx;
        let run = 2;
        const desc = cmp(idx[1], idx[0]) < 0;
        for (let i = 2; i < n; i++) {
            const o = cmp(idx[i], idx[i - 1]);
            if (desc ? o >= 0 : o < 0) break;
            run++;
        }
        if (desc) {
            for (let lo = 0, hi = run - 1; lo < hi; lo++, hi--) {
                const t = idx[lo]; idx[lo] = idx[hi]; idx[hi] = t;
            }
        }
        for (let start = run; start < n; start++) {
            const pivot = idx[start];
            let left = 0, right = start;
            while (left < right) {
                const mid = left + ((right - left) >> 1);
                if (cmp(pivot, idx[mid]) < 0) right = mid; else left = mid + 1;
            }
            for (let p = start; p > left; p--) idx[p] = idx[p - 1];
            idx[left] = pivot;
        }
        return idx;
    });
    const codeReset = function () { codeOut.state = null; allCache = null; itemCache = []; g.items = undefined; g.item = undefined; };
    hide(g, '__sl_code_reset', codeReset);
    /* A runtime serves one execution after another on its thread (see
     * js.h): the globals an execution adds are removed when it ends. The
     * baseline is what sluice itself defines, libraries loaded on demand
     * included. */
    const baseline = new Set();
    hide(g, '__sl_global_names', function () { return Object.getOwnPropertyNames(g); });
    hide(g, '__sl_globals_adopt', function (before) {
        const had = new Set(before);
        for (const k of Object.getOwnPropertyNames(g)) if (!had.has(k)) baseline.add(k);
    });
    /* Only enumerable globals are looked at: what code creates by
     * assignment, globalThis.x = ... or a declaration is enumerable, while
     * the hundreds of built-ins are not, and listing them all on every
     * execution would cost more than a small execution itself. */
    /* Between executions: the Code state and what code added to the globals. */
    hide(g, '__sl_globals_reset', function () {
        codeReset();
        for (const k of Object.keys(g)) {
            if (baseline.has(k)) continue;
            if (!delete g[k]) { try { g[k] = undefined; } catch (e) { /* read-only */ } }
        }
    });
    delete g.__sl_prelude;
})();
