/*
 * Confined file access (see files.h): the allowed-directory check on real
 * paths, the fixtures mapping of `sluice test --fixtures`, and a small
 * glob walker with the parts of fast-glob's syntax the file nodes use.
 */
#include "core/files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/alloc.h"

/* The fixtures directory, NULL when fixtures are off. */
static const char *fixtures_dir(void)
{
    const char *d = getenv("SLUICE_FIXTURES_DIR");
    return d && *d ? d : NULL;
}

char *sl_files_host_path(const char *path)
{
    const char *fx = fixtures_dir();
    if (fx && path[0] == '/')
        return sl_asprintf("%s%s", fx, path);
    return sl_strdup(path);
}

bool sl_files_within(const char *dir, const char *real)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    if (n == 1 && dir[0] == '/')
        return real[0] == '/';
    return strncmp(dir, real, n) == 0 && (real[n] == '/' || real[n] == '\0');
}

/* Calls fn(dir) for every allowed directory as configured (unresolved);
 * stops early when fn returns true. Returns whether one did. */
static bool each_allowed(bool (*fn)(const char *dir, void *ud), void *ud)
{
    const char *env = getenv("SLUICE_FILES_ALLOW");
    bool any = false;
    if (env && *env) {
        const char *p = env;
        while (*p) {
            const char *c = strchr(p, ':');
            size_t n = c ? (size_t)(c - p) : strlen(p);
            if (n) {
                char *d = sl_strndup(p, n);
                bool hit = fn(d, ud);
                free(d);
                any = true;
                if (hit)
                    return true;
            }
            p += n + (c ? 1 : 0);
        }
    }
    if (!any) {
        char cwd[PATH_MAX];
        if (getcwd(cwd, sizeof cwd) && fn(cwd, ud))
            return true;
    }
    const char *fx = fixtures_dir();
    return fx && fn(fx, ud);
}

static bool add_to_list(const char *dir, void *ud)
{
    struct sl_buf *b = ud;
    if (b->len)
        sl_buf_adds(b, ", ");
    sl_buf_adds(b, dir);
    return false;
}

char *sl_files_allowed_list(void)
{
    struct sl_buf b = {0};
    each_allowed(add_to_list, &b);
    return b.len ? sl_buf_steal(&b) : sl_strdup("");
}

static bool contains(const char *dir, void *ud)
{
    char real[PATH_MAX];
    return realpath(dir, real) && sl_files_within(real, ud);
}

/* realpath(), or for a missing last component the realpath of its
 * directory plus the name. NULL with errno set on failure. */
static char *resolve(const char *host)
{
    char buf[PATH_MAX];
    if (realpath(host, buf))
        return sl_strdup(buf);
    if (errno != ENOENT)
        return NULL;
    const char *slash = strrchr(host, '/');
    const char *name = slash ? slash + 1 : host;
    if (!*name || !strcmp(name, ".") || !strcmp(name, ".."))
        return NULL;
    char *dir = slash ? (slash == host ? sl_strdup("/") : sl_strndup(host, (size_t)(slash - host)))
                      : sl_strdup(".");
    char *r =
        realpath(dir, buf) ? sl_asprintf("%s%s%s", buf, strcmp(buf, "/") ? "/" : "", name) : NULL;
    free(dir);
    if (!r)
        errno = ENOENT;
    return r;
}

int sl_files_check(const char *path, char **resolved)
{
    char *host = sl_files_host_path(path);
    char *real = resolve(host);
    free(host);
    if (!real)
        return SL_ERR_IO;
    if (!each_allowed(contains, real)) {
        free(real);
        return SL_ERR_INVALID;
    }
    if (resolved)
        *resolved = real;
    else
        free(real);
    return 0;
}

/* ---- glob ---- */

struct list {
    char **v;
    size_t n, cap;
};

static void list_add(struct list *l, char *s)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->v = sl_realloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = s;
}

