/*
 * The date arithmetic of the Date & Time node (src/nodes/dateTime.c),
 * evaluated in the execution's JavaScriptCore context on first use, after
 * moment and moment-timezone (both from npm, see scripts/package.json).
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
    const moment = g.moment;
    moment.suppressDeprecationWarnings = true;

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
            const from = options.fromTimezone || zone;
            m = options.fromFormat ? moment.tz(date, options.fromFormat, from) : moment.tz(date, from);
        } else {
            m = options.fromFormat ? moment(date, options.fromFormat) : moment(date);
        }
        if (options.toTimezone || options.fromTimezone) m = m.tz(options.toTimezone || zone);
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
                iso = new Date(value).toISOString();
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

    function parseDate(input, timezone, fromFormat) {
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
            needString(date);
            /* an offset such as "+02:00" picks the matching Etc/GMT zone */
            if (!zone && date.includes('+')) zone = `Etc/GMT-${date.split('+')[1].slice(0, 2) * 1}`;
            parsed = fromFormat ? DT().fromFormat(date, fromFormat) : DT().fromISO(moment(date).toISOString());
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
            const d = parseDate(date, options.timezone ? zone : undefined, options.fromFormat);
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
