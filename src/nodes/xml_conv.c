/*
 * XML <-> JSON conversion the way xml2js 0.6 does it (see xml_conv.h).
 *
 * The parser half drives libxml2's SAX interface in its SAX1 form (plain
 * qualified names, attributes in source order, no namespace processing),
 * because xml2js's sax parser works on raw names too. Every element keeps
 * a frame with its attributes and children (a JSON object) and its text,
 * and is turned into xml2js's value when it closes.
 *
 * The builder half is a small model of xmlbuilder: nodes (elements, text,
 * raw text, CDATA, comments, processing instructions) are created by
 * element()/text()/raw() calls with xmlbuilder's argument rules, including
 * the special "#text", "#cdata", "#comment", "#raw" and "?" name prefixes
 * and its object expansion, then written by a port of its string writer.
 */
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsvalue.h"
#include "nodes/xml_conv.h"
#include "util/alloc.h"

/* ------------------------------------------------------------------ */
/* shared helpers                                                      */
/* ------------------------------------------------------------------ */

/* String(v) for an option or value; "undefined" for NULL. */
static char *js_str(const json_t *v)
{
    return sl_jsv_to_string(v);
}

/* Option `name` of `options`, NULL when absent (undefined). */
static json_t *opt(const json_t *options, const char *name)
{
    return json_is_object(options) ? json_object_get(options, name) : NULL;
}

static bool opt_bool(const json_t *options, const char *name, bool dflt)
{
    json_t *v = opt(options, name);
    return v ? sl_jsv_truthy(v) : dflt;
}

static char *opt_str(const json_t *options, const char *name, const char *dflt)
{
    json_t *v = opt(options, name);
    return v ? js_str(v) : sl_strdup(dflt);
}

/* True when s is empty or only JavaScript whitespace (/^\s*$/). */
static bool js_blank(const char *s)
{
    size_t n;
    while ((n = sl_jsv_space_len(s)))
        s += n;
    return *s == '\0';
}

/* ------------------------------------------------------------------ */
/* XML -> JSON                                                         */
/* ------------------------------------------------------------------ */

struct frame {
    char *name;
    json_t *obj; /* attributes and children, in order */
    struct sl_buf text;
    bool cdata;
};

struct parse {
    xmlParserCtxtPtr ctxt;
    char *attrkey, *charkey;
    bool explicit_array, explicit_root, ignore_attrs, merge_attrs, normalize, normalize_tags, trim,
        explicit_charkey;
    const json_t *empty_tag; /* NULL or "" mean the element's own (blank) text */
    struct frame *stack;
    size_t depth, cap;
    json_t *result;
    bool done;
    char *err;
    int line_offset;
};

/* Object.prototype's own property names: `name in obj` is true for them
 * even on an empty object, which changes what xml2js's assignOrPush does. */
static bool proto_name(const char *k)
{
    static const char *const names[] = {
        "__defineGetter__", "__defineSetter__", "hasOwnProperty",       "__lookupGetter__",
        "__lookupSetter__", "isPrototypeOf",    "propertyIsEnumerable", "toString",
        "valueOf",          "toLocaleString",
    };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strcmp(k, names[i]) == 0)
            return true;
    return false;
}

/* n8n's sanitizeXmlName: names that would reach an object's prototype. */
static char *sanitize_name(char *name)
{
    if (strcmp(name, "__proto__") == 0 || strcmp(name, "constructor") == 0 ||
        strcmp(name, "prototype") == 0) {
        char *s = sl_asprintf("sanitized_%s", name);
        free(name);
        return s;
    }
    return name;
}

/* xml2js's assignOrPush: the first value under `key` is stored as is (in a
 * one-element array with explicitArray), later ones turn it into an array.
 * Steals `v`. An inherited name (toString, ...) counts as present: its
 * function becomes the array's first element, null in JSON. */
static void assign_or_push(struct parse *p, json_t *obj, const char *key, json_t *v)
{
    json_t *cur = json_object_get(obj, key);
    if (!cur && !proto_name(key)) {
        json_object_set_new(obj, key, p->explicit_array ? json_pack("[o]", v) : v);
        return;
    }
    if (!json_is_array(cur)) {
        json_t *arr = json_array();
        json_array_append(arr, cur ? cur : json_null());
        json_object_set_new(obj, key, arr);
        cur = arr;
    }
    json_array_append_new(cur, v);
}

static void parse_fail(struct parse *p, char *msg)
{
    if (!p->err)
        p->err = msg;
    else
        free(msg);
    xmlStopParser(p->ctxt);
}

static void on_start(void *ud, const xmlChar *xname, const xmlChar **atts)
{
    struct parse *p = ud;
    if (p->err || p->done)
        return;
    if (p->depth >= SL_XML_MAX_DEPTH) {
        parse_fail(p,
                   sl_asprintf("elements nested deeper than %d levels (line %d)", SL_XML_MAX_DEPTH,
                               xmlSAX2GetLineNumber(p->ctxt) + p->line_offset));
        return;
    }
    if (p->depth == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 16;
        p->stack = sl_realloc(p->stack, p->cap * sizeof *p->stack);
    }
    struct frame *f = &p->stack[p->depth++];
    memset(f, 0, sizeof *f);
    f->obj = json_object();
    if (!p->ignore_attrs) {
        for (size_t i = 0; atts && atts[i]; i += 2) {
            char *k = sanitize_name(sl_strdup((const char *)atts[i]));
            json_t *v = json_string(atts[i + 1] ? (const char *)atts[i + 1] : "");
            if (p->merge_attrs) {
                assign_or_push(p, f->obj, k, v);
            } else {
                json_t *a = json_object_get(f->obj, p->attrkey);
                if (!json_is_object(a))
                    json_object_set_new(f->obj, p->attrkey, a = json_object());
                json_object_set_new(a, k, v);
            }
            free(k);
        }
    }
    char *name =
        p->normalize_tags ? sl_jsv_lower((const char *)xname) : sl_strdup((const char *)xname);
    f->name = sanitize_name(name);
}

static void on_text(void *ud, const xmlChar *ch, int len)
{
    struct parse *p = ud;
    if (p->err || p->done || p->depth == 0)
        return;
    sl_buf_add(&p->stack[p->depth - 1].text, ch, (size_t)len);
}

static void on_cdata(void *ud, const xmlChar *ch, int len)
{
    struct parse *p = ud;
    on_text(ud, ch, len);
    if (p->depth > 0)
        p->stack[p->depth - 1].cdata = true;
}

