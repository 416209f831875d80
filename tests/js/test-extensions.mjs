// Tests for src/js/extensions.js, n8n's expression extension methods.
//
// Expected values are n8n's documented results: the examples in n8n's docs
// (docs.n8n.io, "Data transformation functions" / "Expression reference") and the
// doc examples and test cases in n8n's source (packages/workflow/src/extensions/*.ts,
// packages/workflow/test/ExpressionExtensions/*.test.ts), read for behaviour. Where
// a case checks a sluice-specific contract (installation, luxon hook, __sl_hash),
// the comment says so.
//
// Run: node --test tests/js/
// Date tests need luxon's global build: SLUICE_LUXON_JS=/path/to/luxon/build/global/luxon.js
// (e.g. after `npm install --prefix /tmp/x luxon@3.7.2`). Without it they fail.

process.env.TZ = 'UTC'; // JS Date local-time results below assume UTC

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import vm from 'node:vm';

const SRC = readFileSync(new URL('../../src/js/extensions.js', import.meta.url), 'utf8');

function luxonSource() {
    const path = process.env.SLUICE_LUXON_JS;
    if (!path) {
        throw new Error(
            'SLUICE_LUXON_JS is not set: date tests need luxon 3.x global build ' +
                '(luxon/build/global/luxon.js or luxon.min.js)',
        );
    }
    return readFileSync(path, 'utf8');
}

// A fresh context with extensions.js evaluated once, as sluice does.
function makeContext({ luxon = false, hash = false, before = '' } = {}) {
    const ctx = vm.createContext({});
    if (before) vm.runInContext(before, ctx);
    vm.runInContext(SRC, ctx, { filename: 'extensions.js' });
    if (luxon) {
        vm.runInContext(luxonSource(), ctx, { filename: 'luxon.js' });
        vm.runInContext('luxon.Settings.defaultZone = "UTC"', ctx);
    }
    if (hash) {
        ctx.__sl_hash = (algo, text) => createHash(algo).update(text, 'utf8').digest('hex');
    }
    const ev = (code) => vm.runInContext(code, ctx);
    // Values cross the realm boundary as JSON so deepStrictEqual compares data only.
    const js = (code) => {
        const s = ev(`JSON.stringify(${code})`);
        return s === undefined ? undefined : JSON.parse(s);
    };
    const throws = (code, pattern) => assert.throws(() => ev(code), pattern, code);
    const eq = (code, expected) => assert.deepStrictEqual(js(code), expected, code);
    return { ctx, ev, js, eq, throws };
}

test('installation leaves enumeration, JSON and native methods alone', () => {
    const { ctx, ev, js } = makeContext({
        before:
            'globalThis.__natives = [String.prototype.includes, Array.prototype.at, ' +
            'Array.prototype.keys, Array.prototype.values, Array.prototype.concat, ' +
            'Array.prototype.reverse, String.prototype.toString]',
    });
    assert.deepStrictEqual(js('Object.keys({a:1})'), ['a']);
    assert.equal(ev('JSON.stringify({a:1})'), '{"a":1}');
    assert.equal(ev('JSON.stringify([1, "x", {b: [true]}])'), '[1,"x",{"b":[true]}]');
    assert.deepStrictEqual(js('(() => { const k = []; for (const x in {a: 1}) k.push(x); return k; })()'), ['a']);
    assert.deepStrictEqual(js('(() => { const k = []; for (const x in [7]) k.push(x); return k; })()'), ['0']);
    assert.deepStrictEqual(js('(() => { const k = []; for (const x in "ab") k.push(x); return k; })()'), ['0', '1']);
    assert.equal(
        ev(`[String.prototype.includes, Array.prototype.at, Array.prototype.keys, Array.prototype.values,
             Array.prototype.concat, Array.prototype.reverse, String.prototype.toString]
            .every((f, i) => f === __natives[i])`),
        true,
    );
    for (const [proto, name] of [
        ['Object.prototype', 'isEmpty'],
        ['Object.prototype', 'keys'],
        ['Array.prototype', 'sum'],
        ['String.prototype', 'isEmail'],
        ['Number.prototype', 'round'],
        ['Boolean.prototype', 'toInt'],
        ['Date.prototype', 'plus'],
    ]) {
        const d = js(`Object.getOwnPropertyDescriptor(${proto}, '${name}')`);
        assert.deepStrictEqual(
            { enumerable: d.enumerable, writable: d.writable, configurable: d.configurable },
            { enumerable: false, writable: true, configurable: true },
            `${proto}.${name}`,
        );
    }
    assert.equal(ev('"abc".length'), 3);
    assert.equal(ev('[3, 1, 2].includes(2)'), true);
    assert.deepStrictEqual(js('[1, 2].concat([3])'), [1, 2, 3]);
    assert.deepStrictEqual(js('[...[1, 2].keys()]'), [0, 1]); // native Array#keys, not Object's
    assert.equal(ev('"abc".toString()'), 'abc');
    // Assigning a field named like an extension makes an ordinary own field.
    assert.equal(ev('(() => { const o = {}; o.keys = 5; return JSON.stringify(o); })()'), '{"keys":5}');
    assert.equal(ev('({keys: 1}).keys'), 1);
    // A second evaluation of the file is a no-op.
    vm.runInContext(SRC, ctx);
    assert.equal(ev('"".isEmpty() && [1, 2].sum() === 3'), true);
});

test('installation never touches luxon (sluice loads it lazily)', () => {
    // sluice-specific contract: a getter standing in for the lazy luxon global.
    const { ev } = makeContext({
        before:
            'globalThis.__luxonReads = 0; Object.defineProperty(globalThis, "luxon", ' +
            '{ get() { __luxonReads++; return undefined; }, configurable: true }); ' +
            'Object.defineProperty(globalThis, "DateTime", ' +
            '{ get() { __luxonReads++; return undefined; }, configurable: true });',
    });
    assert.equal(ev('__luxonReads'), 0);
    assert.equal(ev('typeof $if'), 'function');
});

