/*
 * The date arithmetic of the Date & Time node (src/nodes/dateTime.c),
 * evaluated in the execution's JavaScriptCore context on first use, after
 * moment (from npm, see scripts/package.json); moment-timezone follows
 * when a version 1 date first changes zone.
 *
 * Version 1 works with moment (format tokens such as "YYYY/MM/DD", "X",
 * "x"), version 2 with luxon ("yyyy/MM/dd"); both parse strings the way
 * n8n's node does, through moment. The C side reads the parameters and
 * builds the items; each call here computes one item's value:
 *
 *   __sl_datetime.v1(params, workflowZone) -> {value} or {skip: true}
 *   __sl_datetime.v2(params, workflowZone) -> {value} (may lack value), or {skip: true}
 *
 * A failure throws an Error whose message is the node's error text.
 * Parameter values that were luxon DateTimes arrive tagged as
 * {__sl_luxon: ISO text, zone: zone name} (see sl_js_keep_dates) and
 * are rebuilt here, zone included.
 */
(function (g) {
    'use strict';
    /* moment stays out of the globals user code sees, as in n8n */
    const moment = g.moment;
    delete g.moment;
    moment.suppressDeprecationWarnings = true;

    /* ------------------------------------------- V8's Date string parser
     * n8n runs on V8, whose `new Date(text)` accepts far more than the ES
     * date format (and more than JavaScriptCore): "1.2.2023 9:07",
     * "March 7", "2023-02-30" (rolled over to March 2), ... moment falls
     * back to it for text it cannot read itself, and version 1's calculate
     * uses it directly. This is that parser's algorithm: an ES date-time
     * first, then the legacy word-and-number rules. Returns ms or NaN. */
    const KEYWORDS = {
        jan: ['month', 1], feb: ['month', 2], mar: ['month', 3], apr: ['month', 4],
        may: ['month', 5], jun: ['month', 6], jul: ['month', 7], aug: ['month', 8],
        sep: ['month', 9], oct: ['month', 10], nov: ['month', 11], dec: ['month', 12],
        am: ['ampm', 0], pm: ['ampm', 12], ut: ['zone', 0], utc: ['zone', 0], z: ['zone', 0],
        gmt: ['zone', 0], cdt: ['zone', -5], cst: ['zone', -6], edt: ['zone', -4],
        est: ['zone', -5], mdt: ['zone', -6], mst: ['zone', -7], pdt: ['zone', -7],
        pst: ['zone', -8], t: ['tsep', 0],
    };
    const WS = /[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/;

    function tokenize(text) {
        const out = [];
        let i = 0;
        while (i < text.length) {
            const c = text[i];
            if (c >= '0' && c <= '9') {
                const start = i;
                while (text[i] === '0') i++;
                let n = 0, digits = 0;
                while (i < text.length && text[i] >= '0' && text[i] <= '9') {
                    if (digits < 9) n = n * 10 + (text.charCodeAt(i) - 48);
                    digits++;
                    i++;
                }
                out.push({ t: 'num', n, len: i - start });
            } else if (c === ':' || c === '-' || c === '+' || c === '.' || c === ')') {
                out.push({ t: 'sym', c });
                i++;
            } else if (c >= 'A' && !WS.test(c)) {
                const start = i;
                while (i < text.length && text[i] >= 'A' && !WS.test(text[i])) i++;
                const word = text.slice(start, i), len = word.length;
                const pre = word.slice(0, 3).toLowerCase();
                const kw = Object.prototype.hasOwnProperty.call(KEYWORDS, pre) ? KEYWORDS[pre] : null;
                /* only month names may be longer than their three letters */
                const known = kw && (len <= 3 || kw[0] === 'month');
                out.push(known ? { t: 'kw', type: kw[0], v: kw[1], len } : { t: 'kw', type: 'word', len });
            } else if (WS.test(c)) {
                while (i < text.length && WS.test(text[i])) i++;
                out.push({ t: 'ws' });
            } else if (c === '(') {
                let depth = 0;
                do {
                    if (text[i] === '(') depth++;
                    else if (text[i] === ')') depth--;
                    i++;
                } while (depth > 0 && i < text.length);
                out.push({ t: 'unknown' });
            } else {
                out.push({ t: 'unknown' });
                i++;
            }
        }
        return out;
    }

    function v8Parse(text) {
        const toks = tokenize(text);
        let pos = 0;
        const END = { t: 'end' };
        const peek = () => toks[pos] || END;
        const next = () => toks[pos++] || END;
        const isSym = (tk, c) => tk.t === 'sym' && tk.c === c;
        const skip = (c) => (isSym(peek(), c) ? (pos++, true) : false);
        const fixed = (tk, n) => tk.t === 'num' && tk.len === n;
        const isSign = (tk) => isSym(tk, '+') || isSym(tk, '-');
        const between = (x, a, b) => x >= a && x <= b;
        const isMonth = (x) => between(x, 1, 12), isDay = (x) => between(x, 1, 31);
        const isHour = (x) => between(x, 0, 23), isMinute = (x) => between(x, 0, 59);
        const isZ = (tk) => tk.t === 'kw' && tk.type === 'zone' && tk.len === 1 && tk.v === 0;
        const ms3 = (tk) => {
            let n = tk.n, len = tk.len;
            if (len === 1) return n * 100;
            if (len === 2) return n * 10;
            if (len > 3) {
                if (len > 9) len = 9;
                let f = 1;
                do { f *= 10; len--; } while (len > 3);
                return Math.floor(n / f);
            }
            return n;
        };
        const day = { comp: [], named: null, iso: false };
        const time = { comp: [], hourOffset: null };
        const tz = { sign: null, hour: null, minute: null };
        const dayAdd = (n) => (day.comp.length < 3 ? (day.comp.push(n), true) : false);
        const timeAdd = (n) => (time.comp.length < 4 ? (time.comp.push(n), true) : false);
        const timeFinal = (n) => {
            if (!timeAdd(n)) return false;
            while (time.comp.length < 4) time.comp.push(0);
            return true;
        };
        const timeExpecting = (n) => {
            const k = time.comp.length;
            return (k === 1 && isMinute(n)) || (k === 2 && isMinute(n)) || (k === 3 && between(n, 0, 999));
        };
        const tzSet = (h) => { tz.sign = h < 0 ? -1 : 1; tz.hour = Math.abs(h); tz.minute = 0; };
        const tzExpecting = (n) => tz.hour !== null && tz.minute === null && isMinute(n);
        const tzIsUTC = () => tz.hour === 0 && tz.minute === 0;

        /* ES date-time: [+-yy]yyyy[-MM[-DD]][THH:mm[:ss[.sss]][Z|+-hh:mm]] */
        const es = (() => {
            if (isSign(peek())) {
                const sign = next();
                if (!fixed(peek(), 6)) return sign;
                const y = next().n;
                if (sign.c === '-' && y === 0) return sign;
                dayAdd(sign.c === '-' ? -y : y);
            } else if (fixed(peek(), 4)) {
                dayAdd(next().n);
            } else {
                return next();
            }
            if (skip('-')) {
                if (!fixed(peek(), 2) || !isMonth(peek().n)) return next();
                dayAdd(next().n);
                if (skip('-')) {
                    if (!fixed(peek(), 2) || !isDay(peek().n)) return next();
                    dayAdd(next().n);
                }
            }
            const p = peek();
            if (!(p.t === 'kw' && p.type === 'tsep')) {
                if (p.t !== 'end') return next();
            } else {
                next();
                if (!fixed(peek(), 2) || !between(peek().n, 0, 24)) return null;
                const h24 = peek().n === 24;
                timeAdd(next().n);
                if (!skip(':')) return null;
                if (!fixed(peek(), 2) || !isMinute(peek().n) || (h24 && peek().n > 0)) return null;
                timeAdd(next().n);
                if (skip(':')) {
                    if (!fixed(peek(), 2) || !isMinute(peek().n) || (h24 && peek().n > 0)) return null;
                    timeAdd(next().n);
                    if (skip('.')) {
                        if (peek().t !== 'num' || (h24 && peek().n > 0)) return null;
                        timeAdd(ms3(next()));
                    }
                }
                if (isZ(peek())) {
                    next();
                    tzSet(0);
                } else if (isSign(peek())) {
                    tz.sign = next().c === '+' ? 1 : -1;
                    if (fixed(peek(), 4)) {
                        const hm = next().n, h = Math.floor(hm / 100), m = hm % 100;
                        if (!isHour(h) || !isMinute(m)) return null;
                        tz.hour = h;
                        tz.minute = m;
                    } else {
                        if (!fixed(peek(), 2) || !isHour(peek().n)) return null;
                        tz.hour = next().n;
                        if (!skip(':')) return null;
                        if (!fixed(peek(), 2) || !isMinute(peek().n)) return null;
                        tz.minute = next().n;
                    }
                }
                if (peek().t !== 'end') return null;
            }
            if (tz.hour === null && time.comp.length === 0) tzSet(0);
            day.iso = true;
            return END;
        })();
        if (es === null) return NaN;

        let hasNumber = day.comp.length > 0;
        for (let tk = es; tk.t !== 'end'; tk = next()) {
            if (tk.t === 'num') {
                hasNumber = true;
                const n = tk.n;
                if (skip(':')) {
                    if (skip(':')) {
                        if (time.comp.length) return NaN;
                        timeAdd(n);
                        timeAdd(0);
                    } else {
                        if (!timeAdd(n)) return NaN;
                        if (isSym(peek(), '.')) next();
                    }
                } else if (skip('.') && timeExpecting(n)) {
                    timeAdd(n);
                    if (peek().t !== 'num') return NaN;
                    const ms = ms3(next());
                    if (ms < 0) return NaN;
                    timeFinal(ms);
                } else if (tzExpecting(n)) {
                    tz.minute = n;
                } else if (timeExpecting(n)) {
                    timeFinal(n);
                    const p = peek();
                    if (p.t !== 'end' && p.t !== 'ws' && !isZ(p) && !isSign(p)) return NaN;
                } else {
                    if (!dayAdd(n)) return NaN;
                    skip('-');
                }
            } else if (tk.t === 'kw') {
                if (tk.type === 'ampm' && time.comp.length) {
                    time.hourOffset = tk.v;
                } else if (tk.type === 'month') {
                    day.named = tk.v;
                    skip('-');
                } else if (tk.type === 'zone' && hasNumber) {
                    tzSet(tk.v);
                } else {
                    if (hasNumber) return NaN;
                    if (peek().t === 'num') return NaN;
                }
            } else if (isSign(tk) && (tzIsUTC() || time.comp.length)) {
                tz.sign = tk.c === '-' ? -1 : 1;
                let n = 0, len = 0;
                if (peek().t === 'num') {
                    const num = next();
                    len = num.len;
                    n = num.n;
                }
                hasNumber = true;
                if (isSym(peek(), ':')) {
                    tz.hour = n;
                    tz.minute = null;
                } else if (len === 1 || len === 2) {
                    tz.hour = n;
                    tz.minute = 0;
                } else if (len === 3 || len === 4) {
                    tz.hour = Math.floor(n / 100);
                    tz.minute = n % 100;
                } else {
                    return NaN;
                }
            } else if ((isSign(tk) || isSym(tk, ')')) && hasNumber) {
                return NaN;
            }
        }

        /* the day: month and day default to 1, the year to 2001 */
        if (day.comp.length < 1) return NaN;
        while (day.comp.length < 3) day.comp.push(1);
        const c = day.comp;
        let year, month, dd;
        if (day.named === null) {
            if (day.iso || !isDay(c[0])) {
                year = c[0]; month = c[1]; dd = c[2];
            } else {
                month = c[0]; dd = c[1]; year = c[2];
            }
        } else {
            month = day.named;
            if (!isDay(c[0])) {
                year = c[0]; dd = c[1];
            } else {
                dd = c[0]; year = c[1];
            }
        }
        if (!day.iso) {
            if (between(year, 0, 49)) year += 2000;
            else if (between(year, 50, 99)) year += 1900;
        }
        if (!isMonth(month) || !isDay(dd)) return NaN;
        while (time.comp.length < 4) time.comp.push(0);
        let [hour, minute, second, milli] = time.comp;
        if (time.hourOffset !== null) {
            if (!between(hour, 0, 12)) return NaN;
            hour = (hour % 12) + time.hourOffset;
        }
        if (!isHour(hour) || !isMinute(minute) || !isMinute(second) || !between(milli, 0, 999)) {
            if (hour !== 24 || minute !== 0 || second !== 0 || milli !== 0) return NaN;
        }
        if (tz.sign !== null) {
            const seconds = (tz.hour || 0) * 3600 + (tz.minute || 0) * 60;
            if (seconds > 0x3fffffff) return NaN;
            const utc = new Date(0);
            utc.setUTCFullYear(year, month - 1, dd);
            utc.setUTCHours(hour, minute, second, milli);
            const ms = utc.getTime() - tz.sign * seconds * 1000;
            return Math.abs(ms) <= 8.64e15 ? ms : NaN;
        }
        const local = new Date(0);
        local.setFullYear(year, month - 1, dd);
        local.setHours(hour, minute, second, milli);
        return local.getTime();
    }

    /* `new Date(value)` as V8 makes it. */
    function v8Date(value) {
        let v = value;
        if (v instanceof Date) return new Date(v.getTime());
        if (v !== null && typeof v === 'object') {
            v = v.valueOf();
            if (v !== null && typeof v === 'object') v = String(v);
        }
        return typeof v === 'string' ? new Date(v8Parse(v)) : new Date(v);
    }

    moment.createFromInputFallback = function (config) {
        config._d = v8Date(config._i + (config._useUTC ? ' UTC' : ''));
    };

    /* moment-timezone is loaded on first need (see js.c) */
    let zonesLoaded = false;
    function withZones() {
        if (!zonesLoaded) {
            g.moment = moment; /* moment-timezone extends the global moment */
            try {
                g.__sl_load_moment_tz();
            } finally {
                delete g.moment;
            }
            zonesLoaded = true;
        }
    }

    function DT() {
        return g.luxon.DateTime;
    }

    /* A tagged DateTime back to a luxon DateTime; anything else as is. */
    function revive(v) {
        if (v !== null && typeof v === 'object' && !Array.isArray(v) &&
            Object.prototype.hasOwnProperty.call(v, '__sl_luxon')) {
            if (typeof v.__sl_luxon !== 'string') return DT().invalid('invalid input');
            return DT().fromISO(v.__sl_luxon, { setZone: true }).setZone(v.zone);
        }
        return v;
    }

    /* V8's words for reading `includes` of something that lacks it. */
    function needString(v) {
        if (v === null || v === undefined)
            throw new TypeError(`Cannot read properties of ${v} (reading 'includes')`);
        if (typeof v.includes !== 'function') throw new TypeError('date.includes is not a function');
    }

    /* ---------------------------------------------------------- version 1 */

    function v1Format(p, zone) {
        const options = p.options || {};
        let date = revive(p.value);
        if (date instanceof DT()) date = date.toISO();
        if (!Number.isNaN(Number(date))) {
            date = Number(date);
            /* a float is taken as seconds with a fraction */
            if (!Number.isInteger(date)) date = date * 1000;
        }
        if (date === undefined) return { skip: true };
        if (options.fromFormat === undefined && !moment(date).isValid())
            throw new Error('The date input format could not be recognized. Please set the "From Format" field');
        let m;
        if (Number.isInteger(date)) {
            /* fewer than 12 digits: seconds, else milliseconds */
            m = String(date).length < 12 ? moment.unix(date) : moment(date);
        } else if (options.fromTimezone || options.toTimezone) {
            withZones();
            const from = options.fromTimezone || zone;
            m = options.fromFormat ? moment.tz(date, options.fromFormat, from) : moment.tz(date, from);
        } else {
            m = options.fromFormat ? moment(date, options.fromFormat) : moment(date);
        }
        if (options.toTimezone || options.fromTimezone) {
            withZones();
            m = m.tz(options.toTimezone || zone);
        }
        return { value: m.format(p.toFormat) };
    }

    function v1Calculate(p) {
        const options = p.options || {};
        const value = revive(p.value);
        let m;
        if (options.fromFormat) {
            m = moment(value, options.fromFormat, true);
            if (!moment(m).isValid())
                throw new Error('Date input cannot be parsed. Please recheck the value and the "From Format" field.');
        } else {
            const unrecognized = 'Unrecognized date input. Please specify a format in the "From Format" field.';
            let iso;
            try {
                iso = v8Date(value).toISOString();
            } catch (e) {
                throw new Error(unrecognized);
            }
            if (!moment(iso).isValid()) throw new Error(unrecognized);
            m = moment(iso);
        }
        if (p.operation === 'add') m.add(p.duration, p.timeUnit);
        else m.subtract(p.duration, p.timeUnit);
        return { value: m.toISOString() };
    }

    /* ---------------------------------------------------------- version 2 */

    /* n8n's parseDate: `timezone` is the zone the result is set to (none:
     * an offset in the text, else UTC); text read with `fromFormat` is wall
     * time in `workflowZone`, luxon's default zone in n8n. */
    function parseDate(input, timezone, fromFormat, workflowZone) {
        let date = revive(input);
        if (date instanceof DT()) return date;
        if (!Number.isNaN(Number(date)) && !fromFormat) {
            date = Number(date);
            if (!Number.isInteger(date)) date = date * 1000;
        }
        let zone = timezone;
        let parsed;
        if (Number.isInteger(date)) {
            parsed = String(date).length < 12 ? DT().fromSeconds(date) : DT().fromMillis(date);
        } else {
            /* an offset such as "+02:00" picks the matching Etc/GMT zone */
            if (!zone && (needString(date), date.includes('+'))) zone = `Etc/GMT-${date.split('+')[1].slice(0, 2) * 1}`;
            parsed = fromFormat ? DT().fromFormat(date, fromFormat, { zone: workflowZone }) : DT().fromISO(moment(date).toISOString());
        }
        parsed = parsed.setZone(zone || 'Etc/UTC');
        if (parsed.invalidReason === 'unparsable') throw new Error('Invalid date format');
        return parsed;
    }

    const v2 = {
        getCurrentDate(p, zone) {
            const z = (p.options || {}).timezone || zone;
            if (DT().now().setZone(z).invalidReason === 'unsupported zone')
                throw new Error(`The timezone ${z} is not valid. Please check the timezone.`);
            const now = DT().now().setZone(z);
            return { value: (p.includeTime ? now : now.startOf('day')).toString() };
        },
        addToDate(p, zone) {
            const d = parseDate(p.magnitude, zone);
            return { value: d.plus({ [p.timeUnit]: p.duration }).toString() };
        },
        subtractFromDate(p, zone) {
            const d = parseDate(p.magnitude, zone);
            return { value: d.minus({ [p.timeUnit]: p.duration }).toString() };
        },
        formatDate(p, zone) {
            const date = revive(p.date);
            if (date === null || date === undefined) return { value: date };
            const options = p.options || {};
            const d = parseDate(date, options.timezone ? zone : undefined, options.fromFormat, zone);
            return { value: d.toFormat(p.format === 'custom' ? p.customFormat : p.format) };
        },
        roundDate(p, zone) {
            const d = parseDate(p.date, zone);
            if (p.mode === 'roundDown') return { value: d.startOf(p.toNearest).toString() };
            if (p.mode === 'roundUp') return { value: d.plus({ [p.to]: 1 }).startOf(p.to).toString() };
            return {};
        },
        getTimeBetweenDates(p, zone) {
            const start = parseDate(p.startDate, zone);
            const end = parseDate(p.endDate, zone);
            const duration = end.diff(start, p.units);
            return { value: (p.options || {}).isoString ? duration.toString() : duration.toObject() };
        },
        extractDate(p, zone) {
            const d = parseDate(p.date, zone);
            return { value: p.part === 'week' ? d.weekNumber : d.get(p.part) };
        },
    };

    Object.defineProperty(g, '__sl_datetime', {
        value: {
            v1(p, zone) {
                if (p.action === 'format') return v1Format(p, zone);
                if (p.action === 'calculate') return v1Calculate(p);
                return { skip: true };
            },
            v2(p, zone) {
                return Object.prototype.hasOwnProperty.call(v2, p.operation) ? v2[p.operation](p, zone) : { skip: true };
            },
        },
    });
})(globalThis);