/* The text xml2js keeps: trimmed with trim, runs of two or more
 * whitespace characters collapsed to one space and trimmed with
 * normalize. New heap string. */
static char *process_text(const struct parse *p, const char *t)
{
    char *s = sl_strdup(t);
    const char *b, *e;
    if (p->trim) {
        sl_jsv_trim(s, &b, &e);
        char *n = sl_strndup(b, (size_t)(e - b));
        free(s);
        s = n;
    }
    if (p->normalize) {
        struct sl_buf out = {0};
        const char *q = s;
        while (*q) {
            size_t n = sl_jsv_space_len(q);
            if (!n) {
                sl_buf_addc(&out, *q++);
                continue;
            }
            const char *run = q;
            size_t count = 0;
            while ((n = sl_jsv_space_len(q))) {
                q += n;
                count++;
            }
            if (count >= 2)
                sl_buf_addc(&out, ' ');
            else
                sl_buf_add(&out, run, (size_t)(q - run));
        }
        char *n = sl_buf_steal(&out);
        sl_jsv_trim(n, &b, &e);
        free(s);
        s = sl_strndup(b, (size_t)(e - b));
        free(n);
    }
    return s;
}

/* The value of a closed element (xml2js's onclosetag). Consumes the
 * frame's object. */
static json_t *close_value(struct parse *p, struct frame *f)
{
    const char *text = f->text.data ? f->text.data : "";
    json_t *obj = f->obj;
    const char *empty_str = "";
    f->obj = NULL;
    if (js_blank(text) && !f->cdata) {
        empty_str = text;
    } else {
        char *t = process_text(p, text);
        if (json_object_size(obj) == 0 && !p->explicit_charkey) {
            json_decref(obj);
            json_t *s = json_string(t);
            free(t);
            return s ? s : json_string("");
        }
        /* the character key was the object's first key all along */
        json_t *n = json_object();
        json_object_set_new(n, p->charkey, json_string(t));
        free(t);
        const char *k;
        json_t *v;
        json_object_foreach(obj, k, v)
        {
            if (strcmp(k, p->charkey) != 0)
                json_object_set(n, k, v);
        }
        json_decref(obj);
        obj = n;
    }
    if (json_object_size(obj) == 0) {
        json_decref(obj);
        if (p->empty_tag && !(json_is_string(p->empty_tag) && !*json_string_value(p->empty_tag)))
            return json_deep_copy(p->empty_tag);
        return json_string(empty_str);
    }
    return obj;
}

static void on_end(void *ud, const xmlChar *xname)
{
    struct parse *p = ud;
    (void)xname;
    if (p->err || p->done || p->depth == 0)
        return;
    struct frame *f = &p->stack[--p->depth];
    json_t *v = close_value(p, f);
    if (!v)
        v = json_string(""); /* invalid UTF-8 cannot come from libxml2; be safe */
    if (p->depth > 0) {
        assign_or_push(p, p->stack[p->depth - 1].obj, f->name, v);
    } else {
        p->result = p->explicit_root ? json_pack("{so}", f->name, v) : v;
        p->done = true;
        xmlStopParser(p->ctxt); /* xml2js ignores what follows the root */
    }
    free(f->name);
    sl_buf_release(&f->text);
}

/* libxml2's error, warning and fatalError callback: the details are in
 * the context's lastError, filled before the callback runs. */
static void on_error(void *ud, const char *fmt, ...)
{
    struct parse *p = ud;
    const xmlError *e = &p->ctxt->lastError;
    (void)fmt;
    if (p->err || p->done)
        return;
    /* sax (xml2js) keeps the first of two equal attributes; libxml2 does
     * the same in recovery mode, so that error is not one here. */
    if (e->code == XML_ERR_ATTRIBUTE_REDEFINED)
        return;
    /* an undeclared entity is only a warning when the document has an
     * external subset, which is never loaded: an error for xml2js too */
    if (e->level == XML_ERR_WARNING && e->code != XML_WAR_UNDECLARED_ENTITY)
        return;
    char *msg = sl_strdup(e->message ? e->message : "malformed XML");
    size_t n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = '\0';
    for (char *c = msg; *c; c++)
        if (*c == '\n' || *c == '\r')
            *c = ' ';
    /* SAX1 parsing does not track where a tag opened */
    char *zero = strstr(msg, " line 0 and ");
    if (zero)
        memmove(zero, zero + 7, strlen(zero + 7) + 1);
    parse_fail(p, sl_asprintf("%s (line %d)", msg, e->line + p->line_offset));
    free(msg);
}

/* True when s[0..n) starts with `lit`. */
static bool at(const char *s, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    return n >= l && memcmp(s, lit, l) == 0;
}

/* sax (xml2js) hands text and attribute values over exactly as written,
 * while an XML parser normalises line ends (CR LF and CR to LF) and
 * attribute whitespace (tab, CR, LF to a space). This rewrites those
 * characters as character references, which no parser normalises, so that
 * libxml2 reports what sax does: CR in element content and CDATA (a CDATA
 * section is split around it), and tab, CR and LF in attribute values.
 * Prolog, comments, processing instructions and the DOCTYPE are copied as
 * they are. Malformed input is copied along; the parser reports it.
 * New heap string; *out_len is its length. */
