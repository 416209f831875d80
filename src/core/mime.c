/*
 * MIME tables (see mime.h). The extension table mirrors what mime-db maps
 * the listed extensions to; the canonical table is mime-types'
 * extension() for those types.
 */
#include "core/mime.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct pair {
    const char *a, *b;
};

/* extension -> type, sorted by extension */
static const struct pair by_ext[] = {
    {"3gp", "video/3gpp"},
    {"7z", "application/x-7z-compressed"},
    {"aac", "audio/aac"},
    {"adts", "audio/aac"},
    {"ai", "application/postscript"},
    {"apk", "application/vnd.android.package-archive"},
    {"atom", "application/atom+xml"},
    {"avi", "video/x-msvideo"},
    {"avif", "image/avif"},
    {"bin", "application/octet-stream"},
    {"bmp", "image/bmp"},
    {"bz2", "application/x-bzip2"},
    {"c", "text/x-c"},
    {"conf", "text/plain"},
    {"css", "text/css"},
    {"csv", "text/csv"},
    {"deb", "application/x-debian-package"},
    {"dll", "application/x-msdownload"},
    {"dmg", "application/x-apple-diskimage"},
    {"doc", "application/msword"},
    {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    {"eml", "message/rfc822"},
    {"eot", "application/vnd.ms-fontobject"},
    {"eps", "application/postscript"},
    {"epub", "application/epub+zip"},
    {"exe", "application/x-msdos-program"},
    {"flac", "audio/x-flac"},
    {"geojson", "application/geo+json"},
    {"gif", "image/gif"},
    {"gz", "application/gzip"},
    {"h", "text/x-c"},
    {"heic", "image/heic"},
    {"htm", "text/html"},
    {"html", "text/html"},
    {"ico", "image/vnd.microsoft.icon"},
    {"ics", "text/calendar"},
    {"ini", "text/plain"},
    {"iso", "application/x-iso9660-image"},
    {"jar", "application/java-archive"},
    {"java", "text/x-java-source"},
    {"jpe", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"jpg", "image/jpeg"},
    {"js", "text/javascript"},
    {"json", "application/json"},
    {"jsonld", "application/ld+json"},
    {"log", "text/plain"},
    {"m4a", "audio/mp4"},
    {"m4v", "video/x-m4v"},
    {"markdown", "text/markdown"},
    {"md", "text/markdown"},
    {"mid", "audio/midi"},
    {"midi", "audio/midi"},
    {"mjs", "text/javascript"},
    {"mkv", "video/x-matroska"},
    {"mov", "video/quicktime"},
    {"mp3", "audio/mpeg"},
    {"mp4", "video/mp4"},
    {"mpeg", "video/mpeg"},
    {"mpg", "video/mpeg"},
    {"mpga", "audio/mpeg"},
    {"msg", "application/vnd.ms-outlook"},
    {"msi", "application/x-msdownload"},
    {"odp", "application/vnd.oasis.opendocument.presentation"},
    {"ods", "application/vnd.oasis.opendocument.spreadsheet"},
    {"odt", "application/vnd.oasis.opendocument.text"},
    {"oga", "audio/ogg"},
    {"ogg", "audio/ogg"},
    {"ogv", "video/ogg"},
    {"otf", "font/otf"},
    {"pdf", "application/pdf"},
    {"png", "image/png"},
    {"ppt", "application/vnd.ms-powerpoint"},
    {"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
    {"ps", "application/postscript"},
    {"psd", "image/vnd.adobe.photoshop"},
    {"qt", "video/quicktime"},
    {"rar", "application/vnd.rar"},
    {"rpm", "application/x-redhat-package-manager"},
    {"rss", "application/rss+xml"},
    {"rtf", "application/rtf"},
    {"sh", "application/x-sh"},
    {"sql", "application/sql"},
    {"svg", "image/svg+xml"},
    {"swf", "application/x-shockwave-flash"},
    {"tar", "application/x-tar"},
    {"text", "text/plain"},
    {"tif", "image/tiff"},
    {"tiff", "image/tiff"},
    {"toml", "application/toml"},
    {"ts", "video/mp2t"},
    {"tsv", "text/tab-separated-values"},
    {"ttf", "font/ttf"},
    {"txt", "text/plain"},
    {"vcf", "text/x-vcard"},
    {"wasm", "application/wasm"},
    {"wav", "audio/wav"},
    {"weba", "audio/webm"},
    {"webm", "video/webm"},
    {"webp", "image/webp"},
    {"woff", "font/woff"},
    {"woff2", "font/woff2"},
    {"xhtml", "application/xhtml+xml"},
    {"xls", "application/vnd.ms-excel"},
    {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    {"xml", "application/xml"},
    {"xz", "application/x-xz"},
    {"yaml", "text/yaml"},
    {"yml", "text/yaml"},
    {"zip", "application/zip"},
};

/* type -> usual extension, sorted by type */
static const struct pair by_type[] = {
    {"application/atom+xml", "atom"},
    {"application/epub+zip", "epub"},
    {"application/geo+json", "geojson"},
    {"application/gzip", "gz"},
    {"application/java-archive", "jar"},
    {"application/json", "json"},
    {"application/ld+json", "jsonld"},
    {"application/msword", "doc"},
    {"application/octet-stream", "bin"},
    {"application/pdf", "pdf"},
    {"application/postscript", "ai"},
    {"application/rss+xml", "rss"},
    {"application/rtf", "rtf"},
    {"application/sql", "sql"},
    {"application/toml", "toml"},
    {"application/vnd.android.package-archive", "apk"},
    {"application/vnd.ms-excel", "xls"},
    {"application/vnd.ms-fontobject", "eot"},
    {"application/vnd.ms-outlook", "msg"},
    {"application/vnd.ms-powerpoint", "ppt"},
    {"application/vnd.oasis.opendocument.presentation", "odp"},
    {"application/vnd.oasis.opendocument.spreadsheet", "ods"},
    {"application/vnd.oasis.opendocument.text", "odt"},
    {"application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"},
    {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"},
    {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"},
    {"application/vnd.rar", "rar"},
    {"application/wasm", "wasm"},
    {"application/x-7z-compressed", "7z"},
    {"application/x-apple-diskimage", "dmg"},
    {"application/x-bzip2", "bz2"},
    {"application/x-debian-package", "deb"},
    {"application/x-iso9660-image", "iso"},
    {"application/x-msdos-program", "exe"},
    {"application/x-msdownload", "exe"},
    {"application/x-redhat-package-manager", "rpm"},
    {"application/x-sh", "sh"},
    {"application/x-shockwave-flash", "swf"},
    {"application/x-tar", "tar"},
    {"application/x-xz", "xz"},
    {"application/xhtml+xml", "xhtml"},
    {"application/xml", "xml"},
    {"application/zip", "zip"},
    {"audio/aac", "adts"},
    {"audio/midi", "mid"},
    {"audio/mp4", "m4a"},
    {"audio/mpeg", "mpga"},
    {"audio/ogg", "oga"},
    {"audio/wav", "wav"},
    {"audio/webm", "weba"},
    {"audio/x-flac", "flac"},
    {"font/otf", "otf"},
    {"font/ttf", "ttf"},
    {"font/woff", "woff"},
    {"font/woff2", "woff2"},
    {"image/avif", "avif"},
    {"image/bmp", "bmp"},
    {"image/gif", "gif"},
    {"image/heic", "heic"},
    {"image/jpeg", "jpg"},
    {"image/png", "png"},
    {"image/svg+xml", "svg"},
    {"image/tiff", "tif"},
    {"image/vnd.adobe.photoshop", "psd"},
    {"image/vnd.microsoft.icon", "ico"},
    {"image/webp", "webp"},
    {"message/rfc822", "eml"},
    {"text/calendar", "ics"},
    {"text/css", "css"},
    {"text/csv", "csv"},
    {"text/html", "html"},
    {"text/javascript", "js"},
    {"text/markdown", "md"},
    {"text/plain", "txt"},
    {"text/tab-separated-values", "tsv"},
    {"text/x-c", "c"},
    {"text/x-java-source", "java"},
    {"text/x-vcard", "vcf"},
    {"text/yaml", "yaml"},
    {"video/3gpp", "3gp"},
    {"video/mp2t", "ts"},
    {"video/mp4", "mp4"},
    {"video/mpeg", "mpeg"},
    {"video/ogg", "ogv"},
    {"video/quicktime", "qt"},
    {"video/webm", "webm"},
    {"video/x-m4v", "m4v"},
    {"video/x-matroska", "mkv"},
    {"video/x-msvideo", "avi"},
};

static int cmp_pair_ci(const void *key, const void *elem)
{
    return strcasecmp(key, ((const struct pair *)elem)->a);
}

const char *sl_mime_path_ext(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    if (!dot || dot == base)
        return "";
    return dot + 1;
}

const char *sl_mime_lookup(const char *path)
{
    const char *ext = sl_mime_path_ext(path);
    /* mime-types reads a bare name as an extension ("json") */
    if (!*ext && !strchr(path, '/'))
        ext = path;
    if (!*ext)
        return NULL;
    const struct pair *p =
        bsearch(ext, by_ext, sizeof by_ext / sizeof *by_ext, sizeof *by_ext, cmp_pair_ci);
    return p ? p->b : NULL;
}

const char *sl_mime_extension(const char *mime)
{
    char type[128];
    size_t n = strcspn(mime, ";");
    while (n && mime[n - 1] == ' ')
        n--;
    if (n >= sizeof type)
        return NULL;
    memcpy(type, mime, n);
    type[n] = '\0';
    const struct pair *p =
        bsearch(type, by_type, sizeof by_type / sizeof *by_type, sizeof *by_type, cmp_pair_ci);
    return p ? p->b : NULL;
}

static int starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

const char *sl_mime_file_type(const char *mime)
{
    if (starts(mime, "application/json"))
        return "json";
    if (starts(mime, "text/html"))
        return "html";
    if (starts(mime, "image/"))
        return "image";
    if (starts(mime, "audio/"))
        return "audio";
    if (starts(mime, "video/"))
        return "video";
    if (starts(mime, "text/") || starts(mime, "application/javascript"))
        return "text";
    if (starts(mime, "application/pdf"))
        return "pdf";
    return NULL;
}

struct sig {
    size_t off;
    const char *bytes;
    size_t n;
    const char *mime, *ext;
};

static const struct sig sigs[] = {
    {0, "\x89PNG\r\n\x1a\n", 8, "image/png", "png"},
    {0, "\xff\xd8\xff", 3, "image/jpeg", "jpg"},
    {0, "GIF8", 4, "image/gif", "gif"},
    {0, "%PDF", 4, "application/pdf", "pdf"},
    {0, "PK\x03\x04", 4, "application/zip", "zip"},
    {0, "\x1f\x8b\x08", 3, "application/gzip", "gz"},
    {0, "BM", 2, "image/bmp", "bmp"},
    {0, "7z\xbc\xaf\x27\x1c", 6, "application/x-7z-compressed", "7z"},
    {0, "OggS", 4, "audio/ogg", "ogg"},
    {0, "fLaC", 4, "audio/x-flac", "flac"},
    {0, "ID3", 3, "audio/mpeg", "mp3"},
    {0, "\x00\x00\x01\x00", 4, "image/x-icon", "ico"},
    {0, "wOFF", 4, "font/woff", "woff"},
    {0, "wOF2", 4, "font/woff2", "woff2"},
    {0, "\x00asm", 4, "application/wasm", "wasm"},
};

int sl_mime_sniff(const unsigned char *data, size_t len, const char **mime, const char **ext)
{
    if (len >= 12 && !memcmp(data, "RIFF", 4) && !memcmp(data + 8, "WEBP", 4)) {
        *mime = "image/webp";
        *ext = "webp";
        return 0;
    }
    if (len >= 12 && !memcmp(data, "RIFF", 4) && !memcmp(data + 8, "WAVE", 4)) {
        *mime = "audio/wav";
        *ext = "wav";
        return 0;
    }
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
        const struct sig *s = &sigs[i];
        if (len >= s->off + s->n && !memcmp(data + s->off, s->bytes, s->n)) {
            *mime = s->mime;
            *ext = s->ext;
            return 0;
        }
    }
    return -1;
}
