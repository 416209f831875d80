/*
 * extensions.js - n8n's expression extension methods for sluice's JavaScript contexts.
 *
 * n8n lets expressions call helper methods on plain values: 'a@b.co'.isEmail(),
 * [1, 2].sum(), {a: 1}.keys(), $now.plus(7, 'days'), and so on. n8n does it by
 * rewriting `x.name(args)` into `extend(x, 'name', args)` before evaluation. sluice
 * does not rewrite source; instead this file, evaluated once in a fresh global
 * context, installs the same methods as non-enumerable properties on the built-in
 * prototypes, so `for...in`, Object.keys and JSON.stringify never see them.
 *
 * Rules that keep ordinary code working:
 *   - A name that a prototype already owns is never replaced: native methods win
 *     (String.prototype.includes, Array.prototype.keys, String.prototype.length...).
 *   - Every installed method dispatches on the receiver's type exactly like n8n's
 *     extend(): arrays, then ISO-8601 UTC date strings (treated as Dates), strings,
 *     numbers, Dates and luxon DateTimes, other objects, booleans. Calling a method
 *     on a type that lacks it throws n8n's message, e.g.
 *     `keys() is only callable on type "Object"`.
 *   - Object.prototype only receives the object extensions (isEmpty, hasField,
 *     keys, values, compact, merge, ...). hasField() ignores these inherited names.
 *
 * luxon is optional and loaded lazily by sluice, so it is looked up only inside
 * method bodies (globalThis.luxon, or globalThis.DateTime). The DateTime-specific
 * methods ($now.format(), .extract(), .beginningOf(), the (n, unit) form of
 * .plus()/.minus() ...) are added to luxon.DateTime.prototype by
 * globalThis.__sl_install_luxon_extensions(); sluice should call it once right after
 * it defines the luxon global. It also runs by itself the first time any method
 * here needs luxon. luxon's own getter `isWeekend` is left alone (native wins).
 *
 * Native hooks this file uses when present:
 *   globalThis.__sl_hash(algo, text) -> lowercase hex digest of text's UTF-8 bytes.
 *     algo is an OpenSSL digest name: md5, sha1, sha224, sha256, sha384, sha512,
 *     sha3-512 (n8n's 'sha3' means SHA3-512). Without it, .hash() throws
 *     "hash() is not available" (except .hash('base64'), done here).
 *
 * Globals defined (non-enumerable): $if, $ifEmpty, $min, $max, $not, $average,
 * __sl_extend(value, name, args) (n8n's extend(), for a caller that rewrites
 * calls itself, e.g. to support "abc".length() or null.isEmpty()), and
 * __sl_install_luxon_extensions([luxon]).
 *
 * Plain ES2020: no modules, no Node or DOM APIs (no URL, URLSearchParams, btoa,
 * TextEncoder, crypto), since JavaScriptCore's bare context has none of them.
 * Behaviour follows n8n's packages/workflow/src/extensions and its tests; the code
 * is written for sluice.
 */