static char *sax_compat(const char *s, size_t n, size_t *out_len)
{
    struct sl_buf o = {0};
    long depth = 0; /* open elements */
    size_t i = 0;
    while (i < n) {
        char c = s[i];
        if (c == '\r' && depth > 0) {
            sl_buf_adds(&o, "&#13;");
            i++;
        } else if (c != '<') {
            sl_buf_addc(&o, c);
            i++;
        } else if (at(s + i, n - i, "<!--") || at(s + i, n - i, "<?")) {
            const char *end = at(s + i, n - i, "<?") ? "?>" : "-->";
            size_t j = i + 2;
            while (j < n && !at(s + j, n - j, end))
                j++;
            j = j < n ? j + strlen(end) : n;
            sl_buf_add(&o, s + i, j - i);
            i = j;
        } else if (at(s + i, n - i, "<![CDATA[")) {
            size_t j = i + 9;
            sl_buf_add(&o, s + i, 9);
            for (; j < n && !at(s + j, n - j, "]]>"); j++) {
                if (s[j] == '\r')
                    sl_buf_adds(&o, "]]>&#13;<![CDATA[");
                else
                    sl_buf_addc(&o, s[j]);
            }
            i = j;
        } else if (at(s + i, n - i, "<!")) {
            /* DOCTYPE: up to the '>' outside quotes and the internal subset */
            size_t j = i + 2;
            int brackets = 0;
            char quote = 0;
            for (; j < n; j++) {
                if (quote) {
                    quote = s[j] == quote ? 0 : quote;
                } else if (at(s + j, n - j, "<!--")) {
                    while (j < n && !at(s + j, n - j, "-->"))
                        j++;
                    if (j >= n)
                        break;
                    j += 2;
                } else if (s[j] == '"' || s[j] == '\'') {
                    quote = s[j];
                } else if (s[j] == '[') {
                    brackets++;
                } else if (s[j] == ']') {
                    brackets--;
                } else if (s[j] == '>' && brackets <= 0) {
                    j++;
                    break;
                }
            }
            j = j < n ? j : n;
            sl_buf_add(&o, s + i, j - i);
            i = j;
        } else {
            /* a start or end tag */
            bool end_tag = i + 1 < n && s[i + 1] == '/';
            char quote = 0, last = 0;
            size_t j = i;
            for (; j < n; j++) {
                char d = s[j];
                if (quote) {
                    if (d == quote)
                        quote = 0;
                    if (d == '\t' || d == '\n' || d == '\r')
                        sl_buf_addf(&o, "&#%d;", d);
                    else
                        sl_buf_addc(&o, d);
                    continue;
                }
                sl_buf_addc(&o, d);
                if (d == '"' || d == '\'') {
                    quote = d;
                } else if (d == '>') {
                    if (end_tag)
                        depth--;
                    else if (last != '/')
                        depth++;
                    j++;
                    break;
                }
                if (d != ' ' && d != '\t' && d != '\n' && d != '\r')
                    last = d;
            }
            i = j;
        }
    }
    *out_len = o.len;
    return o.data ? sl_buf_steal(&o) : sl_strdup("");
}

static void silent(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void)
{
    xmlInitParser();
}

json_t *sl_xml_to_json(const char *xml, size_t len, const json_t *options, char **err)
{
    *err = NULL;
    if (len > SL_XML_MAX_INPUT) {
        *err = sl_asprintf("XML text of %zu bytes is over the limit of %zu bytes", len,
                           SL_XML_MAX_INPUT);
        return NULL;
    }
    /* xml2js: text that trims to nothing parses to null */
    char *copy = sl_strndup(xml, len);
    const char *b, *e;
    sl_jsv_trim(copy, &b, &e);
    if (b == e && strlen(copy) == len) {
        free(copy);
        return json_null();
    }
    free(copy);
    /* and a leading byte order mark is dropped */
    if (len >= 3 && memcmp(xml, "\xef\xbb\xbf", 3) == 0) {
        xml += 3;
        len -= 3;
    }
    struct parse p = {
        .attrkey = opt_str(options, "attrkey", "$"),
        .charkey = opt_str(options, "charkey", "_"),
        .explicit_array = opt_bool(options, "explicitArray", true),
        .explicit_root = opt_bool(options, "explicitRoot", true),
        .ignore_attrs = opt_bool(options, "ignoreAttrs", false),
        .merge_attrs = opt_bool(options, "mergeAttrs", false),
        .normalize = opt_bool(options, "normalize", false),
        .normalize_tags = opt_bool(options, "normalizeTags", false),
        .trim = opt_bool(options, "trim", false),
        .explicit_charkey = opt_bool(options, "explicitCharkey", false),
        .empty_tag = opt(options, "emptyTag"),
    };
    char *conv = NULL;
    /* sax accepts whitespace before the XML declaration; libxml2 wants the
     * declaration first, so skip it and keep line numbers right */
    size_t skip = 0;
    int lines = 0;
    while (skip < len &&
           (xml[skip] == ' ' || xml[skip] == '\t' || xml[skip] == '\n' || xml[skip] == '\r'))
        lines += xml[skip++] == '\n';
    if (skip && len - skip >= 6 && memcmp(xml + skip, "<?xml", 5) == 0 &&
        strchr(" \t\r\n", xml[skip + 5])) {
        xml += skip;
        len -= skip;
        p.line_offset = lines;
    }
    size_t clen;
    conv = sax_compat(xml, len, &clen);
    if (clen > INT32_MAX) {
        *err = sl_strdup("XML text too large");
        goto out;
    }

    pthread_once(&xml_once, xml_init);
    xmlSetGenericErrorFunc(NULL, silent);
    p.ctxt = xmlCreateMemoryParserCtxt(conv, (int)clen);
    if (!p.ctxt) {
        *err = sl_strdup("libxml2 could not create a parser");
        goto out;
    }
    /* a SAX1 handler: qualified names and attributes as written */
    xmlSAXHandler sax;
    memset(&sax, 0, sizeof sax);
    sax.initialized = 1;
    sax.startElement = on_start;
    sax.endElement = on_end;
    sax.characters = on_text;
    sax.ignorableWhitespace = on_text;
    sax.cdataBlock = on_cdata;
    sax.error = on_error;
    sax.fatalError = on_error;
    sax.warning = on_error;
    memcpy(p.ctxt->sax, &sax, sizeof sax);
    p.ctxt->userData = &p;
    xmlCtxtUseOptions(p.ctxt, XML_PARSE_NONET | XML_PARSE_RECOVER | XML_PARSE_IGNORE_ENC);
    xmlParseDocument(p.ctxt);
    if (!p.err && !p.done)
        p.err = sl_asprintf("the XML text has no complete root element (line %d)",
                            xmlSAX2GetLineNumber(p.ctxt) + p.line_offset);
    if (p.ctxt->myDoc) /* libxml2 keeps internal-subset entities here */
        xmlFreeDoc(p.ctxt->myDoc);
    xmlFreeParserCtxt(p.ctxt);
out:
    while (p.depth > 0) {
        struct frame *f = &p.stack[--p.depth];
        free(f->name);
        json_decref(f->obj);
        sl_buf_release(&f->text);
    }
    free(conv);
    free(p.stack);
    free(p.attrkey);
    free(p.charkey);
    if (p.err || *err) {
        json_decref(p.result);
        if (!*err)
            *err = p.err;
        else
            free(p.err);
        return NULL;
    }
    return p.result;
}