test('string extensions', () => {
    const { ev, eq, throws } = makeContext();
    eq('"".isEmpty()', true);
    eq('"hello".isEmpty()', false);
    eq('"hello".isNotEmpty()', true);
    eq('"".isNotEmpty()', false);
    eq('"   ".isBlank()', true);
    eq('"".isBlank()', true);
    eq('"hello".isBlank()', false);
    eq('"  hello  ".isBlank()', false);
    eq('"hello".isNotBlank()', true);
    eq('"  hello  ".isNotBlank()', true);
    eq('"   ".isNotBlank()', false);

    eq('"*bold*, [link]()".removeMarkdown()', 'bold, link');
    eq('"<html><head>test</head></html>".removeMarkdown()', 'test');
    eq('"# Title\\n\\n> quoted `code` and **strong**".removeMarkdown()', 'Title\n\nquoted code and strong');
    eq('"<b>bold</b>, <a>link</a>".removeTags()', 'bold, link');
    eq('"<html><head>test</head></html>".removeTags()', 'test');

    eq('"true".toBoolean()', true);
    eq('"false".toBoolean()', false);
    eq('"False".toBoolean()', false);
    eq('"0".toBoolean()', false);
    eq('"no".toBoolean()', false);
    eq('"".toBoolean()', false);
    eq('"TRUE".toBoolean()', true);
    eq('"hello".toBoolean()', true);

    eq('"123".toNumber()', 123);
    eq('"1.23E10".toNumber()', 12300000000);
    eq('"12".toNumber()', 12);
    eq('"$1,5".toInt()', 1);
    eq('"€12.5".toNumber()', 12.5);
    throws('"abc".toNumber()', /cannot convert to number/);
    eq('"1.1".toFloat()', 1.1);
    eq('"1.1".toDecimalNumber()', 1.1);
    throws('"1,1".toFloat()', /expected \. as decimal separator/);
    throws('"x".toFloat()', /cannot convert to float/);
    eq('"1.1".toInt()', 1);
    eq('"1.1".toWholeNumber()', 1);
    eq('"1.5".toInt()', 1);
    eq('"1.5".toWholeNumber()', 1);
    eq('"ff".toInt(16)', 255);
    throws('"x".toInt()', /cannot convert to integer/);

    eq('"quick! brown FOX".toSentenceCase()', 'Quick! Brown fox');
    eq(
        '"i am a test! i have multiple types of Punctuation. or do i?".toSentenceCase()',
        'I am a test! I have multiple types of punctuation. Or do i?',
    );
    eq('"i am a test".toSentenceCase()', 'I am a test');
    eq('"hello world. 123".toSentenceCase()', 'Hello world. 123');
    eq('"growth is high. 50%".toSentenceCase()', 'Growth is high. 50%');
    eq('"42".toSentenceCase()', '42');
    eq('"quick brown $FOX".toSnakeCase()', 'quick_brown_fox');
    eq('"I am a test!".toSnakeCase()', 'i_am_a_test');
    eq('"i_am_a_test".toSnakeCase()', 'i_am_a_test');
    // title-case rules: small words stay lower except first/last; words with inner capitals kept.
    eq('"quick a brown fox".toTitleCase()', 'Quick a Brown Fox');
    eq('"the lord of the rings".toTitleCase()', 'The Lord of the Rings');
    eq('"iPhone for you".toTitleCase()', 'iPhone for You');

    eq('"name=Nathan Automat".urlEncode()', 'name%3DNathan%20Automat');
    eq('"name=Nathan Automat".urlEncode(true)', 'name=Nathan%20Automat');
    eq('"string with spaces".urlEncode(false)', 'string%20with%20spaces');
    eq('"name%3DNathan%20Automat".urlDecode()', 'name=Nathan Automat');
    eq('"name%3DNathan%20Automat".urlDecode(true)', 'name%3DNathan Automat');
    eq('"string%20with%20spaces".urlDecode(false)', 'string with spaces');
    throws('"%%%".urlDecode()', /urlDecode/);

    eq('\'Nathan says "hi"\'.quote()', '"Nathan says \\"hi\\""');
    eq('"test".quote()', '"test"');
    eq('"it\'s".quote("\'")', "'it\\'s'");
    eq('"a\\\\b".quote()', '"a\\\\b"');

    eq('"déjà".replaceSpecialChars()', 'deja');
    eq('"Straße Œuvre ŁÓDŹ".replaceSpecialChars()', 'Strasse OEuvre LODZ');

    eq('"n8n.io".isDomain()', true);
    eq('"http://n8n.io".isDomain()', false);
    eq('"hello".isDomain()', false);
    for (const [s, r] of [
        ['example.com', true], ['asdf', false], ['https://example.com/', false],
        ['www.example.com', true], ['subdomain.example.com', true], ['example.co.uk', true],
        ['example', false], ['example.', false], ['.com', false], ['example..com', false],
        ['example_com', false], ['example/com', false], ['example com', false],
        ['www.example..com', false], ['123.com', true], ['xn--80aswg.xn--p1ai', true],
        ['example.com:8080', true], ['', false],
    ]) {
        eq(`${JSON.stringify(s)}.isDomain()`, r);
    }
    eq('"me@example.com".isEmail()', true);
    eq('"It\'s me@example.com".isEmail()', false);
    eq('"hello".isEmail()', false);
    eq('"test @ n8n".isEmail()', false);
    eq('"1.2234".isNumeric()', true);
    eq('"hello".isNumeric()', false);
    eq('"123E23".isNumeric()', true);
    eq('"".isNumeric()', false);
    eq('"4e4".isNumeric()', true);
    eq('"1 2".isNumeric()', false);
    for (const [s, r] of [
        ['https://n8n.io', true], ['n8n.io', false], ['hello', false],
        ['https://example.com/', true], ['ftp://example.com/', true], ['www.example.com', false],
        ['https://www.example.com/', true], ['https://example.com/path?query=1', true],
        ['https://example.com/path#fragment', true], ['https://example.com:8080', true],
        ['https://example.com?query=1', true], ['https://example.com#fragment', true],
        ['example.com/path', false], ['http:///', false], ['https://', false], ['', false],
    ]) {
        eq(`${JSON.stringify(s)}.isUrl()`, r);
    }

    eq('\'The "best" colours: red\\nbrown\'.toJsonString()', '"The \\"best\\" colours: red\\nbrown"');
    eq('"foo".toJsonString()', '"foo"');
    eq('"My email is me@example.com".extractEmail()', 'me@example.com');
    eq('"no email".extractEmail()', undefined);
    for (const [s, r] of [
        ['me@example.com', 'example.com'], ['http://n8n.io/workflows', 'n8n.io'],
        ['https://www.google.com', 'www.google.com'], ['ftp://ftp.example.com', 'ftp.example.com'],
        ['google.com', 'google.com'], ['//example.com', 'example.com'],
        ['mailto:john.doe@example.com', 'example.com'], ['tel:+1-555-123-4567', undefined],
        ['first.last@example.co.uk', 'example.co.uk'], ['www.example.net?test=1213', 'www.example.net'],
        ['https://www.example.net#tesdt123', 'www.example.net'], ['https://192.168.1.1', '192.168.1.1'],
        ['https://localhost?test=123', 'localhost'], ['https://www.example.com:8080', 'www.example.com'],
        ['https://www.example_with_underscore.com', 'www.example_with_underscore.com'],
    ]) {
        eq(`${JSON.stringify(s)}.extractDomain()`, r);
    }
    eq('"It\'s me@example.com".extractEmail().extractDomain()', 'example.com');
    eq('"Check out http://n8n.io".extractUrl()', 'http://n8n.io');
    eq(
        '"Check this out: https://subdomain.example.com:3000/path?q=1#hash".extractUrl()',
        'https://subdomain.example.com:3000/path?q=1#hash',
    );
    eq('"Invalid URL: http:///example.com".extractUrl()', undefined);
    eq('"Mixed content: https://www.example.com and http://www.example.org".extractUrl()', 'https://www.example.com');
    eq('"IP URL: http://192.168.1.1:8000/path?q=value#frag".extractUrl()', 'http://192.168.1.1:8000/path?q=value#frag');
    eq('"http://n8n.io/workflows".extractUrlPath()', '/workflows');
    eq('"Check out http://n8n.io/workflows".extractUrl().extractUrlPath()', '/workflows');
    eq('"https://example.com/orders/1/detail#hash?foo=bar".extractUrlPath()', '/orders/1/detail');
    eq('"https://example.com".extractUrlPath()', '/');
    eq('"http://user:pass@example.com/path".extractUrlPath()', '/path');
    for (const s of ['hi', 'not-a-url', 'https://', '', ':://no-scheme', 'http:/malformed']) {
        eq(`${JSON.stringify(s)}.extractUrlPath()`, undefined);
    }

    eq('\'{"name":"Nathan"}\'.parseJson()', { name: 'Nathan' });
    eq('\'{"test1":1,"test2":"2"}\'.parseJson()', { test1: 1, test2: '2' });
    throws('"{\'name\':\'Nathan\'}".parseJson()', /Parsing failed. Check you're using double quotes/);
    throws('"No JSON here".parseJson()', /Parsing failed/);

    eq('"hello".base64Encode()', 'aGVsbG8=');
    eq('"aGVsbG8=".base64Decode()', 'hello');
    eq('"n8n test".base64Encode()', 'bjhuIHRlc3Q=');
    eq('"bjhuIHRlc3Q=".base64Decode()', 'n8n test');
    eq('"déjà vu ✓".base64Encode().base64Decode()', 'déjà vu ✓');
    eq('"12345".hash("base64")', 'MTIzNDU=');

    const d = ev('"2022-09-01T19:42:28.164Z".toDate()');
    assert.equal(d.toISOString(), '2022-09-01T19:42:28.164Z');
    assert.equal(ev('"2023-01-30".toDate().toISOString()'), '2023-01-30T00:00:00.000Z');
    throws('"2022-09-32T19:42:28.164Z".toDate()', /cannot convert to date/);
});

test('string .hash() uses the __sl_hash native helper', () => {
    // Digests of "12345" from n8n's string-extensions tests.
    const { eq, throws } = makeContext({ hash: true });
    const cases = {
        md5: '827ccb0eea8a706c4c34a16891f84e7b',
        sha1: '8cb2237d0679ca88db6464eac60da96345513964',
        sha224: 'a7470858e79c282bc2f6adfd831b132672dfd1224c1e78cbf5bcd057',
        sha256: '5994471abb01112afcc18159f6cc74b4f511b99806da59b3caf5a9c173cacfc5',
        sha384:
            '0fa76955abfa9dafd83facca8343a92aa09497f98101086611b0bfa95dbc0dcc661d62e9568a5a032ba81960f3e55d4a',
        sha512:
            '3627909a29c31381a071ec27f7c9ca97726182aed29a7ddd2e54353322cfb30abb9e3a6df2ac2c20fe23436311d678564d0c8d305930575f60e2d3d048184d79',
        sha3: '0a2a1719bf3ce682afdbedf3b23857818d526efbe7fcb372b31347c26239a0f916c398b7ad8dd0ee76e8e388604d0b0f925d5e913ad2d3165b9b35b3844cd5e6',
    };
    for (const [algo, digest] of Object.entries(cases)) {
        eq(`"12345".hash("${algo}")`, digest);
        eq(`"12345".hash("${algo.toUpperCase()}")`, digest);
    }
    eq('"hello".hash()', '5d41402abc4b2a76b9719d911017c592');
    throws('"12345".hash("invalid")', /Unknown algorithm/);

    // sluice contract: without the native helper, a clear error.
    const bare = makeContext();
    bare.throws('"12345".hash("sha256")', /hash\(\) is not available/);
});

test('number extensions', () => {
    const { eq, throws } = makeContext();
    eq('(1.234).ceil()', 2);
    eq('(1.0).ceil()', 1);
    eq('(1.234).floor()', 1);
    eq('(1.9).floor()', 1);
    eq('(NaN).ceil()', null); // NaN (JSON shows null)
    eq('(123456.789).format("de-DE")', '123.456,789');
    // ICU separates the currency with a no-break space; the docs show a plain one.
    eq('(123456.789).format("de-DE", {"style": "currency", "currency": "EUR"}).replace(/\\u00a0/g, " ")', '123.456,79 €');
    eq('(100).format()', '100');
    eq('(1234.5).format()', '1,234.5');
    eq('(1.256).round()', 1);
    eq('(1.256).round(1)', 1.3);
    eq('(1.256).round(2)', 1.26);
    eq('(1.3333333).round(3)', 1.333);
    eq('(1.5001).round(0)', 2);
    eq('(-1.7).abs()', 1.7);
    eq('(1.7).abs()', 1.7);
    eq('(4).isInteger()', true);
    eq('(4.12).isInteger()', false);
    eq('(-4).isInteger()', true);
    eq('(33).isEven()', false);
    eq('(42).isEven()', true);
    eq('(0).isEven()', true);
    eq('(33).isOdd()', true);
    eq('(42).isOdd()', false);
    eq('(-3).isOdd()', true);
    throws('(9.2).isOdd()', /isOdd\(\) is only callable on integers/);
    throws('(NaN).isEven()', /isEven\(\) is only callable on integers/);
    eq('(12).toBoolean()', true);
    eq('(0).toBoolean()', false);
    eq('(-1.3).toBoolean()', true);
    eq('(42144).toInt()', 42144);
    eq('(42144.345).toInt()', 42144);
    eq('(42144.545).toInt()', 42145);
    eq('(42144.345).toFloat()', 42144.345);
    eq('(0).isEmpty()', true); // numbers use the generic isEmpty
    eq('(5).isEmpty()', false);
    eq('(5).isNotEmpty()', true);
});

test('array extensions', () => {
    const { ev, eq, throws } = makeContext();
    eq('[12, 1, 5].average()', 6);
    eq('[1, 2, 3, 4, 5, 6].average()', 3.5);
    eq('[].average()', 0);
    eq('[2, null, 1, ""].compact()', [2, 1]);
    eq(
        '[{ test1: 1, test2: undefined, test3: null }, null, undefined, 1, 2, 0, { test: "asdf" }].compact()',
        [{ test1: 1 }, 1, 2, 0, { test: 'asdf' }],
    );
    eq('[].isEmpty()', true);
    eq('["quick", "brown", "fox"].isEmpty()', false);
    eq('["quick", "brown", "fox"].isNotEmpty()', true);
    eq('[].isNotEmpty()', false);
    eq('["quick", "brown", "fox"].first()', 'quick');
    eq('["quick", "brown", "fox"].last()', 'fox');
    eq('[].first()', undefined);
    eq('[1, 12, 5].max()', 12);
    eq('[12, 1, 5].min()', 1);
    eq('[12, 1, 5].sum()', 18);
    eq('[1, 2, 3, 4, 5, 6].sum()', 21);
    throws('["1", 2, 3, 4, 5, "bad"].sum()', /sum\(\): all array elements must be numbers/);
    throws('["1", 2].min()', /min\(\): all array elements must be numbers/);
    throws('["1", 2].max()', /max\(\): all array elements must be numbers/);
    throws('["1", 2].average()', /average\(\): all array elements must be numbers/);
    assert.ok(['quick', 'brown', 'fox'].includes(ev('["quick", "brown", "fox"].randomItem()')));
    eq('[].randomItem()', undefined);
    eq('[1, 2, 3, 4, 5, 6].chunk(2)', [[1, 2], [3, 4], [5, 6]]);
    throws('[1, 2].chunk(0)', /chunk\(\): expected chunk size of at least 1/);
    throws('[1, 2].chunk(-1)', /chunk\(\)/);
    throws('[1, 2].chunk()', /chunk\(\)/);
    eq('[1, 2, 3].difference([2, 3])', [1]);
    eq('[1, 2, "dd", {}, null, ["a", 1]].difference([1, {}, null, ["a", 1]])', [2, 'dd']);
    eq('[{ test1: 1 }, { test2: 2 }].difference([{ test1: 1 }, { test2: 2 }])', []);
    eq('[1, 2].intersection([2, 3])', [2]);
    eq('[1, 2, "dd", {}, null].intersection([1, {}, null])', [1, {}, null]);
    eq('[{ test1: 1 }, { test2: 2 }].intersection([{ test1: 1, test3: 3 }, { test2: 2 }, { test4: 4 }])', [
        { test2: 2 },
    ]);
    eq('[1, 2].union([2, 3])', [1, 2, 3]);
    eq('[1, 2, "dd", {}, null].union([1, {}, null, 3])', [1, 2, 'dd', {}, null, 3]);
    throws('[1].union(2)', /union\(\): expected array arg/);
    eq(
        '[{ name: "Nathan" }, { age: 42 }].merge([{ city: "Berlin" }, { country: "Germany" }])',
        { name: 'Nathan', age: 42, city: 'Berlin', country: 'Germany' },
    );
    eq('[{ test1: 1, test2: 2 }, { test1: 1, test3: 3 }].merge([{ test1: 2, test3: 3 }, { test4: 4 }])', {
        test1: 1, test2: 2, test3: 3, test4: 4,
    });
    eq('[{ a: 1 }, { b: 2 }].merge([{ c: 3 }])', { a: 1, c: 3 });
    eq('[{ a: 1, some: null }, { a: 2, c: "something" }, 2, "asds", { b: 23 }, null, [1, 2]].merge()', {
        a: 1, some: null, c: 'something', b: 23,
    });
    throws('[{}].merge({})', /merge\(\): expected array arg/);
    eq('[{ a: 1 }, { b: 2 }].mergeIntoObject([{ c: 3 }])', { a: 1, b: 2, c: 3 });
    eq('[{ a: 1 }].mergeIntoObject([{ b: 2 }, { c: 3 }])', { a: 1, b: 2, c: 3 });
    eq('[{ a: 1 }, { b: 2 }].mergeIntoObject([{ c: 3 }, "not an object"])', { a: 1, b: 2, c: 3 });
    eq('[{ name: "Nathan", age: 42 },{ name: "Jan", city: "Berlin" }].pluck("name")', ['Nathan', 'Jan']);
    eq('[{ name: "Nathan", age: 42 },{ name: "Jan", city: "Berlin" }].pluck("age")', [42]);
    eq('[{ firstName: "John", lastName: "Doe" }, { firstName: "Jane", lastName: "Doe" }].pluck("firstName", "lastName")', [
        ['John', 'Doe'], ['Jane', 'Doe'],
    ]);
    eq('[{ v: 1 }, 3].pluck()', [{ v: 1 }, 3]);
    eq('[{ name: "bob" }, { name: "meg" }].renameKeys("name", "x")', [{ x: 'bob' }, { x: 'meg' }]);
    eq('[{ test1: 1, test2: 2 }, { test1: 1, test3: 3 }].renameKeys("test1", "rename1", "test3", "rename3")', [
        { rename1: 1, test2: 2 }, { rename1: 1, rename3: 3 },
    ]);
    throws('[{}].renameKeys("a")', /renameKeys\(\): expected an even amount of args/);
    eq('[{ field: "age", value: 2 }, { field: "city", value: "Berlin" }].smartJoin("field", "value")', {
        age: 2, city: 'Berlin',
    });
    eq('[{ name: "test1", value: "value1" }, { name: "test2", value: null }].smartJoin("name", "value")', {
        test1: 'value1', test2: null,
    });
    throws('[].smartJoin("a")', /smartJoin\(\): expected two string args/);
    eq('["quick", "brown", "quick"].unique()', ['quick', 'brown']);
    eq('["quick", "brown", "quick"].removeDuplicates()', ['quick', 'brown']);
    eq('[{ name: "Nathan", age: 42 }, { name: "Nathan", age: 22 }].unique()', [
        { name: 'Nathan', age: 42 }, { name: 'Nathan', age: 22 },
    ]);
    eq('[{ name: "Nathan", age: 42 }, { name: "Nathan", age: 22 }].unique("name")', [{ name: 'Nathan', age: 42 }]);
    eq('[1, 2, 3, "as", {}, {}, 1, 2, [1,2], "[sad]", "[sad]", null].unique()', [
        1, 2, 3, 'as', {}, [1, 2], '[sad]', null,
    ]);
    eq('["quick", "brown", "fox"].toJsonString()', '["quick","brown","fox"]');
    eq('[true, 1, "one", {foo: "bar"}].toJsonString()', '[true,1,"one",{"foo":"bar"}]');
    eq('["forget", "me"].append("not")', ['forget', 'me', 'not']);
    eq('[9, 0, 2].append(1, 0)', [9, 0, 2, 1, 0]);
    eq('[1, 2].toInt()', undefined);
    eq('[1, 2].toFloat()', undefined);
    eq('[1, 2].toBoolean()', undefined);
    eq('[1, 2].toDateTime()', undefined);
    // Native Array#reverse is kept (it mutates); __sl_extend gives n8n's copying reverse.
    eq('(() => { const a = [1, 2, 3]; const r = __sl_extend(a, "reverse", []); return [a, r]; })()', [
        [1, 2, 3], [3, 2, 1],
    ]);
});

test('object extensions', () => {
    const { eq, throws, ev } = makeContext();
    eq('({"name": "Nathan"}).isEmpty()', false);
    eq('({}).isEmpty()', true);
    eq('({ test1: null, test2: undefined }).isEmpty()', false);
    eq('({"name": "Nathan"}).isNotEmpty()', true);
    eq('({}).isNotEmpty()', false);
    eq('({ x: null, y: 2, z: "" }).compact()', { y: 2 });
    eq('({ test1: 0, test2: false, test3: "", test4: "nil" }).compact()', { test1: 0, test2: false });
    eq('({ test1: 1, test2: { nested1: null, nested2: "value" }, test3: undefined }).compact()', {
        test1: 1, test2: { nested2: 'value' },
    });
    eq('({ name: "Mr Nathan", city: "hanoi" }).urlEncode()', 'name=Mr+Nathan&city=hanoi');
    eq('({ test1: 1, test2: "2" }).urlEncode()', 'test1=1&test2=2');
    eq('({ name: "hello!()" }).urlEncode()', 'name=hello%21%28%29');
    eq('({ name: "Nathan", age: 42 }).hasField("name")', true);
    eq('({ name: "Nathan", age: 42 }).hasField("Name")', false);
    eq('({ name: "Nathan", age: 42 }).hasField("inventedField")', false);
    eq('({}).hasField("keys")', false); // installed methods are not fields
    eq('({}).hasField("toString")', true); // as n8n's `in` check
    eq('({ name: "Nathan", city: "hanoi" }).removeField("name")', { city: 'hanoi' });
    eq('({ test1: 1, test2: 2, test3: 3 }).removeField("testDoesntExist")', { test1: 1, test2: 2, test3: 3 });
    eq('({ name: "Mr Nathan", city: "hanoi", age: 42 }).removeFieldsContaining("Nathan")', { city: 'hanoi', age: 42 });
    // n8n's doc example uses "Han" here, which contradicts its own "case-sensitive" rule and code.
    eq('({ name: "Mr Nathan", city: "hanoi", age: 42 }).removeFieldsContaining("han")', { age: 42 });
    eq('({ name: "Mr Nathan", city: "hanoi", age: 42 }).removeFieldsContaining("Han")', {
        name: 'Mr Nathan', city: 'hanoi', age: 42,
    });
    eq('({ name: "Mr Nathan", city: "hanoi", age: 42 }).removeFieldsContaining("nathan")', {
        name: 'Mr Nathan', city: 'hanoi', age: 42,
    });
    throws('({ a: "x" }).removeFieldsContaining("")', /removeFieldsContaining\(\): expected non-empty string arg/);
    eq('({ name: "Mr Nathan", city: "hanoi", age: 42 }).keepFieldsContaining("Nathan")', { name: 'Mr Nathan' });
    eq('({ name: "Mr Nathan", city: "hanoi", age: 42 }).keepFieldsContaining("nathan")', {});
    eq('({ name: "Mr Nathan", city: "hanoi", age: 42 }).keepFieldsContaining("han")', {
        name: 'Mr Nathan', city: 'hanoi',
    });
    throws('({ a: "x" }).keepFieldsContaining("")', /keepFieldsContaining must be a non-empty string/);
    eq('({ name: "Mr Nathan", age: 42 }).keys()', ['name', 'age']);
    eq('({}).keys()', []);
    eq('({ name: "Mr Nathan", age: 42 }).values()', ['Mr Nathan', 42]);
    eq('({ name: "Nathan", age: 42 }).toJsonString()', '{"name":"Nathan","age":42}');
    // merge() as documented for objects: the base object's keys take precedence.
    eq('({ a: 1, b: 2 }).merge({ b: 3, c: 4 })', { a: 1, b: 2, c: 4 });
    throws('({ a: 1 }).merge(5)', /merge\(\): expected object arg/);
    eq('({ a: 1 }).toInt()', undefined);
    eq('({ a: 1 }).toDateTime()', undefined);
    // Results are built without going through __proto__ setters.
    eq(
        '(() => { const r = JSON.parse(\'{"t": 1, "__proto__": {"marker": "set"}}\').compact(); ' +
            'return [Object.getPrototypeOf(r) === Object.prototype, Object.keys(r), ({}).marker === undefined]; })()',
        [true, ['t', '__proto__'], true],
    );
    assert.equal(ev('Object.prototype.hasOwnProperty.call([{ a: 1 }].mergeIntoObject([{ toString: "v" }]), "toString")'), true);
});

test('boolean and generic extensions, wrong-type errors', () => {
    const { eq, throws } = makeContext();
    eq('true.toNumber()', 1);
    eq('false.toNumber()', 0);
    eq('true.toInt()', 1);
    eq('false.toFloat()', 0);
    eq('true.toBoolean()', true);
    eq('true.toDateTime()', undefined);
    eq('false.isEmpty()', true);
    eq('true.isNotEmpty()', true);
    // n8n's extend() errors for a type without the method.
    throws('"abc".keys()', /keys\(\) is only callable on type "Object"/);
    throws('(5).compact()', /compact\(\) is only callable on types "Array", and "Object"/);
    throws('[1].hasField("a")', /hasField\(\) is only callable on type "Object"/);
    throws('"abc".format()', /format\(\) is only callable on types "Date", and "Number"/);
    throws('true.urlEncode()', /urlEncode\(\) is only callable on types "Object", and "String"/);
    // __sl_extend is n8n's extend(): also null/undefined and native fallback.
    eq('__sl_extend(null, "isEmpty", [])', true);
    eq('__sl_extend(undefined, "isNotEmpty", [])', false);
    throws('__sl_extend(undefined, "toDateTime", [])', /toDateTime can't be used on undefined value/);
    eq('__sl_extend("String", "length", [])', 6);
    eq('__sl_extend("TEST", "toLowerCase", [])', 'test');
    throws('__sl_extend({}, "constructor", [])', /security concerns/);
});

test('globals: $if, $ifEmpty, $min, $max, $not, $average', () => {
    const { eq, throws } = makeContext();
    eq('$if("a"==="a", 1, 2)', 1);
    eq('$if("a"==="b", 1, 2)', 2);
    eq('$if("a"==="a", 1)', 1);
    eq('$if("a"==="b", 1)', false);
    throws('$if(true)', /\$if requires at least 2 parameters/);
    eq('$ifEmpty(1, "default")', 1);
    eq('$ifEmpty(0, "default")', 0);
    eq('$ifEmpty(false, "default")', false);
    eq('$ifEmpty(true, "default")', true);
    eq('$ifEmpty("", "default")', 'default');
    eq('$ifEmpty(null, "default")', 'default');
    eq('$ifEmpty(undefined, "default")', 'default');
    eq('$ifEmpty([], "default")', 'default');
    eq('$ifEmpty({}, "default")', 'default');
    eq('$ifEmpty([1], "default")', [1]);
    eq('$ifEmpty({a: 1}, "default")', { a: 1 });
    throws('$ifEmpty(1)', /expected two arguments/);
    eq('$min(1, 2, 3, 4, 5, 6)', 1);
    eq('$max(1, 2, 3, 4, 5, 6)', 6);
    eq('$max(1, NaN, 3)', null); // NaN
    eq('$average(1, 2, 3, 4, 5, 6)', 3.5);
    eq('$not(1)', false);
    eq('$not("")', true);
    eq('Object.keys(globalThis).filter((k) => k.startsWith("$") || k.startsWith("__sl"))', []);
});

// ---------------------------------------------------------------------------
// Dates: need luxon (SLUICE_LUXON_JS). These fail, not skip, without it.
// ---------------------------------------------------------------------------

test('dates: luxon is found lazily and DateTime gains the extensions', () => {
    const { ev, eq } = makeContext({ luxon: true });
    // Extensions were installed before luxon existed; first use wires DateTime up.
    assert.equal(ev('luxon.DateTime.isDateTime("2024-01-01".toDateTime())'), true);
    assert.equal(ev('typeof luxon.DateTime.prototype.format'), 'function');
    eq('Object.getOwnPropertyDescriptor(luxon.DateTime.prototype, "format").enumerable', false);
    eq('JSON.stringify(luxon.DateTime.local(2024, 1, 2))', '"2024-01-02T00:00:00.000Z"');
    // Explicit hook (sluice calls it after loading luxon) is idempotent.
    assert.equal(ev('__sl_install_luxon_extensions()'), true);
    assert.equal(ev('__sl_install_luxon_extensions(luxon)'), true);
    eq('luxon.DateTime.fromISO("2024-03-30T18:49:00Z").plus(1, "day").toISO()', '2024-03-31T18:49:00.000Z');
    // One argument keeps luxon's own meaning.
    eq('luxon.DateTime.fromISO("2024-03-30T18:49:00Z").plus({ hours: 2 }).toISO()', '2024-03-30T20:49:00.000Z');
    eq('luxon.DateTime.fromISO("2024-03-30T18:49:00Z").plus(1000).toISO()', '2024-03-30T18:49:01.000Z');
    // luxon's own getter isWeekend is not replaced.
    eq('luxon.DateTime.local(2023, 1, 21).isWeekend', true);
});

test('dates: a context without luxon gives a clear error', () => {
    const { throws } = makeContext();
    throws('"2024-01-01".toDateTime()', /luxon/);
    throws('new Date(0).plus(1, "days")', /luxon/);
});

test('dates: string, number and boolean to DateTime', () => {
    const { ev, eq, throws } = makeContext({ luxon: true });
    for (const s of [
        '2024-03-29T18:06:31.798+01:00', 'Fri, 29 Mar 2024 18:08:01 +0100', '20240329',
        'Wed, 21 Oct 2015 07:28:00 GMT', '2008-11-11', '2024-01-02 10:00:00',
    ]) {
        assert.equal(ev(`luxon.DateTime.isDateTime(${JSON.stringify(s)}.toDateTime())`), true, s);
    }
    eq('"2024-03-29T18:06:31.798+01:00".toDateTime().toISO()', '2024-03-29T18:06:31.798+01:00');
    eq('"1711732132990".toDateTime("ms").toISO()', '2024-03-29T17:08:52.990Z');
    eq('"31-01-2024".toDateTime("dd-MM-yyyy").toISODate()', '2024-01-31');
    throws('"hi".toDateTime()', /cannot convert to Luxon DateTime/);
    eq('(1708695471).toDateTime("s").toISO()', '2024-02-23T13:37:51.000Z');
    eq('(1708695471000).toDateTime("ms").toISO()', '2024-02-23T13:37:51.000Z');
    eq('(1708695471000).toDateTime().toISO()', '2024-02-23T13:37:51.000Z');
    eq('(1708695471000000).toDateTime("us").toISO()', '2024-02-23T13:37:51.000Z');
    eq('(45345).toDateTime("excel").toISO()', '2024-02-23T00:00:00.000Z');
    eq('(1704085200000).toDateTime().setZone("America/New_York").toISO()', '2024-01-01T00:00:00.000-05:00');
    eq('(42144).toDateTime("excel").setZone("America/New_York").toISO()', '2015-05-19T20:00:00.000-04:00');
    throws('(1).toDateTime("days")', /Unsupported format 'days'/);
});

test('dates: DateTime and JS Date extensions', () => {
    const { ev, eq, throws } = makeContext({ luxon: true });
    const dt = (s) => `luxon.DateTime.fromISO("${s}")`;
    eq('luxon.DateTime.local(2023, 1, 20).isWeekend', false);
    eq('new Date(2023, 0, 21).isWeekend()', true);
    eq('new Date(2023, 0, 23).isWeekend()', false);
    eq('luxon.DateTime.local(2023, 1, 20).beginningOf("week").toISO()', '2023-01-16T00:00:00.000Z');
    eq('new Date(2023, 0, 20).beginningOf("week")', '2023-01-16T00:00:00.000Z');
    eq('"2023-06-16".toDate().beginningOf("month")', '2023-06-01T00:00:00.000Z');
    eq('"2023-01-30".toDate().beginningOf("years")', '2023-01-01T00:00:00.000Z');
    eq('luxon.DateTime.local(2023, 1, 16).endOfMonth().toISO()', '2023-01-31T23:59:59.999Z');
    eq('new Date(2023, 0, 16).endOfMonth()', '2023-01-31T23:59:59.999Z');
    eq('"2024-03-30T18:49".toDateTime().extract("month")', 3);
    eq('"2024-03-30T18:49".toDateTime().extract("hour")', 18);
    eq('luxon.DateTime.local(2023, 1, 20).extract("day")', 20);
    eq('luxon.DateTime.local(2023, 1, 20).extract()', 3);
    eq('luxon.DateTime.local(2023, 1, 20).extract("week")', 3);
    eq('new Date("2024-03-30T18:49").extract("year")', 2024);
    eq('new Date("2024-03-30T18:49").extract("yearDayNumber")', 90);
    eq('new Date("2024-03-30T18:49").extract("month")', 3);
    eq(`${dt('2024-03-30T18:49:00.123Z')}.extract("millisecond")`, 123);
    eq('"2024-04-30T18:49".toDateTime().format("dd/LL/yyyy")', '30/04/2024');
    eq('"2024-04-30T18:49".toDateTime().format("dd LLL yy")', '30 Apr 24');
    eq('"2024-04-30T18:49".toDateTime().setLocale("fr").format("dd LLL yyyy")', '30 avr. 2024');
    eq('"2024-04-30T18:49".toDateTime().format("HH \'hours and\' mm \'minutes\'")', '18 hours and 49 minutes');
    eq(`${dt('2024-03-30T18:49')}.format("yyyy LLL dd")`, '2024 Mar 30');
    eq('"2024-03-30T18:49".toDateTime().isBetween("2020-06-01", "2025-06-01")', true);
    eq('"2024-03-30T18:49".toDateTime().isBetween("2020", "2025")', true);
    eq('"2024-03-30T18:49".toDateTime().isBetween("2025", "2020")', true);
    eq('"2024-03-30T18:49".toDateTime().isBetween("2025", "2026")', false);
    eq('"2024-03-30T18:49".toDateTime().isBetween("2020", "invalid")', undefined);
    eq('"2024-03-30T18:49".toDateTime().isBetween("2020", 1)', undefined);
    throws('"2024-03-30T18:49".toDateTime().isBetween("2020")', /isBetween\(\): expected exactly two args/);
    eq('"2024-03-30T18:49".toDateTime().plus(7, "days").toISO()', '2024-04-06T18:49:00.000Z');
    eq('"2024-03-30T18:49".toDateTime().plus(4, "years").toISO()', '2028-03-30T18:49:00.000Z');
    eq('"2024-03-30T18:49".toDateTime().minus(7, "days").toISO()', '2024-03-23T18:49:00.000Z');
    eq('"2024-03-30T18:49".toDateTime().minus(4, "years").toISO()', '2020-03-30T18:49:00.000Z');
    eq('"2024-03-30T18:49".toDateTime().plus(2, "hrs").toISO()', '2024-03-30T20:49:00.000Z');
    eq('new Date("2024-03-30T18:49:00Z").minus(7, "days")', '2024-03-23T18:49:00.000Z');
    eq('new Date("2024-03-30T18:49:00Z").minus(4, "years")', '2020-03-30T18:49:00.000Z');
    eq('new Date("2024-03-30T18:49:00Z").minus(1000)', '2024-03-30T18:48:59.000Z');
    eq('new Date("2024-03-30T18:49:00Z").plus(7, "days")', '2024-04-06T18:49:00.000Z');
    eq('new Date("2024-03-30T18:49:00Z").plus(1000)', '2024-03-30T18:49:01.000Z');
    assert.equal(ev('new Date("2024-03-30T18:49:00Z").plus(1, "day") instanceof Date'), true);
    eq(`${dt('2024-03-30T18:49:00Z')}.minus(1, "day").toJSDate()`, '2024-03-29T18:49:00.000Z');
    eq('Math.floor("2025-01-01".toDateTime().diffTo("2024-03-30T18:49:07.234", "days"))', 276);
    eq('"2025-01-01".toDateTime().diffTo("2024-03-30T18:49:07.234", "days").floor()', 276);
    eq('"2025-01-01T00:00:00.000".toDateTime().diffTo("2024-03-30T18:49:07.234", ["months", "days"])', {
        months: 9, days: 1.2158884953703704,
    });
    eq(`${dt('2024-03-30T18:49:00Z')}.diffTo("2024-03-25T18:49:00Z", "days")`, 5);
    eq(`${dt('2024-03-30T18:49:00Z')}.diffTo("2024-03-30T12:49:00Z", "hours")`, 6);
    eq(`${dt('2024-03-30T18:49:00.500Z')}.diffTo("2024-03-30T18:49:00.000Z", "milliseconds")`, 500);
    throws(`${dt('2024-03-30T18:49:00Z')}.diffTo("2024-03-30T18:49:00Z", "invalid")`, /Unsupported unit/);
    // diffToNow() is this minus now (n8n's code; its doc example shows the opposite sign).
    assert.ok(ev('luxon.DateTime.now().plus({ days: 3 }).diffToNow("days")') > 2.99);
    assert.ok(ev('luxon.DateTime.now().minus({ days: 3 }).diffToNow()') < -2.99);
    eq('luxon.DateTime.now().plus({ days: 3, hours: 12, minutes: 1 }).diffToNow(["days", "hours"]).days', 3);
    eq(`${dt('2024-06-30T18:49:00')}.setZone("Europe/Berlin").isDst()`, true);
    eq(`${dt('2024-01-30T18:49:00')}.setZone("Europe/Berlin").isDst()`, false);
    eq('new Date(Date.now() - 5 * 60000).isInLast(10, "minutes")', true);
    eq('new Date(Date.now() - 15 * 60000).isInLast(10, "minutes")', false);
    eq('new Date(Date.now() - 5 * 60000).isInLast(10)', true);
    eq('luxon.DateTime.now().minus({ hours: 3 }).isInLast(1, "day")', true);
    eq('luxon.DateTime.fromFormat("01-01-2024", "dd-MM-yyyy").toDateTime().toISODate()', '2024-01-01');
    eq('new Date(2024, 0, 1, 12).toDateTime().toISO()', '2024-01-01T12:00:00.000Z');
    eq('new Date(2024, 0, 1, 12).toDateTime().plus(5, "days").toISO()', '2024-01-06T12:00:00.000Z');
    eq(`${dt('2024-01-01T00:00:00.000Z')}.toInt()`, 1704067200000);
    eq('new Date("2024-01-01T00:00:00.000Z").toFloat()', 1704067200000);
    eq('new Date("2024-01-01T00:00:00.000Z").toBoolean()', undefined);
    eq('"2023-03-30T18:49:07.234".toDateTime().isEmpty()', false);
    eq('"2023-03-30T18:49:07.234".toDateTime().isNotEmpty()', true);
    eq('new Date().isEmpty()', false);
});

test('dates: ISO UTC strings act as Dates, as in n8n', () => {
    const { eq, throws } = makeContext({ luxon: true });
    eq('"2024-03-30T18:49:00.000Z".plus(1, "days")', '2024-03-31T18:49:00.000Z');
    eq('"2024-03-30T18:49:00.000Z".format("yyyy-MM-dd")', '2024-03-30');
    eq('"2024-03-30T18:49:00.000Z".extract("day")', 30);
    eq('"2024-03-30T18:49:00.000Z".toDateTime().toISO()', '2024-03-30T18:49:00.000Z');
    eq('"2024-03-30T18:49:00.000Z".toDate()', '2024-03-30T18:49:00.000Z');
    eq('"2024-03-30T18:49:00.000Z".isEmpty()', false);
    // A string method that Dates lack is an error for such a string, as in n8n.
    throws('"2024-03-30T18:49:00.000Z".isEmail()', /isEmail\(\) is only callable on type "String"/);
    // Anything not exactly toISOString() stays a string.
    eq('"2024-03-30T18:49:00Z".isEmail()', false);
    throws('"2024-03-30".plus(1, "days")', /plus\(\) is only callable on type "Date"/);
});