void sl_files_list_free(char **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

/* Expands the first {a,b,...} group of `p` (recursively, so every group
 * and nested ones are expanded) into `out`. An unbalanced brace is
 * literal. */
static void expand_braces(const char *p, struct list *out)
{
    const char *open = NULL;
    int depth = 0;
    const char *close = NULL;
    for (const char *c = p; *c; c++) {
        if (*c == '\\' && c[1]) {
            c++;
        } else if (*c == '{') {
            if (!depth++)
                open = c;
        } else if (*c == '}' && depth) {
            if (!--depth) {
                close = c;
                break;
            }
        }
    }
    bool has_comma = false;
    if (close) {
        int d = 0;
        for (const char *c = open + 1; c < close; c++) {
            if (*c == '\\' && c[1])
                c++;
            else if (*c == '{')
                d++;
            else if (*c == '}')
                d--;
            else if (*c == ',' && !d)
                has_comma = true;
        }
    }
    if (!close || !has_comma) {
        list_add(out, sl_strdup(p));
        return;
    }
    const char *start = open + 1;
    int d = 0;
    for (const char *c = open + 1; c <= close; c++) {
        if (*c == '\\' && c[1] && c < close) {
            c++;
            continue;
        }
        if (*c == '{')
            d++;
        else if (*c == '}' && c < close)
            d--;
        else if ((*c == ',' && !d) || c == close) {
            char *alt =
                sl_asprintf("%.*s%.*s%s", (int)(open - p), p, (int)(c - start), start, close + 1);
            expand_braces(alt, out);
            free(alt);
            start = c + 1;
        }
    }
}

static bool is_magic(const char *seg)
{
    return strpbrk(seg, "*?[\\") != NULL;
}

static void add_if_file(const char *path, struct list *out)
{
    char *host = sl_files_host_path(*path ? path : ".");
    struct stat st;
    if (!stat(host, &st) && S_ISREG(st.st_mode))
        list_add(out, sl_strdup(path));
    free(host);
}

static char *join(const char *base, const char *name)
{
    if (!*base)
        return sl_strdup(name);
    size_t n = strlen(base);
    return sl_asprintf("%s%s%s", base, base[n - 1] == '/' ? "" : "/", name);
}

/* How deep `**` descends: symbolic links are followed, as fast-glob does,
 * so a link cycle must end somewhere. */
#define GLOBSTAR_MAX_DEPTH 32

/* Matches segments segs[i..n) below the workflow path `base`; `depth`
 * counts the directories `**` has entered. */
static void walk(const char *base, char **segs, size_t i, size_t n, int depth, struct list *out)
{
    while (i < n && !is_magic(segs[i]) && strcmp(segs[i], "**")) {
        char *next = join(base, segs[i]);
        walk(next, segs, i + 1, n, depth, out);
        free(next);
        return;
    }
    if (i == n) {
        add_if_file(base, out);
        return;
    }
    bool globstar = !strcmp(segs[i], "**");
    if (globstar)
        walk(base, segs, i + 1, n, depth, out); /* zero directories */
    char *host = sl_files_host_path(*base ? base : ".");
    DIR *d = opendir(host);
    free(host);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char *next = join(base, e->d_name);
        if (globstar) {
            char *h = sl_files_host_path(next);
            struct stat st;
            if (e->d_name[0] != '.' && depth < GLOBSTAR_MAX_DEPTH && !stat(h, &st) &&
                S_ISDIR(st.st_mode))
                walk(next, segs, i, n, depth + 1, out);
            free(h);
        } else if (!fnmatch(segs[i], e->d_name, FNM_PERIOD)) {
            walk(next, segs, i + 1, n, depth, out);
        }
        free(next);
    }
    closedir(d);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int sl_files_glob(const char *pattern, char ***out, size_t *n)
{
    struct list alts = {0}, res = {0};
    expand_braces(pattern, &alts);
    for (size_t a = 0; a < alts.n; a++) {
        char *p = alts.v[a];
        struct list segs = {0};
        char *save = NULL;
        for (char *s = strtok_r(p, "/", &save); s; s = strtok_r(NULL, "/", &save))
            if (strcmp(s, ".") || segs.n)
                list_add(&segs, s);
        walk(pattern[0] == '/' ? "/" : "", segs.v, 0, segs.n, 0, &res);
        free(segs.v);
        free(p);
    }
    free(alts.v);
    if (res.n)
        qsort(res.v, res.n, sizeof *res.v, cmp_str);
    size_t k = 0;
    for (size_t i = 0; i < res.n; i++) {
        if (k && !strcmp(res.v[k - 1], res.v[i]))
            free(res.v[i]);
        else
            res.v[k++] = res.v[i];
    }
    *out = res.v;
    *n = k;
    return 0;
}

int sl_files_read_all(const char *host_path, size_t max, unsigned char **data, size_t *len)
{
    int fd = open(host_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return SL_ERR_IO;
    struct sl_buf b = {0};
    char chunk[65536];
    int rc = 0;
    for (;;) {
        ssize_t r = read(fd, chunk, sizeof chunk);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            rc = SL_ERR_IO;
            break;
        }
        if (!r)
            break;
        if (b.len + (size_t)r > max) {
            rc = SL_ERR_LIMIT;
            break;
        }
        sl_buf_add(&b, chunk, (size_t)r);
    }
    int saved = errno;
    close(fd);
    errno = saved;
    if (rc) {
        sl_buf_release(&b);
        return rc;
    }
    *len = b.len;
    *data = b.len ? (unsigned char *)sl_buf_steal(&b) : sl_calloc(1, 1);
    return 0;
}

int sl_files_write_all(const char *real, const void *data, size_t len, bool append)
{
    int fd =
        open(real, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | (append ? O_APPEND : 0), 0666);
    if (fd < 0)
        return SL_ERR_IO;
    struct stat st;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        close(fd);
        errno = EINVAL;
        return SL_ERR_IO;
    }
    if (!append && ftruncate(fd, 0)) {
        int saved = errno;
        close(fd);
        errno = saved;
        return SL_ERR_IO;
    }
    const char *p = data;
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            int saved = errno;
            close(fd);
            errno = saved;
            return SL_ERR_IO;
        }
        p += w;
        len -= (size_t)w;
    }
    return close(fd) ? SL_ERR_IO : 0;
}