/* ------------------------------------------------------------------ */
/* JSON -> XML: a model of xmlbuilder 11                               */
/* ------------------------------------------------------------------ */

enum xkind { XK_DOC, XK_DECL, XK_ELEM, XK_TEXT, XK_RAW, XK_CDATA, XK_COMMENT, XK_PI };

struct xattr {
    char *name, *value;
};

struct xnode {
    enum xkind kind;
    bool is_root; /* an element directly under the document */
    char *name;   /* element name, PI target */
    char *value;  /* character data; PI value (NULL: none) */
    struct xattr *attrs;
    size_t nattrs;
    struct xnode **kids;
    size_t nkids;
    struct xnode *parent;
};

struct render_opts {
    bool pretty, allow_empty, dont_pretty_text;
    char *indent, *newline, *space_before_slash;
    long offset;
    int suppress;
};

struct build {
    char *attrkey, *charkey;
    bool cdata;
    int version; /* 10, 11 or 0 (no character check) */
    struct xnode *doc;
    char *decl_version, *decl_encoding, *decl_standalone;
    char *err;
};

static void *bfail(struct build *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Records the error (the first one wins) and returns NULL. */
static void *bfail(struct build *b, const char *fmt, ...)
{
    if (!b->err) {
        va_list ap;
        va_start(ap, fmt);
        b->err = sl_vasprintf(fmt, ap);
        va_end(ap);
    }
    return NULL;
}

static struct xnode *xnode_new(struct xnode *parent, enum xkind kind)
{
    struct xnode *n = sl_calloc(1, sizeof *n);
    n->kind = kind;
    n->parent = parent;
    return n;
}

static void xnode_free(struct xnode *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->nkids; i++)
        xnode_free(n->kids[i]);
    for (size_t i = 0; i < n->nattrs; i++) {
        free(n->attrs[i].name);
        free(n->attrs[i].value);
    }
    free(n->kids);
    free(n->attrs);
    free(n->name);
    free(n->value);
    free(n);
}

static void xnode_push(struct xnode *parent, struct xnode *kid)
{
    parent->kids = sl_realloc(parent->kids, (parent->nkids + 1) * sizeof *parent->kids);
    parent->kids[parent->nkids++] = kid;
}

/* Decodes one UTF-8 code point at s (advancing *s); invalid bytes give
 * U+FFFD, which is legal everywhere it matters here. */
static uint32_t utf8_next(const char **s)
{
    const unsigned char *p = (const unsigned char *)*s;
    uint32_t c = p[0];
    int n = c < 0x80 ? 0 : c < 0xe0 ? 1 : c < 0xf0 ? 2 : 3;
    if (n) {
        c &= 0x3f >> n;
        for (int i = 1; i <= n; i++) {
            if ((p[i] & 0xc0) != 0x80) {
                *s += i;
                return 0xfffd;
            }
            c = (c << 6) | (p[i] & 0x3f);
        }
    }
    *s += n + 1;
    return c;
}

/* xmlbuilder's assertLegalChar: control characters (and U+FFFE/U+FFFF)
 * are errors, with the UTF-16 index of the first one. */
static int assert_legal_char(struct build *b, const char *str)
{
    if (!b->version)
        return 0;
    size_t idx = 0;
    for (const char *s = str; *s;) {
        uint32_t c = utf8_next(&s);
        bool bad = c == 0xfffe || c == 0xffff;
        if (b->version == 10)
            bad = bad || c <= 0x08 || c == 0x0b || c == 0x0c || (c >= 0x0e && c <= 0x1f);
        if (bad) {
            bfail(b, "Invalid character in string: %s at index %zu", str, idx);
            return -1;
        }
        idx += c >= 0x10000 ? 2 : 1;
    }
    return 0;
}

static bool name_start(uint32_t c)
{
    return c == ':' || (c >= 'A' && c <= 'Z') || c == '_' || (c >= 'a' && c <= 'z') ||
           (c >= 0xc0 && c <= 0xd6) || (c >= 0xd8 && c <= 0xf6) || (c >= 0xf8 && c <= 0x2ff) ||
           (c >= 0x370 && c <= 0x37d) || (c >= 0x37f && c <= 0x1fff) || c == 0x200c ||
           c == 0x200d || (c >= 0x2070 && c <= 0x218f) || (c >= 0x2c00 && c <= 0x2fef) ||
           (c >= 0x3001 && c <= 0xd7ff) || (c >= 0xf900 && c <= 0xfdcf) ||
           (c >= 0xfdf0 && c <= 0xfffd) || (c >= 0x10000 && c <= 0xeffff);
}

static bool name_char(uint32_t c)
{
    return name_start(c) || c == '-' || c == '.' || (c >= '0' && c <= '9') || c == 0xb7 ||
           (c >= 0x300 && c <= 0x36f) || c == 0x203f || c == 0x2040;
}

/* xmlbuilder's name(): a legal XML name, or an error. New string. */
static char *s_name(struct build *b, const char *s)
{
    if (assert_legal_char(b, s) < 0)
        return NULL;
    const char *p = s;
    bool ok = *p && name_start(utf8_next(&p));
    while (ok && *p)
        ok = name_char(utf8_next(&p));
    if (!ok)
        return bfail(b, "Invalid character in name");
    return sl_strdup(s);
}

/* xmlbuilder's textEscape (attr false) or attEscape (attr true). */
static char *escape(const char *s, bool attr)
{
    struct sl_buf o = {0};
    for (; *s; s++) {
        switch (*s) {
        case '&':
            sl_buf_adds(&o, "&amp;");
            break;
        case '<':
            sl_buf_adds(&o, "&lt;");
            break;
        case '>':
            attr ? sl_buf_addc(&o, '>') : sl_buf_adds(&o, "&gt;");
            break;
        case '"':
            attr ? sl_buf_adds(&o, "&quot;") : sl_buf_addc(&o, '"');
            break;
        case '\t':
            attr ? sl_buf_adds(&o, "&#x9;") : sl_buf_addc(&o, '\t');
            break;
        case '\n':
            attr ? sl_buf_adds(&o, "&#xA;") : sl_buf_addc(&o, '\n');
            break;
        case '\r':
            sl_buf_adds(&o, "&#xD;");
            break;
        default:
            sl_buf_addc(&o, *s);
        }
    }
    return sl_buf_steal(&o);
}