(function () {
    'use strict';

    var G = globalThis;
    if (Object.prototype.hasOwnProperty.call(G, '__sl_extend')) {
        return; /* already installed in this context */
    }

    var hasOwn = function (o, k) {
        return Object.prototype.hasOwnProperty.call(o, k);
    };
    var toTag = function (v) {
        return Object.prototype.toString.call(v);
    };

    /* Methods this file installed; never treated as "native" by the dispatcher. */
    var OURS = new WeakSet();

    function define(obj, name, value) {
        Object.defineProperty(obj, name, {
            value: value,
            writable: true,
            enumerable: false,
            configurable: true,
        });
    }

    /* Define an own field without going through an inherited setter (__proto__). */
    function defineField(obj, key, value) {
        Object.defineProperty(obj, key, {
            value: value,
            writable: true,
            enumerable: true,
            configurable: true,
        });
    }

    class ExpressionExtensionError extends Error {
        constructor(message, description) {
            super(message);
            this.name = 'ExpressionExtensionError';
            if (description !== undefined) this.description = description;
        }
    }
    var fail = function (message, description) {
        return new ExpressionExtensionError(message, description);
    };

    /* ------------------------------------------------------------------ */
    /* Type helpers                                                        */
    /* ------------------------------------------------------------------ */

    function isDateTime(v) {
        return v !== null && typeof v === 'object' && v.isLuxonDateTime === true;
    }

    function isJsDate(v) {
        return v !== null && typeof v === 'object' && toTag(v) === '[object Date]';
    }

    /* n8n treats a string that is exactly a Date#toISOString() result as a Date. */
    function isIsoDateString(s) {
        if (s.length < 24 || s.charCodeAt(s.length - 1) !== 90 /* Z */) return false;
        if (!/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}.\d{3}Z/.test(s)) return false;
        var d = new Date(s);
        return !isNaN(d.valueOf()) && d.toISOString() === s;
    }

    /* A field readable on the value itself, not only through its prototype chain. */
    function hasReadableField(obj, field) {
        if (hasOwn(obj, field)) return true;
        var proto = Object.getPrototypeOf(obj);
        return field in obj && (proto === null || !(field in proto));
    }

    /* `name in obj`, except that the methods installed here do not count. */
    function hasFieldNamed(obj, name) {
        if (hasOwn(obj, name)) return true;
        if (!(name in obj)) return false;
        var v;
        try {
            v = obj[name];
        } catch (e) {
            return true;
        }
        return !(typeof v === 'function' && OURS.has(v));
    }

    /* Deep equality with lodash isEqual's semantics for JSON-like data. */
    function deepEqual(a, b, seen) {
        if (a === b) return true;
        if (a !== a && b !== b) return true; /* NaN */
        if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') {
            return false;
        }
        var tag = toTag(a);
        if (tag !== toTag(b)) return false;
        switch (tag) {
            case '[object Date]':
            case '[object Number]':
            case '[object Boolean]':
                return deepEqual(+a, +b);
            case '[object String]':
            case '[object RegExp]':
                return String(a) === String(b);
        }
        seen = seen || [];
        for (var i = 0; i < seen.length; i++) {
            if (seen[i][0] === a) return seen[i][1] === b;
        }
        seen.push([a, b]);
        var result;
        if (Array.isArray(a)) {
            result = a.length === b.length && a.every(function (x, j) {
                return deepEqual(x, b[j], seen);
            });
        } else if (tag === '[object Map]') {
            result = a.size === b.size && Array.from(a).every(function (e) {
                return b.has(e[0]) && deepEqual(e[1], b.get(e[0]), seen);
            });
        } else if (tag === '[object Set]') {
            var rest = Array.from(b);
            result = a.size === b.size && Array.from(a).every(function (x) {
                var k = rest.findIndex(function (y) {
                    return deepEqual(x, y, seen);
                });
                if (k === -1) return false;
                rest.splice(k, 1);
                return true;
            });
        } else {
            var ka = Object.keys(a);
            var kb = Object.keys(b);
            result = ka.length === kb.length && ka.every(function (k) {
                return hasOwn(b, k) && deepEqual(a[k], b[k], seen);
            });
        }
        seen.pop();
        return result;
    }

    function uniqueBy(list, same) {
        var out = [];
        list.forEach(function (item) {
            if (!out.some(function (kept) { return same(kept, item); })) out.push(item);
        });
        return out;
    }

    /* ------------------------------------------------------------------ */
    /* Text helpers: UTF-8, base64, form encoding                          */
    /* ------------------------------------------------------------------ */

    function utf8Bytes(s) {
        var out = [];
        for (var i = 0; i < s.length; i++) {
            var c = s.charCodeAt(i);
            if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
                var d = s.charCodeAt(i + 1);
                if (d >= 0xdc00 && d <= 0xdfff) {
                    c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
                    i++;
                }
            }
            if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd; /* lone surrogate */
            if (c < 0x80) {
                out.push(c);
            } else if (c < 0x800) {
                out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
            } else if (c < 0x10000) {
                out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
            } else {
                out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63),
                    0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
            }
        }
        return out;
    }

    /* Lenient UTF-8 decoding: every malformed sequence becomes U+FFFD. */
    function utf8Decode(bytes) {
        var out = '';
        var i = 0;
        while (i < bytes.length) {
            var b = bytes[i];
            var need = b < 0x80 ? 0 : b >= 0xc2 && b < 0xe0 ? 1 : b >= 0xe0 && b < 0xf0 ? 2
                : b >= 0xf0 && b < 0xf5 ? 3 : -1;
            if (need < 0) {
                out += '\ufffd';
                i++;
                continue;
            }
            var cp = need === 0 ? b : b & (0x3f >> need);
            var j = 1;
            for (; j <= need; j++) {
                var cb = bytes[i + j];
                if (cb === undefined || (cb & 0xc0) !== 0x80) break;
                cp = (cp << 6) | (cb & 0x3f);
            }
            var overlong = (need === 2 && cp < 0x800) || (need === 3 && cp < 0x10000);
            if (j <= need || overlong || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
                out += '\ufffd';
                i += Math.max(1, j);
                continue;
            }
            out += String.fromCodePoint(cp);
            i += need + 1;
        }
        return out;
    }

    var B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

    function base64Encode(s) {
        var b = utf8Bytes(s);
        var out = '';
        for (var i = 0; i < b.length; i += 3) {
            var n = (b[i] << 16) | ((b[i + 1] || 0) << 8) | (b[i + 2] || 0);
            out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63] +
                (i + 1 < b.length ? B64[(n >> 6) & 63] : '=') +
                (i + 2 < b.length ? B64[n & 63] : '=');
        }
        return out;
    }

    /* Accepts standard and URL-safe alphabets, ignores padding and stray characters. */
    function base64Decode(s) {
        var clean = s.replace(/-/g, '+').replace(/_/g, '/').replace(/[^A-Za-z0-9+/]/g, '');
        var bytes = [];
        for (var i = 0; i < clean.length; i += 4) {
            var chunk = clean.slice(i, i + 4);
            if (chunk.length < 2) break;
            var n = 0;
            for (var k = 0; k < 4; k++) {
                n = (n << 6) | (k < chunk.length ? B64.indexOf(chunk[k]) : 0);
            }
            bytes.push((n >> 16) & 255);
            if (chunk.length > 2) bytes.push((n >> 8) & 255);
            if (chunk.length > 3) bytes.push(n & 255);
        }
        return utf8Decode(bytes);
    }

    function wellFormed(s) {
        var out = '';
        for (var i = 0; i < s.length; i++) {
            var c = s.charCodeAt(i);
            if (c >= 0xd800 && c <= 0xdbff) {
                var d = s.charCodeAt(i + 1);
                if (d >= 0xdc00 && d <= 0xdfff) {
                    out += s[i] + s[i + 1];
                    i++;
                    continue;
                }
                out += '\ufffd';
            } else if (c >= 0xdc00 && c <= 0xdfff) {
                out += '\ufffd';
            } else {
                out += s[i];
            }
        }
        return out;
    }

    /* application/x-www-form-urlencoded, as URLSearchParams#toString() produces it. */
    function formEncode(s) {
        return encodeURIComponent(wellFormed(String(s))).replace(/%20|[!'()~]/g, function (m) {
            return m === '%20' ? '+' : '%' + m.charCodeAt(0).toString(16).toUpperCase();
        });
    }

    /* ------------------------------------------------------------------ */
    /* luxon access                                                        */
    /* ------------------------------------------------------------------ */

    var LUXON_ORIG = Symbol('sluice.luxon.native');

    function findLuxon() {
        var L = G.luxon;
        if (L && L.DateTime) return L;
        var DT = G.DateTime;
        if (DT && typeof DT.fromMillis === 'function') {
            return { DateTime: DT, Duration: G.Duration };
        }
        return null;
    }

    function lux() {
        var L = findLuxon();
        if (!L) {
            throw fail('date functions need luxon, which is not loaded in this context');
        }
        installLuxon(L);
        return L;
    }

    /* ------------------------------------------------------------------ */
    /* Dates (JS Date and luxon DateTime)                                  */
    /* ------------------------------------------------------------------ */

    var DURATION_UNITS = ['milliseconds', 'seconds', 'minutes', 'hours', 'days', 'weeks',
        'months', 'quarters', 'years'];
    var DATE_PARTS = ['day', 'week', 'month', 'year', 'hour', 'minute', 'second',
        'millisecond', 'weekNumber', 'yearDayNumber', 'weekday'];
    /* Singular and short unit names accepted for durations. */
    var DURATION_ALIASES = {
        day: 'days', month: 'months', year: 'years', week: 'weeks', hour: 'hours',
        minute: 'minutes', second: 'seconds', millisecond: 'milliseconds',
        ms: 'milliseconds', sec: 'seconds', secs: 'seconds', hr: 'hours', hrs: 'hours',
        min: 'minutes', mins: 'minutes',
    };
    /* Plural and short unit names accepted where luxon wants a DateTime unit. */
    var DATETIME_UNIT_ALIASES = {
        days: 'day', months: 'month', years: 'year', hours: 'hour', minutes: 'minute',
        seconds: 'second', milliseconds: 'millisecond', hrs: 'hour', hr: 'hour',
        mins: 'minute', min: 'minute', secs: 'second', sec: 'second', ms: 'millisecond',
    };

    function durationObject(amount, unit) {
        var o = {};
        o[hasOwn(DURATION_ALIASES, unit) ? DURATION_ALIASES[unit] : unit] = amount;
        return o;
    }

    function asDateTime(d) {
        return isDateTime(d) ? d : lux().DateTime.fromJSDate(d);
    }

    /* Run f on d as a DateTime; give a JS Date back when d was a JS Date. */
    function viaDateTime(d, f) {
        if (isDateTime(d)) return f(d);
        return f(lux().DateTime.fromJSDate(d)).toJSDate();
    }

    /* luxon's own plus/minus, even after the prototype was extended. */
    function nativeArith(dt, op) {
        var orig = dt[LUXON_ORIG];
        return orig ? orig[op] : dt[op];
    }

    /* .plus(durationLike) is luxon's; .plus(n, unit) adds n units (default minutes). */
    function dateArith(d, args, op) {
        var arg;
        if (args.length === 1) {
            arg = args[0];
        } else {
            var amount = args[0] === undefined ? 0 : args[0];
            var unit = args[1] === undefined ? 'minutes' : args[1];
            arg = durationObject(amount, unit);
        }
        return viaDateTime(d, function (dt) {
            return nativeArith(dt, op).call(dt, arg);
        });
    }

    /* A string, Date or DateTime as a DateTime; undefined when it is none of them. */
    function looseDateTime(v) {
        var DateTime = lux().DateTime;
        if (typeof v === 'string') {
            var dt = DateTime.fromJSDate(new Date(v));
            return dt.isValid ? dt : undefined;
        }
        if (isJsDate(v)) return DateTime.fromJSDate(v);
        if (isDateTime(v)) return v;
        return undefined;
    }

    function anyToDateTime(v) {
        if (isDateTime(v)) return v;
        if (typeof v === 'string') return stringToDateTime(v, []);
        return lux().DateTime.fromJSDate(v);
    }

    function diffTo(d, args) {
        var other = args[0];
        var unit = args[1] === undefined ? 'days' : args[1];
        var units = Array.isArray(unit) ? unit : [unit];
        if (units.length === 0) units = ['days'];
        var bad = units.find(function (u) {
            return DATE_PARTS.indexOf(u) === -1 && DURATION_UNITS.indexOf(u) === -1;
        });
        if (bad !== undefined) {
            throw fail("Unsupported unit '" + String(bad) + "'. Supported: " +
                DURATION_UNITS.map(function (u) { return "'" + u + "'"; }).join(', ') + '.');
        }
        var diff = asDateTime(d).diff(anyToDateTime(other), units);
        return units.length > 1 ? diff.toObject() : diff.as(units[0]);
    }

    var dateFns = {
        beginningOf: function (d, args) {
            var unit = args[0] === undefined ? 'week' : args[0];
            if (hasOwn(DATETIME_UNIT_ALIASES, unit)) unit = DATETIME_UNIT_ALIASES[unit];
            return viaDateTime(d, function (dt) { return dt.startOf(unit); });
        },
        endOfMonth: function (d) {
            return viaDateTime(d, function (dt) { return dt.endOf('month'); });
        },
        extract: function (d, args) {
            var part = args[0] === undefined ? 'week' : args[0];
            if (part === 'yearDayNumber') {
                var js = isDateTime(d) ? d.toJSDate() : d;
                var start = new Date(js.getFullYear(), 0, 0);
                var ms = js.getTime() - start.getTime() +
                    (start.getTimezoneOffset() - js.getTimezoneOffset()) * 60000;
                return Math.floor(ms / 86400000);
            }
            if (part === 'week') part = 'weekNumber';
            if (hasOwn(DATETIME_UNIT_ALIASES, part)) part = DATETIME_UNIT_ALIASES[part];
            return asDateTime(d).get(part);
        },
        format: function (d, args) {
            var opts = args[1] === undefined ? {} : args[1];
            return asDateTime(d).toFormat(args[0], Object.assign({}, opts));
        },
        isBetween: function (d, args) {
            if (args.length !== 2) throw fail('isBetween(): expected exactly two args');
            var a = looseDateTime(args[0]);
            var b = looseDateTime(args[1]);
            if (!a || !b) return undefined;
            var t = d.valueOf();
            if (a > b) return b.valueOf() < t && t < a.valueOf();
            return b.valueOf() > t && t > a.valueOf();
        },
        isDst: function (d) {
            return asDateTime(d).isInDST;
        },
        isInLast: function (d, args) {
            var amount = args[0] === undefined ? 0 : args[0];
            var unit = args[1] === undefined ? 'minutes' : args[1];
            var DateTime = lux().DateTime;
            var now = DateTime.now();
            var since = nativeArith(now, 'minus').call(now, durationObject(amount, unit));
            var t = asDateTime(d).valueOf();
            return since.valueOf() <= t && t <= DateTime.now().valueOf();
        },
        isWeekend: function (d) {
            var wd = asDateTime(d).weekday;
            return wd === 6 || wd === 7;
        },
        minus: function (d, args) {
            return dateArith(d, args, 'minus');
        },
        plus: function (d, args) {
            return dateArith(d, args, 'plus');
        },
        toDateTime: function (d) {
            return anyToDateTime(d);
        },
        diffTo: diffTo,
        diffToNow: function (d, args) {
            return diffTo(d, [lux().DateTime.now(), args[0]]);
        },
        toInt: function (d) {
            return isDateTime(d) ? d.toMillis() : d.getTime();
        },
        toFloat: function (d) {
            return isDateTime(d) ? d.toMillis() : d.getTime();
        },
        toBoolean: function () {
            return undefined;
        },
        isEmpty: function () {
            return false;
        },
        isNotEmpty: function () {
            return true;
        },
    };

    /* ------------------------------------------------------------------ */
    /* Numbers                                                             */
    /* ------------------------------------------------------------------ */

    function roundTo(v, places) {
        return +v.toFixed(places === undefined ? 0 : places);
    }

    function numberToDateTime(v, args) {
        var fmt = args[0] === undefined ? 'ms' : args[0];
        if (['ms', 's', 'us', 'excel'].indexOf(fmt) === -1) {
            throw fail("Unsupported format '" + String(fmt) +
                "'. toDateTime() supports 'ms', 's', 'us' and 'excel'.");
        }
        var DateTime = lux().DateTime;
        switch (fmt) {
            case 'excel':
                /* Days since 1899-12-30 (Excel counts a 29 Feb 1900 that never was). */
                return DateTime.fromSeconds((v - 25569) * 86400);
            case 's':
                return DateTime.fromSeconds(v);
            case 'us':
                return DateTime.fromMillis(v / 1000);
            default:
                return DateTime.fromMillis(v);
        }
    }

    function formatNumber(v, args) {
        var locales = args[0] === undefined ? 'en-US' : args[0];
        var options = args[1] === undefined ? {} : args[1];
        if (typeof Intl === 'object' && Intl !== null && typeof Intl.NumberFormat === 'function') {
            return new Intl.NumberFormat(locales, options).format(v);
        }
        try {
            return v.toLocaleString(locales, options);
        } catch (e) {
            return String(v);
        }
    }

    var numberFns = {
        ceil: function (v) { return Math.ceil(v); },
        floor: function (v) { return Math.floor(v); },
        format: formatNumber,
        round: function (v, args) { return roundTo(v, args[0]); },
        abs: function (v) { return Math.abs(v); },
        isInteger: function (v) { return Number.isInteger(v); },
        isEven: function (v) {
            if (!Number.isInteger(v)) throw fail('isEven() is only callable on integers');
            return v % 2 === 0;
        },
        isOdd: function (v) {
            if (!Number.isInteger(v)) throw fail('isOdd() is only callable on integers');
            return Math.abs(v) % 2 === 1;
        },
        toBoolean: function (v) { return v !== 0; },
        toInt: function (v) { return roundTo(v, 0); },
        toFloat: function (v) { return v; },
        toDateTime: numberToDateTime,
    };

    /* ------------------------------------------------------------------ */
    /* Strings                                                             */
    /* ------------------------------------------------------------------ */

    /* Currency symbols stripped before number parsing, in xe.com's order (as n8n). */
    var CURRENCY_SYMBOLS = ['Lek', '\u060b', '$', '\u0192', '\u20bc', 'Br', 'BZ$', '$b', 'KM',
        'P', '\u043b\u0432', 'R$', '\u17db', '\u00a5', '\u20a1', 'kn', '\u20b1', 'K\u010d', 'kr',
        'RD$', '\u00a3', '\u20ac', '\u00a2', 'Q', 'L', 'Ft', '\u20b9', 'Rp', '\ufdfc', '\u20aa',
        'J$', '\u20a9', '\u20ad', '\u0434\u0435\u043d', 'RM', '\u20a8', '\u20ae', 'MT', 'C$',
        '\u20a6', 'B/.', 'Gs', 'S/.', 'z\u0142', 'lei', '\u20bd', '\u0414\u0438\u043d.', 'S', 'R',
        'CHF', 'NT$', '\u0e3f', 'TT$', '\u20ba', '\u20b4', '$U', 'Bs', '\u20ab', 'Z$'];
    var CURRENCY_RE = new RegExp(CURRENCY_SYMBOLS.map(function (s) {
        return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }).join('|'), 'gu');

    var stripCurrency = function (s) {
        return s.replace(CURRENCY_RE, '');
    };

    /* Host names: dotted labels with a TLD or punycode TLD, localhost, or IPv4. */
    var HOST = '(?:(?:[-\\w]+\\.)+(?:[a-zA-Z]{2,}|xn--[a-zA-Z0-9]+)|localhost|' +
        '\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3})';
    var URL_TAIL = '(?::\\d+)?(?:\\/[^\\s?]*)?(?:\\?[^\\s#]*)?(?:#\\S*)?';
    var DOMAIN_RE = new RegExp('^(?:www\\.)?(' + HOST + ')' + URL_TAIL + '$', 'i');
    var DOMAIN_IN_URL_RE = new RegExp('^(?:(?:https?|ftp):\\/\\/)?(?:mailto:)?(?:\\/\\/)?' +
        '((?:www\\.)?' + HOST + ')' + URL_TAIL + '$', 'i');
    /* A URL is a scheme, a host, and anything up to the next whitespace. */
    var URL_RE = new RegExp('(?:https?|ftp):\\/\\/(?:www\\.)?' + HOST + '\\S*', 'i');
    var URL_EXACT_RE = new RegExp('^' + URL_RE.source + '$', 'i');
    var EMAIL_LOCAL = '(?:[^<>()\\[\\]\\\\.,;:\\s@"]+(?:\\.[^<>()\\[\\]\\\\.,;:\\s@"]+)*|".+")';
    var EMAIL_DOMAIN = '(\\[\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\]|' +
        '(?:[a-zA-Z\\-0-9]+\\.)+[a-zA-Z]{2,})';
    var EMAIL_RE = new RegExp(EMAIL_LOCAL + '@' + EMAIL_DOMAIN);

    function isEmail(s) {
        return EMAIL_RE.test(s) && s.indexOf(' ') === -1;
    }

    var HASHES = ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512', 'sha3'];

    function hash(s, args) {
        var algo = args[0] == null ? 'md5' : String(args[0]).toLowerCase();
        if (algo === 'base64') return base64Encode(s);
        if (HASHES.indexOf(algo) === -1) {
            throw fail('Unknown algorithm ' + algo + '. Available algorithms are: ' +
                HASHES.join() + ', and Base64.');
        }
        var native = G.__sl_hash;
        if (typeof native !== 'function') throw new Error('hash() is not available');
        return native(algo === 'sha3' ? 'sha3-512' : algo, s);
    }

    function removeMarkdown(s) {
        return s
            .replace(/^([ \t]*)(?:[*+-]|\d+\.)[ \t]+/gm, '$1') /* list markers */
            .replace(/^[ \t]*`{3,}.*(?:\n|$)/gm, '') /* code fences */
            .replace(/~~/g, '') /* strikethrough */
            .replace(/<\/?[A-Za-z][^<>]*>/g, '') /* HTML tags */
            .replace(/^[=-]{2,}[ \t]*$/gm, '') /* setext underlines, rules */
            .replace(/\[\^[^\]\n]+\](?::.*)?/g, '') /* footnotes */
            .replace(/^[ \t]{0,3}\[[^\]\n]*\]:[ \t]*\S.*$/gm, '') /* link definitions */
            .replace(/!\[[^\]\n]*\][[(][^)\]\n]*[)\]]/g, '') /* images */
            .replace(/\[([^\]\n]*)\][[(][^)\]\n]*[)\]]/g, '$1') /* links */
            .replace(/^[ \t]{0,3}>[ \t]?/gm, '') /* blockquotes */
            .replace(/^#{1,6}[ \t]*(.*?)[ \t]*#*[ \t]*$/gm, '$1') /* ATX headings */
            .replace(/(\*{1,3}|_{1,3})(\S(?:.*?\S)?)\1/g, '$2') /* emphasis */
            .replace(/`([^`\n]+)`/g, '$1') /* inline code */
            .replace(/\n{3,}/g, '\n\n');
    }

    function toDate(s) {
        var d = new Date(Date.parse(s));
        if (isNaN(d.valueOf())) throw fail('cannot convert to date');
        if (s.indexOf(':') === -1) d.setHours(0, 0, 0); /* no time given: local midnight */
        return d;
    }

    /* ISO 8601, HTTP, RFC 2822, SQL, then whatever Date.parse accepts. */
    function parseDateTime(s) {
        var DateTime = lux().DateTime;
        var str = String(s).trim();
        var opts = { setZone: true };
        var tries = [DateTime.fromISO, DateTime.fromHTTP, DateTime.fromRFC2822, DateTime.fromSQL];
        for (var i = 0; i < tries.length; i++) {
            var dt = tries[i].call(DateTime, str, opts);
            if (dt.isValid) return dt;
        }
        var parsed = DateTime.fromMillis(Date.parse(str));
        if (parsed.isValid) return parsed;
        throw new Error('not a date');
    }

    function stringToDateTime(s, args) {
        var fmt = args[0];
        var DateTime = lux().DateTime; /* "no luxon" must not read as a parse error */
        try {
            if (fmt) {
                if (fmt === 'ms' || fmt === 's' || fmt === 'us' || fmt === 'excel') {
                    return numberToDateTime(Number(s), [fmt]);
                }
                return DateTime.fromFormat(s, fmt);
            }
            return parseDateTime(s);
        } catch (e) {
            throw fail('cannot convert to Luxon DateTime');
        }
    }

    function toInt(s, args) {
        var n = parseInt(stripCurrency(s), args[0]);
        if (isNaN(n)) throw fail('cannot convert to integer');
        return n;
    }

    function toFloat(s) {
        if (s.indexOf(',') !== -1) {
            throw fail('cannot convert to float, expected . as decimal separator');
        }
        var n = parseFloat(stripCurrency(s));
        if (isNaN(n)) throw fail('cannot convert to float');
        return n;
    }

    /* Title case as the title-case package does it (used by n8n). */
    var SMALL_WORD_RE = new RegExp('\\b(?:a|ad|an|and|as|at|because|but|by|en|for|if|in|' +
        'neither|nor|of|on|or|only|over|per|so|some|than|that|the|to|up|upon|vs?\\.?|versus|' +
        'via|when|with|without|yet)\\b', 'i');
    var MANUAL_CASE_RE = /.(?=[A-Z]|\..)/;

    function toTitleCase(s) {
        var tokenRe = /[^\s:\u2013\u2014-]+|./g;
        var out = '';
        var m;
        while ((m = tokenRe.exec(s)) !== null) {
            var word = m[0];
            var at = m.index;
            var end = at + word.length;
            var small = SMALL_WORD_RE.test(word) && at !== 0 && end !== s.length;
            var urlish = s.charAt(end) === ':' && !/\s/.test(s.charAt(end + 1));
            if (MANUAL_CASE_RE.test(word) || small || urlish) {
                out += word;
            } else {
                out += word.replace(/[A-Za-z0-9\u00c0-\u00ff]/, function (c) {
                    return c.toUpperCase();
                });
            }
        }
        return out;
    }

    /* Capitalise the first letter of each sentence (ended by . ! ?), lowercase the rest. */
    function toSentenceCase(s) {
        var done = '';
        var rest = s;
        var letter = /\p{L}/u;
        while (letter.test(rest)) {
            var at = rest.search(letter);
            rest = rest.slice(0, at) + rest[at].toLocaleUpperCase() +
                rest.slice(at + 1).toLocaleLowerCase();
            var stop = rest.search(/[!?.]/);
            if (stop === -1) {
                done += rest;
                rest = '';
                break;
            }
            done += rest.slice(0, stop + 1);
            rest = rest.slice(stop + 1);
        }
        return done + rest;
    }

    function toSnakeCase(s) {
        return s.toLocaleLowerCase()
            .replace(/[ -]/g, '_')
            .replace(/[\u2000-\u206f\u2e00-\u2e7f\\'!"#$%&()*+,./:;<=>?@[\]^`{|}~]/g, '');
    }

    /* Letters that have no ASCII decomposition; everything else unknown becomes '?'. */
    var SPECIAL_LETTERS = {
        '\u00df': 'ss', '\u1e9e': 'SS', '\u00e6': 'ae', '\u00c6': 'AE', '\u00f8': 'o',
        '\u00d8': 'O', '\u0153': 'oe', '\u0152': 'OE', '\u0111': 'd', '\u0110': 'D',
        '\u00f0': 'd', '\u00d0': 'D', '\u00fe': 'th', '\u00de': 'Th', '\u0142': 'l',
        '\u0141': 'L', '\u0127': 'h', '\u0126': 'H', '\u0131': 'i', '\u0138': 'k',
        '\u014b': 'n', '\u014a': 'N', '\u017f': 's', '\u0167': 't', '\u0166': 'T',
        '\u0192': 'f', '\u2018': "'", '\u2019': "'", '\u201a': "'", '\u201b': "'",
        '\u201c': '"', '\u201d': '"', '\u201e': '"', '\u201f': '"', '\u2013': '-',
        '\u2014': '-', '\u2015': '-', '\u2212': '-', '\u2022': '*', '\u00ab': '<<',
        '\u00bb': '>>', '\u2039': '<', '\u203a': '>', '\u00a1': '!', '\u00bf': '?',
        '\u00d7': 'x', '\u00f7': '/', '\u2044': '/',
    };

    function replaceSpecialChars(s) {
        var decomposed = s.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
        var out = '';
        for (var ch of decomposed) {
            if (ch.charCodeAt(0) < 0x80) out += ch;
            else if (hasOwn(SPECIAL_LETTERS, ch)) out += SPECIAL_LETTERS[ch];
            else out += '?';
        }
        return out;
    }

    /* The path of scheme://host/path?query#fragment, or undefined when not a URL. */
    function extractUrlPath(s) {
        var m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]+)(\/[^?#]*)?/.exec(s);
        if (!m) return undefined;
        return m[2] || '/';
    }

    function parseJson(s) {
        try {
            return JSON.parse(s);
        } catch (e) {
            if (s.indexOf("'") !== -1) {
                throw fail("Parsing failed. Check you're using double quotes");
            }
            throw fail('Parsing failed');
        }
    }

    function urlDecode(s, args) {
        try {
            return args[0] ? decodeURI(s) : decodeURIComponent(s);
        } catch (e) {
            throw fail('urlDecode(): malformed URL encoding');
        }
    }

    var stringFns = {
        hash: hash,
        removeMarkdown: removeMarkdown,
        removeTags: function (s) { return s.replace(/<[^>]*>?/g, ''); },
        toDate: toDate,
        toDateTime: stringToDateTime,
        toBoolean: function (s) {
            var low = s.toLowerCase();
            return low.length > 0 && low !== 'false' && low !== 'no' && low !== '0';
        },
        toDecimalNumber: toFloat,
        toNumber: function (s) {
            var n = Number(stripCurrency(s));
            if (isNaN(n)) throw fail('cannot convert to number');
            return n;
        },
        toFloat: toFloat,
        toInt: toInt,
        toWholeNumber: toInt,
        toSentenceCase: toSentenceCase,
        toSnakeCase: toSnakeCase,
        toTitleCase: toTitleCase,
        urlDecode: urlDecode,
        urlEncode: function (s, args) {
            return args[0] ? encodeURI(s) : encodeURIComponent(s);
        },
        quote: function (s, args) {
            var q = args[0] === undefined ? '"' : String(args[0]);
            return q + s.replace(/\\/g, '\\\\').split(q).join('\\' + q) + q;
        },
        replaceSpecialChars: replaceSpecialChars,
        length: function (s) { return s.length; },
        isDomain: function (s) { return DOMAIN_RE.test(s); },
        isEmail: isEmail,
        isNumeric: function (s) {
            return s.indexOf(' ') === -1 && !isNaN(s) && !isNaN(parseFloat(s));
        },
        isUrl: function (s) { return URL_EXACT_RE.test(s); },
        isEmpty: function (s) { return s === ''; },
        isNotEmpty: function (s) { return s !== ''; },
        isBlank: function (s) { return s.trim() === ''; },
        isNotBlank: function (s) { return s.trim() !== ''; },
        toJsonString: function (s) { return JSON.stringify(s); },
        extractEmail: function (s) {
            var m = EMAIL_RE.exec(s);
            return m ? m[0] : undefined;
        },
        extractDomain: function (s) {
            if (isEmail(s)) {
                var e = EMAIL_RE.exec(s);
                return e ? e[1] : undefined;
            }
            var m = DOMAIN_IN_URL_RE.exec(s);
            return m ? m[1] : undefined;
        },
        extractUrl: function (s) {
            var m = URL_RE.exec(s);
            return m ? m[0] : undefined;
        },
        extractUrlPath: extractUrlPath,
        parseJson: parseJson,
        base64Encode: base64Encode,
        base64Decode: base64Decode,
    };

    /* ------------------------------------------------------------------ */
    /* Objects                                                             */
    /* ------------------------------------------------------------------ */

    /* Drop null, undefined, "nil", "" and empty objects, recursively. */
    function compactObject(obj) {
        var out = {};
        Object.keys(obj).forEach(function (k) {
            var v = obj[k];
            if (v === null || v === undefined || v === 'nil' || v === '') return;
            if (typeof v === 'object') {
                if (Object.keys(v).length === 0) return;
                defineField(out, k, compactObject(v));
            } else {
                defineField(out, k, v);
            }
        });
        return out;
    }

    /* A copy of base plus the fields of other that base lacks (base wins). */
    function mergeTwo(base, other) {
        if (!other) return base;
        if (typeof other !== 'object') throw fail('merge(): expected object arg');
        var out = Object.assign({}, base);
        Object.keys(other).forEach(function (k) {
            if (!hasOwn(out, k)) defineField(out, k, other[k]);
        });
        return out;
    }

    function copyWithout(obj, drop) {
        var out = Object.assign({}, obj);
        Object.keys(obj).forEach(function (k) {
            if (drop(obj[k])) delete out[k];
        });
        return out;
    }

    function needText(args, message) {
        var m = args[0];
        if (typeof m !== 'string' || m === '') throw fail(message);
        return m;
    }

    var objectFns = {
        isEmpty: function (o) { return Object.keys(o).length === 0; },
        isNotEmpty: function (o) { return Object.keys(o).length !== 0; },
        hasField: function (o, args) { return hasFieldNamed(o, args[0]); },
        removeField: function (o, args) {
            var name = args[0];
            if (!hasFieldNamed(o, name)) return o;
            var out = Object.assign({}, o);
            delete out[name];
            return out;
        },
        removeFieldsContaining: function (o, args) {
            var m = needText(args, 'removeFieldsContaining(): expected non-empty string arg');
            return copyWithout(o, function (v) {
                return typeof v === 'string' && v.indexOf(m) !== -1;
            });
        },
        keepFieldsContaining: function (o, args) {
            var m = needText(args, 'argument of keepFieldsContaining must be a non-empty string');
            return copyWithout(o, function (v) {
                return typeof v !== 'string' || v.indexOf(m) === -1;
            });
        },
        compact: compactObject,
        urlEncode: function (o) {
            return Object.keys(o).map(function (k) {
                return formEncode(k) + '=' + formEncode(o[k]);
            }).join('&');
        },
        keys: function (o) { return Object.keys(o); },
        values: function (o) { return Object.values(o); },
        toJsonString: function (o) { return JSON.stringify(o); },
        /* Documented for objects by earlier n8n releases; later ones only have Array#merge. */
        merge: function (o, args) {
            var other = args[0];
            if (typeof other !== 'object' || !other) throw fail('merge(): expected object arg');
            return mergeTwo(o, other);
        },
        toInt: function () { return undefined; },
        toFloat: function () { return undefined; },
        toBoolean: function () { return undefined; },
        toDateTime: function () { return undefined; },
    };

    /* ------------------------------------------------------------------ */
    /* Arrays                                                              */
    /* ------------------------------------------------------------------ */

    function numbersOnly(list, fnName) {
        if (list.some(function (x) { return typeof x !== 'number'; })) {
            throw fail(fnName + '(): all array elements must be numbers');
        }
        return list;
    }

    function sum(list) {
        return numbersOnly(list, 'sum').reduce(function (a, b) { return a + b; }, 0);
    }

    function average(list) {
        numbersOnly(list, 'average');
        return list.length === 0 ? 0 : sum(list) / list.length;
    }

    function unique(list, fields) {
        var key = function (item) {
            if (fields.length === 0 || !item || typeof item !== 'object') return item;
            var picked = {};
            fields.forEach(function (f) {
                defineField(picked, f, hasReadableField(item, f) ? item[f] : undefined);
            });
            return picked;
        };
        return uniqueBy(list, function (a, b) { return deepEqual(key(a), key(b)); });
    }

    function needArray(args, fnName, example) {
        var other = args[0];
        if (!Array.isArray(other)) {
            throw fail(fnName + '(): expected array arg, e.g. .' + fnName + '(' + example + ')');
        }
        return other;
    }

    var containsEqual = function (list, v) {
        return list.some(function (w) { return deepEqual(w, v); });
    };

    function chunk(list, args) {
        var size = args[0];
        if (typeof size !== 'number' || isNaN(size) || size < 1) {
            throw fail('chunk(): expected chunk size of at least 1, e.g. .chunk(5)');
        }
        var out = [];
        for (var i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
        return out;
    }

    var arrayFns = {
        removeDuplicates: unique,
        unique: unique,
        first: function (a) { return a[0]; },
        last: function (a) { return a[a.length - 1]; },
        reverse: function (a) { return a.slice().reverse(); },
        pluck: function (a, fields) {
            if (fields.length === 0) return a;
            var out = [];
            a.forEach(function (item) {
                if (!item || typeof item !== 'object') return;
                var got = [];
                Object.keys(item).forEach(function (k) {
                    fields.forEach(function (f) {
                        if (f === k) got.push(item[k]);
                    });
                });
                if (got.length > 0) out.push(got.length === 1 ? got[0] : got);
            });
            return out;
        },
        randomItem: function (a) {
            return a.length ? a[Math.floor(Math.random() * a.length)] : undefined;
        },
        sum: sum,
        min: function (a) { return Math.min.apply(null, numbersOnly(a, 'min')); },
        max: function (a) { return Math.max.apply(null, numbersOnly(a, 'max')); },
        average: average,
        isNotEmpty: function (a) { return a.length > 0; },
        isEmpty: function (a) { return a.length === 0; },
        compact: function (a) {
            return a.filter(function (v) {
                if (v && typeof v === 'object' && Object.keys(v).length === 0) return false;
                return v !== null && v !== undefined && v !== 'nil' && v !== '';
            }).map(function (v) {
                return v !== null && typeof v === 'object' ? compactObject(v) : v;
            });
        },
        smartJoin: function (a, args) {
            var kf = args[0];
            var vf = args[1];
            if (!kf || !vf || typeof kf !== 'string' || typeof vf !== 'string') {
                throw fail('smartJoin(): expected two string args, e.g. .smartJoin("name", "value")');
            }
            var out = {};
            a.forEach(function (v) {
                if (v !== null && typeof v === 'object' && hasReadableField(v, kf) &&
                    hasReadableField(v, vf)) {
                    defineField(out, v[kf], v[vf]);
                }
            });
            return out;
        },
        chunk: chunk,
        renameKeys: function (a, args) {
            if (args.length === 0 || args.length % 2 !== 0) {
                throw fail('renameKeys(): expected an even amount of args: from1, to1 ' +
                    '[, from2, to2, ...]. e.g. .renameKeys("name", "title")');
            }
            var pairs = chunk(args, [2]);
            return a.map(function (v) {
                if (v === null || typeof v !== 'object') return v;
                var out = Object.assign({}, v);
                pairs.forEach(function (p) {
                    if (hasOwn(out, p[0])) {
                        defineField(out, p[1], out[p[0]]);
                        delete out[p[0]];
                    }
                });
                return out;
            });
        },
        merge: function (a, args) {
            var others = args[0];
            if (others === undefined) {
                return a.reduce(function (acc, v) {
                    return v !== null && typeof v === 'object' && !Array.isArray(v)
                        ? mergeTwo(acc, v) : acc;
                }, {});
            }
            needArray(args, 'merge', '[{ id: 1, otherValue: 3 }]');
            var out = {};
            var n = Math.max(a.length, others.length);
            for (var i = 0; i < n; i++) {
                if (a[i] !== undefined && typeof a[i] === 'object' && typeof others[i] === 'object') {
                    var pair = mergeTwo(a[i], others[i]);
                    Object.keys(pair).forEach(function (k) { defineField(out, k, pair[k]); });
                }
            }
            return out;
        },
        mergeIntoObject: function (a, args) {
            var others = needArray(args, 'mergeIntoObject', '[{ id: 1, otherValue: 3 }]');
            var out = {};
            var n = Math.max(a.length, others.length);
            for (var i = 0; i < n; i++) {
                var baseObj = a[i] !== null && typeof a[i] === 'object';
                var otherObj = others[i] !== null && typeof others[i] === 'object';
                var src = baseObj ? mergeTwo(a[i], otherObj ? others[i] : undefined)
                    : otherObj ? others[i] : undefined;
                if (src) Object.keys(src).forEach(function (k) { defineField(out, k, src[k]); });
            }
            return out;
        },
        union: function (a, args) {
            var others = needArray(args, 'union', '[1, 2, 3, 4]');
            var out = Array.from(a);
            others.forEach(function (v) { if (!containsEqual(out, v)) out.push(v); });
            return unique(out, []);
        },
        difference: function (a, args) {
            var others = needArray(args, 'difference', '[1, 2, 3, 4]');
            return unique(a.filter(function (v) { return !containsEqual(others, v); }), []);
        },
        intersection: function (a, args) {
            var others = needArray(args, 'intersection', '[1, 2, 3, 4]');
            var out = a.filter(function (v) { return containsEqual(others, v); })
                .concat(others.filter(function (v) { return containsEqual(a, v); }));
            return unique(out, []);
        },
        append: function (a, args) { return a.concat(args); },
        toJsonString: function (a) { return JSON.stringify(a); },
        toInt: function () { return undefined; },
        toFloat: function () { return undefined; },
        toBoolean: function () { return undefined; },
        toDateTime: function () { return undefined; },
    };

    /* ------------------------------------------------------------------ */
    /* Booleans and generic                                                */
    /* ------------------------------------------------------------------ */

    var boolToNumber = function (b) { return b ? 1 : 0; };
    var booleanFns = {
        toBoolean: function (b) { return b; },
        toInt: boolToNumber,
        toFloat: boolToNumber,
        toNumber: boolToNumber,
        toDateTime: function () { return undefined; },
    };

    /* For values whose type has no isEmpty of its own (numbers, booleans, null). */
    var genericFns = {
        isEmpty: function (v) { return v === null || v === undefined || !v; },
        isNotEmpty: function (v) { return !(v === null || v === undefined || !v); },
    };

    /* ------------------------------------------------------------------ */
    /* Dispatch, as n8n's extend()                                         */
    /* ------------------------------------------------------------------ */

    /* In n8n's order; the order shows in "only callable on types ..." messages. */
    var TABLES = [
        { type: 'Array', fns: arrayFns },
        { type: 'Date', fns: dateFns },
        { type: 'Number', fns: numberFns },
        { type: 'Object', fns: objectFns },
        { type: 'String', fns: stringFns },
        { type: 'Boolean', fns: booleanFns },
    ];

    var UNSAFE_NAMES = ['__proto__', 'prototype', 'constructor', 'getPrototypeOf',
        '__lookupGetter__', '__lookupSetter__', '__defineGetter__', '__defineSetter__',
        'caller', 'arguments'];

    function notCallable(name, value) {
        if (value === null || value === undefined) {
            return fail(name + " can't be used on " + String(value) + ' value',
                'To ignore this error, add a ? to the variable before this function, e.g. my_var?.' +
                name);
        }
        var types = TABLES.filter(function (t) { return hasOwn(t.fns, name); })
            .map(function (t) { return '"' + t.type + '"'; });
        if (types.length === 0) return fail('Unknown expression function: ' + name);
        if (types.length === 1) return fail(name + '() is only callable on type ' + types[0]);
        var last = types.pop();
        return fail(name + '() is only callable on types ' + types.join(', ') + ', and ' + last);
    }

    function unbox(v) {
        if (v !== null && typeof v === 'object') {
            var tag = toTag(v);
            if (tag === '[object String]' || tag === '[object Number]' ||
                tag === '[object Boolean]') {
                return v.valueOf();
            }
        }
        return v;
    }

    function extend(input, name, args) {
        name = String(name);
        if (UNSAFE_NAMES.indexOf(name) !== -1) {
            throw fail('Cannot access "' + name + '" via expression extension due to security concerns');
        }
        var value = input;
        var fns = null;
        if (Array.isArray(value)) {
            fns = arrayFns;
        } else if (typeof value === 'string' && name !== 'toDate' && name !== 'toDateTime' &&
            isIsoDateString(value)) {
            value = new Date(value);
            fns = dateFns;
        } else if (typeof value === 'string') {
            fns = stringFns;
        } else if (typeof value === 'number') {
            fns = numberFns;
        } else if (isDateTime(value) || isJsDate(value)) {
            fns = dateFns;
        } else if (value !== null && typeof value === 'object') {
            fns = objectFns;
        } else if (typeof value === 'boolean') {
            fns = booleanFns;
        }
        var fn = fns && hasOwn(fns, name) ? fns[name] : undefined;
        if (!fn) {
            if (value && name) {
                var own = value[name];
                if (typeof own === 'function' && !OURS.has(own)) return own.apply(value, args);
            }
            fn = hasOwn(genericFns, name) ? genericFns[name] : undefined;
        }
        if (!fn) throw notCallable(name, value);
        return fn(value, args);
    }

    /* ------------------------------------------------------------------ */
    /* Installation                                                        */
    /* ------------------------------------------------------------------ */

    function makeMethod(name) {
        var holder = {
            [name](...args) {
                return extend(unbox(this), name, args);
            },
        };
        var fn = holder[name];
        OURS.add(fn);
        return fn;
    }

    /* Add each name the prototype does not already own (native methods win). */
    function installOn(proto, names) {
        names.forEach(function (name) {
            if (!hasOwn(proto, name)) define(proto, name, makeMethod(name));
        });
    }

    var dateNames = Object.keys(dateFns);

    installOn(Array.prototype, Object.keys(arrayFns));
    /* Strings also carry the date names: ISO date strings act as Dates, as in n8n. */
    installOn(String.prototype, Object.keys(stringFns).concat(dateNames));
    installOn(Number.prototype, Object.keys(numberFns).concat(Object.keys(genericFns)));
    installOn(Boolean.prototype, Object.keys(booleanFns).concat(Object.keys(genericFns)));
    installOn(Date.prototype, dateNames);
    installOn(Object.prototype, Object.keys(objectFns));

    /*
     * Give luxon's DateTime the date extensions. plus/minus keep luxon's behaviour
     * for one argument and add n8n's (amount, unit) form. Idempotent.
     */
    function installLuxon(L) {
        L = L || findLuxon();
        if (!L || !L.DateTime || !L.DateTime.prototype) return false;
        var proto = L.DateTime.prototype;
        if (hasOwn(proto, LUXON_ORIG)) return true;
        define(proto, LUXON_ORIG, { plus: proto.plus, minus: proto.minus });
        ['plus', 'minus'].forEach(function (op) {
            var holder = {
                [op](...args) {
                    return dateArith(this, args, op);
                },
            };
            OURS.add(holder[op]);
            define(proto, op, holder[op]);
        });
        installOn(proto, dateNames);
        return true;
    }

    /* ------------------------------------------------------------------ */
    /* Globals                                                             */
    /* ------------------------------------------------------------------ */

    var globals = {
        $if: function $if(test, whenTrue, whenFalse) {
            if (arguments.length < 2) {
                throw fail('$if requires at least 2 parameters: test, value_if_true[, and value_if_false]');
            }
            if (test) return whenTrue;
            return arguments.length >= 3 ? whenFalse : false;
        },
        $ifEmpty: function $ifEmpty(value, defaultValue) {
            if (arguments.length !== 2) {
                throw fail('expected two arguments (value, defaultValue) for this function');
            }
            if (value === undefined || value === null || value === '') return defaultValue;
            if (typeof value === 'object') {
                if (Array.isArray(value) && value.length === 0) return defaultValue;
                if (Object.keys(value).length === 0) return defaultValue;
            }
            return value;
        },
        $min: function $min() {
            return Math.min.apply(null, arguments);
        },
        $max: function $max() {
            return Math.max.apply(null, arguments);
        },
        $average: function $average() {
            return average(Array.prototype.slice.call(arguments));
        },
        $not: function $not(value) {
            return !value;
        },
        __sl_extend: function __sl_extend(value, name, args) {
            return extend(value, name, Array.isArray(args) ? args : []);
        },
        __sl_install_luxon_extensions: function __sl_install_luxon_extensions(L) {
            return installLuxon(L);
        },
    };
    Object.keys(globals).forEach(function (k) {
        define(G, k, globals[k]);
    });
})();