/* Escapes and checks text (attr: an attribute value). New string. */
static char *s_escaped(struct build *b, const char *s, bool attr)
{
    char *e = escape(s, attr);
    if (assert_legal_char(b, e) < 0) {
        free(e);
        return NULL;
    }
    return e;
}

/* s with its first "]]>" split so it can sit inside a CDATA section. */
static char *cdata_escape(const char *s)
{
    const char *hit = strstr(s, "]]>");
    if (!hit)
        return sl_strdup(s);
    return sl_asprintf("%.*s]]]]><![CDATA[>%s", (int)(hit - s), s, hit + 3);
}

/* The node's debugInfo() text for errors about a new child of `parent`
 * (its name is not set yet). */
static const char *parent_info(const struct xnode *parent, char *buf, size_t n)
{
    if (parent && parent->name)
        snprintf(buf, n, "parent: <%s>", parent->name);
    else
        buf[0] = '\0';
    return buf;
}

/* debugInfo() of `self`. */
static char *self_info(const struct xnode *self)
{
    if (!self->name)
        return self->parent && self->parent->name ? sl_asprintf("parent: <%s>", self->parent->name)
                                                  : sl_strdup("");
    if (!self->parent || !self->parent->name)
        return sl_asprintf("node: <%s>", self->name);
    return sl_asprintf("node: <%s>, parent: <%s>", self->name, self->parent->name);
}

/* A JSON string holding U+0000 fails xmlbuilder's character check (the
 * message can only show the part before it). `attr`: escaped as an
 * attribute value. Returns 0 or -1 with the error set. */
static int check_nul(struct build *b, const json_t *v, bool attr)
{
    if (!json_is_string(v) || !b->version)
        return 0;
    const char *s = json_string_value(v);
    if (strlen(s) == json_string_length(v))
        return 0;
    char *e = escape(s, attr);
    size_t idx = 0;
    for (const char *p = e; *p;)
        idx += utf8_next(&p) >= 0x10000 ? 2 : 1;
    bfail(b, "Invalid character in string: %s at index %zu", e, idx);
    free(e);
    return -1;
}

/* Appends a character-data child (text, CDATA, comment or raw) to self,
 * from a value that must not be null/undefined. Returns self. */
static struct xnode *x_chardata(struct build *b, struct xnode *self, enum xkind kind,
                                const json_t *value)
{
    static const char *const missing[] = {
        [XK_TEXT] = "Missing element text. ",
        [XK_CDATA] = "Missing CDATA text. ",
        [XK_COMMENT] = "Missing comment text. ",
        [XK_RAW] = "Missing raw text. ",
    };
    char info[256];
    if (!value || json_is_null(value))
        return bfail(b, "%s%s", missing[kind], parent_info(self, info, sizeof info));
    if (kind != XK_RAW && check_nul(b, value, false) < 0)
        return NULL;
    char *s = js_str(value), *v = NULL;
    switch (kind) {
    case XK_TEXT:
        v = s_escaped(b, s, false);
        break;
    case XK_CDATA: {
        char *c = cdata_escape(s);
        if (assert_legal_char(b, c) == 0)
            v = c;
        else
            free(c);
        break;
    }
    case XK_COMMENT:
        if (strstr(s, "--"))
            bfail(b, "Comment text cannot contain double-hypen: %s", s);
        else if (assert_legal_char(b, s) == 0)
            v = sl_strdup(s);
        break;
    default:
        v = sl_strdup(s);
        break;
    }
    free(s);
    if (!v)
        return NULL;
    struct xnode *n = xnode_new(self, kind);
    n->value = v;
    xnode_push(self, n);
    return self;
}

static struct xnode *x_element(struct build *b, struct xnode *self, const json_t *name,
                               const json_t *text);

/* xmlbuilder's text(value): an object value is expanded into elements
 * first, then written as text anyway ("[object Object]"). Returns self. */
static struct xnode *x_text(struct build *b, struct xnode *self, const json_t *value)
{
    if ((json_is_object(value) || json_is_array(value)) && !x_element(b, self, value, NULL))
        return NULL;
    return x_chardata(b, self, XK_TEXT, value);
}

/* Sets attribute `name` of element self (null values are skipped). */
static struct xnode *x_attribute(struct build *b, struct xnode *self, const char *name,
                                 const json_t *value)
{
    if (self->kind != XK_ELEM)
        return bfail(b, "element.att is not a function");
    if (!value || json_is_null(value))
        return self;
    char *n = s_name(b, name);
    if (!n)
        return NULL;
    if (check_nul(b, value, true) < 0) {
        free(n);
        return NULL;
    }
    char *s = js_str(value);
    char *v = s_escaped(b, s, true);
    free(s);
    if (!v) {
        free(n);
        return NULL;
    }
    for (size_t i = 0; i < self->nattrs; i++) {
        if (strcmp(self->attrs[i].name, n) == 0) {
            free(n);
            free(self->attrs[i].value);
            self->attrs[i].value = v;
            return self;
        }
    }
    self->attrs = sl_realloc(self->attrs, (self->nattrs + 1) * sizeof *self->attrs);
    self->attrs[self->nattrs++] = (struct xattr){n, v};
    return self;
}

/* A node that is returned but never attached (xmlbuilder's dummy()). */
static struct xnode dummy_node = {.kind = XK_ELEM};

/* One key/value pair of xmlbuilder's object expansion into self. */
static struct xnode *x_expand_pair(struct build *b, struct xnode *self, const char *key,
                                   const json_t *val)
{
    json_t *jkey = json_string(key);
    struct xnode *last = NULL;
    if (key[0] == '@') {
        last = x_attribute(b, self, key + 1, val);
    } else if (json_is_array(val) && json_array_size(val) == 0) {
        last = &dummy_node;
    } else if (json_is_object(val) && json_object_size(val) == 0) {
        last = x_element(b, self, jkey, NULL);
    } else if (json_is_null(val)) {
        last = &dummy_node;
    } else if (json_is_array(val)) {
        size_t i;
        json_t *item;
        json_array_foreach(val, i, item)
        {
            if (!(last = x_expand_pair(b, self, key, item)))
                break;
        }
    } else if (json_is_object(val)) {
        if (strncmp(key, "#text", 5) == 0) {
            last = x_element(b, self, val, NULL);
        } else if ((last = x_element(b, self, jkey, NULL)) && !x_element(b, last, val, NULL)) {
            last = NULL;
        }
    } else {
        last = x_element(b, self, jkey, val);
    }
    json_decref(jkey);
    return last;
}

/* xmlbuilder's XMLNode.element(name, attributes, text) for the argument
 * shapes xml2js produces: `text` is the text (NULL: undefined). Returns the
 * node xmlbuilder returns (the new element, or self for the special name
 * prefixes), or NULL with the error set. */
static struct xnode *x_element(struct build *b, struct xnode *self, const json_t *name,
                               const json_t *text)
{
    struct xnode *last = NULL;
    if (json_is_array(name)) {
        size_t i;
        json_t *item;
        json_array_foreach(name, i, item)
        {
            if (!(last = x_element(b, self, item, NULL)))
                return NULL;
        }
    } else if (json_is_object(name)) {
        json_t *keys = sl_jsv_keys(name);
        size_t i;
        json_t *k;
        json_array_foreach(keys, i, k)
        {
            const char *key = json_string_value(k);
            if (!(last = x_expand_pair(b, self, key, json_object_get(name, key)))) {
                json_decref(keys);
                return NULL;
            }
        }
        json_decref(keys);
    } else if (text && json_is_null(text)) {
        last = &dummy_node;
    } else if (!json_is_string(name)) {
        if (!name || json_is_null(name))
            return bfail(b, "Cannot read properties of %s (reading 'indexOf')",
                         name ? "null" : "undefined");
        return bfail(b, "name.indexOf is not a function");
    } else {
        const char *s = json_string_value(name);
        if (strncmp(s, "#text", 5) == 0)
            return x_chardata(b, self, XK_TEXT, text);
        if (strncmp(s, "#cdata", 6) == 0)
            return x_chardata(b, self, XK_CDATA, text);
        if (strncmp(s, "#comment", 8) == 0)
            return x_chardata(b, self, XK_COMMENT, text);
        if (strncmp(s, "#raw", 4) == 0)
            return x_chardata(b, self, XK_RAW, text);
        if (s[0] == '?') {
            char *target = sl_strdup(s + 1), *value = NULL;
            if (assert_legal_char(b, target) < 0) {
                free(target);
                return NULL;
            }
            if (text && sl_jsv_truthy(text)) {
                value = js_str(text);
                if (strstr(value, "?>"))
                    bfail(b, "Invalid processing instruction value: %s", value);
                if (b->err || assert_legal_char(b, value) < 0) {
                    free(target);
                    free(value);
                    return NULL;
                }
            }
            struct xnode *pi = xnode_new(self, XK_PI);
            pi->name = target;
            pi->value = value;
            xnode_push(self, pi);
            return self;
        }
        char *n = s_name(b, s);
        if (!n)
            return NULL;
        struct xnode *el = xnode_new(self, XK_ELEM);
        el->name = n;
        el->is_root = self->kind == XK_DOC;
        if (text && !x_text(b, el, text)) {
            xnode_free(el);
            return NULL;
        }
        xnode_push(self, el);
        return el;
    }
    if (!last) {
        char *s = js_str(name), *info = self_info(self);
        bfail(b, "Could not create any elements with: %s. %s", s, info);
        free(s);
        free(info);
    }
    return last;
}

/* up(): the parent of an element; the root has none. */
static struct xnode *x_up(struct build *b, struct xnode *n)
{
    if (n->is_root)
        return bfail(b, "The root node has no parent. Use doc() if you need to get the "
                        "document object.");
    if (!n->parent)
        return bfail(b, "Cannot read properties of null (reading 'up')");
    return n->parent;
}

static bool requires_cdata(const json_t *v)
{
    return json_is_string(v) && strpbrk(json_string_value(v), "&<>");
}

/* raw(wrapCDATA(v)) on self (v a string); returns self. */
static struct xnode *x_wrap_cdata(struct xnode *self, const json_t *v)
{
    char *c = cdata_escape(json_string_value(v));
    struct xnode *n = xnode_new(self, XK_RAW);
    n->value = sl_asprintf("<![CDATA[%s]]>", c);
    free(c);
    xnode_push(self, n);
    return self;
}

static struct xnode *render(struct build *b, struct xnode *el, const json_t *obj);

/* One entry of an object being rendered (xml2js's loop body): `v` is the
 * value under `key`, or one entry of the array under it (in_array).
 * ele(key), what the value needs, then up(). Returns the element to go
 * on with, NULL on error. */
static struct xnode *render_child(struct build *b, struct xnode *el, const char *key,
                                  const json_t *v, bool in_array)
{
    json_t *jkey = json_string(key);
    struct xnode *n;
    bool scalar = !json_is_object(v) && !json_is_array(v) && !json_is_null(v);
    if (json_is_string(v) && b->cdata && requires_cdata(v)) {
        n = x_element(b, el, jkey, NULL);
        n = n ? x_wrap_cdata(n, v) : NULL;
    } else if (in_array ? json_is_string(v) : scalar) {
        json_t *text;
        if (json_is_string(v)) {
            text = json_incref((json_t *)v);
        } else {
            char *t = js_str(v); /* child.toString() */
            text = json_string(t);
            free(t);
        }
        n = x_element(b, el, jkey, text);
        json_decref(text);
    } else {
        n = x_element(b, el, jkey, NULL);
        n = n ? render(b, n, v) : NULL;
    }
    json_decref(jkey);
    return n ? x_up(b, n) : NULL;
}

/* xml2js's render(element, obj). */
static struct xnode *render(struct build *b, struct xnode *el, const json_t *obj)
{
    if (!json_is_object(obj) && !json_is_array(obj) && !json_is_null(obj)) {
        if (b->cdata && requires_cdata(obj))
            return x_wrap_cdata(el, obj);
        return x_text(b, el, obj) ? el : NULL;
    }
    if (json_is_array(obj)) {
        size_t i;
        json_t *child;
        json_array_foreach(obj, i, child)
        {
            /* for (key in child): a string's or array's indices are keys
             * too, and no element can be named after an index */
            if (json_is_string(child) && *json_string_value(child))
                return bfail(b, "Invalid character in name");
            if (json_is_array(child) && json_array_size(child) > 0)
                return bfail(b, "Invalid character in name");
            if (!json_is_object(child))
                continue;
            json_t *keys = sl_jsv_keys(child);
            size_t k;
            json_t *key;
            json_array_foreach(keys, k, key)
            {
                const char *ks = json_string_value(key);
                json_t *jkey = json_string(ks);
                struct xnode *n = x_element(b, el, jkey, NULL);
                json_decref(jkey);
                n = n ? render(b, n, json_object_get(child, ks)) : NULL;
                el = n ? x_up(b, n) : NULL;
                if (!el)
                    break;
            }
            json_decref(keys);
            if (!el)
                return NULL;
        }
        return el;
    }
    if (json_is_null(obj))
        return el;
    json_t *keys = sl_jsv_keys(obj);
    size_t i;
    json_t *k;
    json_array_foreach(keys, i, k)
    {
        const char *key = json_string_value(k);
        json_t *child = json_object_get(obj, key);
        if (strcmp(key, b->attrkey) == 0) {
            if (json_is_object(child)) {
                json_t *akeys = sl_jsv_keys(child);
                size_t ai;
                json_t *ak;
                json_array_foreach(akeys, ai, ak)
                {
                    const char *an = json_string_value(ak);
                    if (!(el = x_attribute(b, el, an, json_object_get(child, an))))
                        break;
                }
                json_decref(akeys);
            } else if (json_is_array(child)) {
                size_t ai;
                json_t *av;
                json_array_foreach(child, ai, av)
                {
                    char an[32];
                    snprintf(an, sizeof an, "%zu", ai);
                    if (!(el = x_attribute(b, el, an, av)))
                        break;
                }
            }
        } else if (strcmp(key, b->charkey) == 0) {
            if (b->cdata && requires_cdata(child))
                el = x_wrap_cdata(el, child);
            else
                el = x_text(b, el, child);
        } else if (json_is_array(child)) {
            size_t ai;
            json_t *entry;
            json_array_foreach(child, ai, entry)
            {
                if (!(el = render_child(b, el, key, entry, true)))
                    break;
            }
        } else {
            el = render_child(b, el, key, child, false);
        }
        if (!el)
            break;
    }
    json_decref(keys);
    return el;
}

/* ---- writer (xmlbuilder's XMLStringWriter) ---- */

static void w_indent(struct sl_buf *o, const struct render_opts *r, long level)
{
    if (!r->pretty || r->suppress)
        return;
    long n = level + r->offset + 1;
    for (long i = 1; i < n; i++)
        sl_buf_adds(o, r->indent);
}

static void w_endline(struct sl_buf *o, const struct render_opts *r)
{
    if (r->pretty && !r->suppress)
        sl_buf_adds(o, r->newline);
}

static void w_node(struct build *b, struct sl_buf *o, struct render_opts *r, const struct xnode *n,
                   long level);

static void w_element(struct build *b, struct sl_buf *o, struct render_opts *r,
                      const struct xnode *n, long level)
{
    w_indent(o, r, level);
    sl_buf_addf(o, "<%s", n->name);
    for (size_t i = 0; i < n->nattrs; i++)
        sl_buf_addf(o, " %s=\"%s\"", n->attrs[i].name, n->attrs[i].value);
    bool empty = true, any_text = false;
    for (size_t i = 0; i < n->nkids; i++) {
        const struct xnode *k = n->kids[i];
        bool text = k->kind == XK_TEXT || k->kind == XK_RAW;
        any_text = any_text || text;
        if (!text || *k->value)
            empty = false;
    }
    if (empty) {
        if (r->allow_empty)
            sl_buf_addf(o, "></%s>", n->name);
        else
            sl_buf_addf(o, "%s/>", r->space_before_slash);
        w_endline(o, r);
    } else if (r->pretty && n->nkids == 1 &&
               (n->kids[0]->kind == XK_TEXT || n->kids[0]->kind == XK_RAW)) {
        sl_buf_addc(o, '>');
        r->suppress++;
        w_node(b, o, r, n->kids[0], level + 1);
        r->suppress--;
        sl_buf_addf(o, "</%s>", n->name);
        w_endline(o, r);
    } else {
        bool suppressed = r->dont_pretty_text && any_text;
        if (suppressed)
            r->suppress++;
        sl_buf_addc(o, '>');
        w_endline(o, r);
        for (size_t i = 0; i < n->nkids; i++)
            w_node(b, o, r, n->kids[i], level + 1);
        w_indent(o, r, level);
        sl_buf_addf(o, "</%s>", n->name);
        if (suppressed)
            r->suppress--;
        w_endline(o, r);
    }
}

static void w_node(struct build *b, struct sl_buf *o, struct render_opts *r, const struct xnode *n,
                   long level)
{
    switch (n->kind) {
    case XK_ELEM:
        w_element(b, o, r, n, level);
        return;
    case XK_DECL:
        w_indent(o, r, level);
        sl_buf_addf(o, "<?xml version=\"%s\"", b->decl_version);
        if (b->decl_encoding)
            sl_buf_addf(o, " encoding=\"%s\"", b->decl_encoding);
        if (b->decl_standalone)
            sl_buf_addf(o, " standalone=\"%s\"", b->decl_standalone);
        sl_buf_addf(o, "%s?>", r->space_before_slash);
        break;
    case XK_PI:
        w_indent(o, r, level);
        sl_buf_addf(o, "<?%s", n->name);
        if (n->value)
            sl_buf_addf(o, " %s", n->value);
        sl_buf_addf(o, "%s?>", r->space_before_slash);
        break;
    case XK_CDATA:
        w_indent(o, r, level);
        sl_buf_addf(o, "<![CDATA[%s]]>", n->value);
        break;
    case XK_COMMENT:
        w_indent(o, r, level);
        sl_buf_addf(o, "<!-- %s -->", n->value);
        break;
    case XK_TEXT:
    case XK_RAW:
        w_indent(o, r, level);
        sl_buf_adds(o, n->value);
        break;
    case XK_DOC:
        return;
    }
    w_endline(o, r);
}

/* xmlbuilder's filterOptions() over renderOpts. 0, or -1 with the error. */
static int render_opts_init(struct build *b, struct render_opts *r, const json_t *options)
{
    memset(r, 0, sizeof *r);
    json_t *ro = opt(options, "renderOpts");
    json_t *dflt = NULL;
    if (!json_is_object(options) || !json_object_get(options, "renderOpts"))
        ro = dflt = json_pack("{sbssss}", "pretty", 1, "indent", "  ", "newline", "\n");
    else if (ro && sl_jsv_truthy(ro) && !json_is_object(ro)) {
        bfail(b, "writer.document is not a function");
        return -1;
    }
    if (!json_is_object(ro))
        ro = NULL;
    json_t *v;
    r->pretty = sl_jsv_truthy(opt(ro, "pretty"));
    r->allow_empty = sl_jsv_truthy(opt(ro, "allowEmpty"));
    v = opt(ro, "indent");
    r->indent = v && !json_is_null(v) ? js_str(v) : sl_strdup("  ");
    v = opt(ro, "newline");
    r->newline = v && !json_is_null(v) ? js_str(v) : sl_strdup("\n");
    v = opt(ro, "offset");
    r->offset = json_is_number(v) ? (long)sl_jsv_num(v) : 0;
    v = opt(ro, "dontPrettyTextNodes");
    if (!v || json_is_null(v))
        v = opt(ro, "dontprettytextnodes");
    r->dont_pretty_text = sl_jsv_truthy(v);
    v = opt(ro, "spaceBeforeSlash");
    if (!v || json_is_null(v))
        v = opt(ro, "spacebeforeslash");
    r->space_before_slash = !v || json_is_null(v) ? sl_strdup("")
                            : json_is_true(v)     ? sl_strdup(" ")
                                                  : js_str(v);
    json_decref(dflt);
    return 0;
}

/* The XML declaration's fields from the xmldec option. */
static int declaration(struct build *b, const json_t *options)
{
    json_t *xd = opt(options, "xmldec"), *dflt = NULL;
    if (!json_is_object(options) || !json_object_get(options, "xmldec"))
        xd = dflt = json_pack("{sssssb}", "version", "1.0", "encoding", "UTF-8", "standalone", 1);
    json_t *ver = opt(xd, "version"), *enc = opt(xd, "encoding"), *sa = opt(xd, "standalone");
    int rc = 0;
    b->decl_version = ver && sl_jsv_truthy(ver) ? js_str(ver) : sl_strdup("1.0");
    /* /1\.[0-9]+/ anywhere in the string */
    bool ok = false;
    for (const char *p = b->decl_version; *p && !ok; p++)
        ok = p[0] == '1' && p[1] == '.' && p[2] >= '0' && p[2] <= '9';
    if (!ok) {
        bfail(b, "Invalid version number: %s", b->decl_version);
        rc = -1;
        goto out;
    }
    if (enc && !json_is_null(enc)) {
        b->decl_encoding = js_str(enc);
        /* /^[A-Za-z](?:[A-Za-z0-9._-])*$/ */
        const char *p = b->decl_encoding;
        ok = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z');
        while (ok && *++p)
            ok = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
                 *p == '.' || *p == '_' || *p == '-';
        if (!ok) {
            bfail(b, "Invalid encoding: %s", b->decl_encoding);
            rc = -1;
            goto out;
        }
    }
    if (sa && !json_is_null(sa))
        b->decl_standalone = sl_strdup(sl_jsv_truthy(sa) ? "yes" : "no");
out:
    json_decref(dflt);
    return rc;
}

/* Object.keys(v).length for the root decision. */
static size_t js_key_count(const json_t *v)
{
    if (json_is_object(v))
        return json_object_size(v);
    if (json_is_array(v))
        return json_array_size(v);
    return 0;
}

char *sl_json_to_xml(const json_t *value, const json_t *options, char **err)
{
    *err = NULL;
    struct build b = {
        .attrkey = opt_str(options, "attrkey", "$"),
        .charkey = opt_str(options, "charkey", "_"),
        .cdata = opt_bool(options, "cdata", false),
        .version = 10,
    };
    struct render_opts r = {0};
    char *out = NULL;
    bool headless = opt_bool(options, "headless", false);
    json_t *xd = opt(options, "xmldec");
    if (json_is_object(options) && json_object_get(options, "xmldec")) {
        json_t *ver = opt(xd, "version");
        const char *vs = json_is_string(ver) ? json_string_value(ver) : NULL;
        b.version = !ver || !sl_jsv_truthy(ver) ? 10
                    : !vs                       ? 0
                    : strcmp(vs, "1.0") == 0    ? 10
                    : strcmp(vs, "1.1") == 0    ? 11
                                                : 0;
    }

    json_t *root_name = opt(options, "rootName");
    json_t *dflt_root = json_string("root");
    if (!root_name)
        root_name = dflt_root;
    const json_t *root_obj = value;
    json_t *name_holder = NULL;
    if (js_key_count(value) == 1 && json_is_string(root_name) &&
        strcmp(json_string_value(root_name), "root") == 0) {
        if (json_is_object(value)) {
            void *it = json_object_iter((json_t *)value);
            name_holder = json_string(json_object_iter_key(it));
            root_obj = json_object_iter_value(it);
        } else {
            name_holder = json_string("0");
            root_obj = json_array_get(value, 0);
        }
        root_name = name_holder;
    }
    if (json_is_null(root_name)) {
        bfail(&b, "Root element needs a name.");
        goto out;
    }
    b.doc = xnode_new(NULL, XK_DOC);
    b.doc->name = sl_strdup("#document");
    struct xnode *root = x_element(&b, b.doc, root_name, NULL);
    if (!root)
        goto out;
    if (!headless) {
        if (declaration(&b, options) < 0)
            goto out;
        struct xnode *decl = xnode_new(b.doc, XK_DECL);
        xnode_push(b.doc, decl);
        memmove(b.doc->kids + 1, b.doc->kids, (b.doc->nkids - 1) * sizeof *b.doc->kids);
        b.doc->kids[0] = decl;
    }
    if (!render(&b, root, root_obj))
        goto out;
    if (render_opts_init(&b, &r, options) < 0)
        goto out;
    struct sl_buf o = {0};
    for (size_t i = 0; i < b.doc->nkids; i++)
        w_node(&b, &o, &r, b.doc->kids[i], 0);
    out = sl_buf_steal(&o);
    size_t nl = strlen(r.newline), len = strlen(out);
    if (r.pretty && nl && len >= nl && strcmp(out + len - nl, r.newline) == 0)
        out[len - nl] = '\0';
out:
    if (!out)
        *err = b.err ? b.err : sl_strdup("could not build XML");
    else
        free(b.err);
    json_decref(dflt_root);
    json_decref(name_holder);
    xnode_free(b.doc);
    free(b.attrkey);
    free(b.charkey);
    free(b.decl_version);
    free(b.decl_encoding);
    free(b.decl_standalone);
    free(r.indent);
    free(r.newline);
    free(r.space_before_slash);
    return out;
}
