/*
 * keras_h5.c - Keras HDF5 models (.h5, .hdf5, .keras of the HDF5 kind) and
 * any other HDF5 file.
 *
 * libhdf5 is not hardened against hostile files, so it never runs in the
 * scanner process: a forked child with RLIMIT_AS/RLIMIT_CPU, an alarm and a
 * parent-side deadline opens the file through a tiny virtual file driver
 * whose reads the parent serves from the artifact's reader over a socket
 * (HDF5 1.10; other versions get an in-memory file image without copies),
 * and sends back over a pipe the root attributes Keras reads (model_config,
 * training_config, keras_version, backend) and every small attribute or
 * dataset whose bytes may be a pickle. The parent walks the layer tree
 * (keras_config.c) and hands pickle candidates to the pickle analyzer,
 * which decides by structure.
 * A child crash or timeout is a finding, never a scanner crash.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "model_formats.h"

#define H5_TIMEOUT_MS 15000
/* ASan's allocator is not fork-safe before clang 17: a forked child can block
 * on a lock another thread held at fork time (glibc's malloc is fork-safe). */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WT_FORK_MAY_DEADLOCK 1
#endif
#endif
#if !defined(WT_FORK_MAY_DEADLOCK) && defined(__SANITIZE_ADDRESS__)
#define WT_FORK_MAY_DEADLOCK 1
#endif
#ifndef WT_FORK_MAY_DEADLOCK
#define WT_FORK_MAY_DEADLOCK 0
#endif
#define H5_CPU_SECONDS 15
#define H5_AS_HEADROOM (1024ull << 20)
#define H5_MAX_RESULT (64u << 20)     /* bytes the child may send */
#define H5_MAX_ATTR (32u << 20)       /* one attribute / dataset read */
#define H5_MAX_OBJECTS 100000
#define H5_MAX_IMAGE (4ull << 30)

static const uint8_t h5sig[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

static int h5_probe(const char *name, const uint8_t *head, size_t headlen, uint64_t size)
{
    /* the superblock is at 0 or at 512 * 2^k (user block) */
    for (size_t off = 0; off + 8 <= headlen; off = off ? off * 2 : 512)
        if (memcmp(head + off, h5sig, 8) == 0)
            return 90;
    (void)name;
    (void)size;
    return 0;
}

/* ---- record stream child -> parent: type(1) namelen(u32) datalen(u32) name data ---- */

#ifdef WT_HAVE_HDF5
#include <hdf5.h>
#include <sys/socket.h>

/* With HDF5 1.10 the child reads through a tiny virtual file driver whose
 * reads are served by the parent from the artifact's reader (so only the
 * bytes libhdf5 asks for are read, and counted, by the scanner); other
 * versions get the whole file as an in-memory image. */
#if H5_VERS_MAJOR == 1 && H5_VERS_MINOR == 10
#define WT_H5_RPC 1
#endif

typedef struct h5child {
    int fd;
    int data_fd;       /* parent -> child read replies (RPC mode) */
    uint64_t file_size;
    size_t sent;
    size_t objects;
    const void *image;
    size_t image_len;
} h5child;

static void put_all(int fd, const void *p, size_t n)
{
    const uint8_t *b = p;
    while (n) {
        ssize_t w = write(fd, b, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            _exit(4);
        b += w;
        n -= (size_t)w;
    }
}

static void send_rec(h5child *c, char type, const char *name, const void *data, size_t len)
{
    size_t nl = name ? strlen(name) : 0;
    if (type != 'Q' && c->sent + nl + len + 9 > H5_MAX_RESULT) {
        if (type != 'X') {
            const char *msg = "result too large";
            send_rec(c, 'X', NULL, msg, strlen(msg));
        }
        return;
    }
    uint8_t hdr[9];
    hdr[0] = (uint8_t)type;
    uint32_t a = (uint32_t)nl, b = (uint32_t)len;
    memcpy(hdr + 1, &a, 4);
    memcpy(hdr + 5, &b, 4);
    put_all(c->fd, hdr, 9);
    if (nl)
        put_all(c->fd, name, nl);
    if (len)
        put_all(c->fd, data, len);
    if (type != 'Q')
        c->sent += nl + len + 9;
}

#ifdef WT_H5_RPC
static h5child *g_child; /* the child process has exactly one */

static bool get_all(int fd, void *p, size_t n)
{
    uint8_t *b = p;
    while (n) {
        ssize_t r = read(fd, b, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        b += r;
        n -= (size_t)r;
    }
    return true;
}

typedef struct wt_h5fd {
    H5FD_t pub;
    haddr_t eoa;
} wt_h5fd;

static H5FD_t *vfd_open(const char *name, unsigned flags, hid_t fapl, haddr_t maxaddr)
{
    (void)name; (void)fapl; (void)maxaddr;
    if (flags & (H5F_ACC_RDWR | H5F_ACC_TRUNC | H5F_ACC_CREAT))
        return NULL;
    wt_h5fd *f = calloc(1, sizeof *f);
    return f ? &f->pub : NULL;
}
static herr_t vfd_close(H5FD_t *f) { free(f); return 0; }
static haddr_t vfd_get_eoa(const H5FD_t *f, H5FD_mem_t t) { (void)t; return ((const wt_h5fd *)f)->eoa; }
static herr_t vfd_set_eoa(H5FD_t *f, H5FD_mem_t t, haddr_t a) { (void)t; ((wt_h5fd *)f)->eoa = a; return 0; }
static haddr_t vfd_get_eof(const H5FD_t *f, H5FD_mem_t t) { (void)f; (void)t; return (haddr_t)g_child->file_size; }

/* Ask the parent for [addr, addr+size); bytes past the end read as zeros. */
static herr_t vfd_read(H5FD_t *f, H5FD_mem_t type, hid_t dxpl, haddr_t addr, size_t size, void *buf)
{
    (void)f; (void)type; (void)dxpl;
    uint8_t *out = buf;
    while (size) {
        uint32_t chunk = size > (16u << 20) ? (16u << 20) : (uint32_t)size;
        uint8_t req[12];
        uint64_t a = (uint64_t)addr;
        memcpy(req, &a, 8);
        memcpy(req + 8, &chunk, 4);
        send_rec(g_child, 'Q', NULL, req, sizeof req);
        uint32_t got;
        if (!get_all(g_child->data_fd, &got, 4) || got > chunk || !get_all(g_child->data_fd, out, got))
            return -1;
        memset(out + got, 0, chunk - got);
        out += chunk;
        addr += chunk;
        size -= chunk;
    }
    return 0;
}
static herr_t vfd_write(H5FD_t *f, H5FD_mem_t type, hid_t dxpl, haddr_t addr, size_t size, const void *buf)
{
    (void)f; (void)type; (void)dxpl; (void)addr; (void)size; (void)buf;
    return -1;
}

static const H5FD_class_t wt_vfd_class = {
    "watchtower-rpc", ((haddr_t)1 << 62), H5F_CLOSE_WEAK,
    NULL, NULL, NULL, NULL,         /* terminate, sb_size, sb_encode, sb_decode */
    0, NULL, NULL, NULL,            /* fapl */
    0, NULL, NULL,                  /* dxpl */
    vfd_open, vfd_close, NULL, NULL, NULL, NULL, NULL,
    vfd_get_eoa, vfd_set_eoa, vfd_get_eof, NULL,
    vfd_read, vfd_write, NULL, NULL, NULL, NULL,
    H5FD_FLMAP_DICHOTOMY,
};
#endif

/* file image without copies: every "allocation" is the caller's buffer */
static void *img_malloc(size_t size, H5FD_file_image_op_t op, void *ud)
{
    h5child *c = ud;
    (void)op;
    return size == c->image_len ? (void *)c->image : NULL;
}
static void *img_memcpy(void *dest, const void *src, size_t size, H5FD_file_image_op_t op, void *ud)
{
    (void)op;
    (void)ud;
    if (dest != src)
        memmove(dest, src, size); /* never happens for read-only opens */
    return dest;
}
static void *img_realloc(void *ptr, size_t size, H5FD_file_image_op_t op, void *ud)
{
    (void)ptr; (void)size; (void)op; (void)ud;
    return NULL;
}
static herr_t img_free(void *ptr, H5FD_file_image_op_t op, void *ud)
{
    (void)ptr; (void)op; (void)ud;
    return 0;
}
static void *udata_copy(void *ud) { return ud; }
static herr_t udata_free(void *ud) { (void)ud; return 0; }

static bool looks_like_pickle(const uint8_t *d, size_t n)
{
    if (n >= 3 && d[0] == 0x80 && d[1] >= 1 && d[1] <= 5)
        return true;
    /* protocol 0/1: opcodes text ending with STOP */
    if (n >= 4 && d[n - 1] == '.' && strchr("(cdl]}NIFSVX", d[0]) && d[0])
        return d[0] != 'c' || memchr(d, '\n', n < 256 ? n : 256) != NULL;
    return false;
}

/* Read the raw bytes of an attribute or dataset of a byte-ish type:
 * strings (fixed or variable), opaque, 1-byte integers, vlen of bytes. */
static uint8_t *read_bytes(hid_t obj, bool is_attr, size_t *outlen)
{
    hid_t ft = is_attr ? H5Aget_type(obj) : H5Dget_type(obj);
    hid_t sp = is_attr ? H5Aget_space(obj) : H5Dget_space(obj);
    uint8_t *res = NULL;
    if (ft < 0 || sp < 0)
        goto out;
    hssize_t npts = H5Sget_simple_extent_npoints(sp);
    if (npts <= 0 || npts > (hssize_t)H5_MAX_ATTR)
        goto out;
    H5T_class_t cls = H5Tget_class(ft);
    size_t tsz = H5Tget_size(ft);
    if (cls == H5T_STRING && H5Tis_variable_str(ft) > 0) {
        if (npts != 1)
            goto out;
        hid_t mt = H5Tcopy(H5T_C_S1);
        H5Tset_size(mt, H5T_VARIABLE);
        H5Tset_cset(mt, H5Tget_cset(ft));
        char *s = NULL;
        herr_t rc = is_attr ? H5Aread(obj, mt, &s) : H5Dread(obj, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, &s);
        if (rc >= 0 && s) {
            size_t l = strnlen(s, H5_MAX_ATTR);
            res = malloc(l + 1);
            if (res) {
                memcpy(res, s, l);
                res[l] = 0;
                *outlen = l;
            }
        }
        if (rc >= 0 && s)
            H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, &s);
        H5Tclose(mt);
        goto out;
    }
    if (cls == H5T_VLEN) {
        hid_t base = H5Tget_super(ft);
        bool bytes = base >= 0 && H5Tget_size(base) == 1;
        if (base >= 0)
            H5Tclose(base);
        if (!bytes || npts != 1)
            goto out;
        hid_t mt = H5Tvlen_create(H5T_NATIVE_UCHAR);
        hvl_t v = {0, NULL};
        herr_t rc = is_attr ? H5Aread(obj, mt, &v) : H5Dread(obj, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, &v);
        if (rc >= 0 && v.p && v.len <= H5_MAX_ATTR) {
            res = malloc(v.len + 1);
            if (res) {
                memcpy(res, v.p, v.len);
                res[v.len] = 0;
                *outlen = v.len;
            }
        }
        if (rc >= 0)
            H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, &v);
        H5Tclose(mt);
        goto out;
    }
    if (!(cls == H5T_STRING || cls == H5T_OPAQUE || (cls == H5T_INTEGER && tsz == 1)))
        goto out;
    if (tsz == 0 || (uint64_t)npts * tsz > H5_MAX_ATTR)
        goto out;
    size_t total = (size_t)npts * tsz;
    res = malloc(total + 1);
    if (!res)
        goto out;
    hid_t mt = H5Tcopy(ft); /* same layout in memory */
    herr_t rc = is_attr ? H5Aread(obj, mt, res) : H5Dread(obj, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, res);
    H5Tclose(mt);
    if (rc < 0) {
        free(res);
        res = NULL;
        goto out;
    }
    res[total] = 0;
    if (cls == H5T_STRING && npts == 1)
        total = strnlen((char *)res, total);
    *outlen = total;
out:
    if (ft >= 0)
        H5Tclose(ft);
    if (sp >= 0)
        H5Sclose(sp);
    return res;
}

typedef struct attr_ud {
    h5child *c;
    const char *path;
    bool root;
} attr_ud;

static herr_t attr_cb(hid_t loc, const char *aname, const H5A_info_t *info, void *op)
{
    attr_ud *u = op;
    (void)info;
    if (++u->c->objects > H5_MAX_OBJECTS)
        return 1;
    hid_t a = H5Aopen(loc, aname, H5P_DEFAULT);
    if (a < 0)
        return 0;
    size_t n = 0;
    uint8_t *d = read_bytes(a, true, &n);
    H5Aclose(a);
    if (!d)
        return 0;
    char *full = NULL;
    if (asprintf(&full, "%s@%s", u->path, aname) < 0)
        full = NULL;
    if (u->root && strcmp(aname, "model_config") == 0)
        send_rec(u->c, 'M', NULL, d, n);
    else if (u->root && strcmp(aname, "training_config") == 0)
        send_rec(u->c, 'T', NULL, d, n);
    else if (u->root && strcmp(aname, "keras_version") == 0)
        send_rec(u->c, 'V', NULL, d, n);
    else if (u->root && strcmp(aname, "backend") == 0)
        send_rec(u->c, 'B', NULL, d, n);
    else if (u->root && strcmp(aname, "layer_names") == 0)
        send_rec(u->c, 'W', NULL, NULL, 0);
    else if (looks_like_pickle(d, n))
        send_rec(u->c, 'P', full ? full : aname, d, n);
    free(full);
    free(d);
    return 0;
}

static void visit_attrs(h5child *c, hid_t obj, const char *path, bool root)
{
    attr_ud u = {c, path, root};
    hsize_t idx = 0;
    H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_NATIVE, &idx, attr_cb, &u);
}

static void visit_dataset(h5child *c, hid_t d, const char *path)
{
    hid_t dcpl = H5Dget_create_plist(d);
    if (dcpl >= 0) {
        int ext = H5Pget_external_count(dcpl);
        H5D_layout_t lay = H5Pget_layout(dcpl);
        H5Pclose(dcpl);
        if (ext > 0 || lay == H5D_VIRTUAL) {
            char msg[256];
            snprintf(msg, sizeof msg, "dataset %s stores its data in %s", path,
                     ext > 0 ? "external files (HDF5 external storage)" : "other files (virtual dataset)");
            send_rec(c, 'E', NULL, msg, strlen(msg));
            return; /* never read other files */
        }
    }
    if (H5Dget_storage_size(d) > H5_MAX_ATTR)
        return;
    size_t n = 0;
    uint8_t *b = read_bytes(d, false, &n);
    if (b && looks_like_pickle(b, n))
        send_rec(c, 'P', path, b, n);
    free(b);
}

static herr_t link_cb(hid_t g, const char *name, const H5L_info_t *info, void *op)
{
    h5child *c = op;
    if (++c->objects > H5_MAX_OBJECTS) {
        const char *m = "too many HDF5 objects";
        send_rec(c, 'X', NULL, m, strlen(m));
        return 1;
    }
    if (info->type == H5L_TYPE_EXTERNAL && info->u.val_size > 0 && info->u.val_size < 4096) {
        /* h5py follows external links when Keras reads the weights: the model
         * names another file to open. Reported, never followed. */
        char val[4096];
        const char *file = NULL, *obj = NULL;
        unsigned flags = 0;
        if (H5Lget_val(g, name, val, info->u.val_size, H5P_DEFAULT) >= 0 &&
            H5Lunpack_elink_val(val, info->u.val_size, &flags, &file, &obj) >= 0) {
            char msg[512];
            snprintf(msg, sizeof msg, "link /%s points into another file (HDF5 external link to %s:%s)", name,
                     file ? file : "?", obj ? obj : "?");
            send_rec(c, 'E', NULL, msg, strlen(msg));
        }
        return 0;
    }
    if (info->type != H5L_TYPE_HARD)
        return 0; /* soft/external links are not followed */
    hid_t o = H5Oopen(g, name, H5P_DEFAULT);
    if (o < 0)
        return 0;
    char *path = NULL;
    if (asprintf(&path, "/%s", name) < 0)
        path = NULL;
    visit_attrs(c, o, path ? path : name, false);
    if (H5Iget_type(o) == H5I_DATASET)
        visit_dataset(c, o, path ? path : name);
    free(path);
    H5Oclose(o);
    return 0;
}

static void set_limits(void)
{
    struct rlimit rl;
    rl.rlim_cur = rl.rlim_max = H5_CPU_SECONDS;
    setrlimit(RLIMIT_CPU, &rl);
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long pages = 0;
    if (f) {
        if (fscanf(f, "%lu", &pages) != 1)
            pages = 0;
        fclose(f);
    }
#if !defined(__SANITIZE_ADDRESS__) && !defined(WT_NO_RLIMIT_AS)
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WT_SKIP_AS 1
#endif
#endif
#ifndef WT_SKIP_AS
    if (pages) {
        rl.rlim_cur = rl.rlim_max = (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) + H5_AS_HEADROOM;
        setrlimit(RLIMIT_AS, &rl);
    }
#endif
#endif
}

static void child_main(int fd, int data_fd, const void *image, size_t len)
{
    /* default crash handling: a crash must end the child with its signal
     * (the front end or a fuzzer may have installed handlers) */
    static const int sigs[] = {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL, SIGALRM, SIGXCPU};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        signal(sigs[i], SIG_DFL);
    signal(SIGPIPE, SIG_IGN);
    set_limits();
    alarm(H5_CPU_SECONDS + 2);
    h5child c = {fd, data_fd, len, 0, 0, image, len};
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0)
        _exit(2);
#ifdef WT_H5_RPC
    if (!image) {
        g_child = &c;
        hid_t drv = H5FDregister(&wt_vfd_class);
        if (drv < 0 || H5Pset_driver(fapl, drv, NULL) < 0)
            _exit(2);
    } else
#endif
    {
        H5Pset_fapl_core(fapl, 1 << 20, 0);
        H5FD_file_image_callbacks_t cb = {img_malloc, img_memcpy, img_realloc, img_free, udata_copy, udata_free, &c};
        if (H5Pset_file_image_callbacks(fapl, &cb) < 0 || H5Pset_file_image(fapl, (void *)image, len) < 0)
            _exit(2);
    }
    hid_t f = H5Fopen("watchtower-image.h5", H5F_ACC_RDONLY, fapl);
    if (f < 0)
        _exit(2);
    /* test seam: tests/formats exercise the crash and timeout handling */
    const char *fault = getenv("WT_HDF5_TEST_FAULT");
    if (fault && strcmp(fault, "crash") == 0)
        raise(SIGSEGV);
    if (fault && strcmp(fault, "hang") == 0)
        for (;;)
            pause();
    hid_t root = H5Gopen2(f, "/", H5P_DEFAULT);
    if (root >= 0) {
        visit_attrs(&c, root, "", true);
        H5Lvisit(root, H5_INDEX_NAME, H5_ITER_NATIVE, link_cb, &c);
        H5Gclose(root);
    }
    send_rec(&c, 'D', NULL, NULL, 0);
    _exit(0);
}
#endif /* WT_HAVE_HDF5 */

/* ---- parent ---- */

static int h5_timeout_ms(void)
{
    const char *e = getenv("WT_HDF5_TIMEOUT_MS");
    int v = e ? atoi(e) : 0;
    return (v >= 100 && v <= 600000) ? v : H5_TIMEOUT_MS;
}

typedef struct h5res {
    uint8_t *buf;
    size_t len;
    bool timed_out;
    bool killed_late; /* reaped by our SIGKILL after its result was complete */
    int status;
} h5res;

#ifdef WT_HAVE_HDF5
/* Serve one read request of the child: u32 count, then the bytes. */
static bool serve_read(wt_reader *r, int fd, const uint8_t *req, uint64_t deadline)
{
    uint64_t off;
    uint32_t want;
    memcpy(&off, req, 8);
    memcpy(&want, req + 8, 4);
    uint64_t size = wt_reader_size(r);
    uint32_t n = off >= size ? 0 : (size - off < want ? (uint32_t)(size - off) : want);
    uint8_t *buf = wt_xmalloc((size_t)n + 4);
    memcpy(buf, &n, 4);
    bool ok = n == 0 || wt_reader_read_exact(r, off, buf + 4, n) == 0;
    if (!ok) {
        n = 0; /* the child sees zeros; libhdf5 reports the damage */
        memcpy(buf, &n, 4);
    }
    size_t total = (size_t)n + 4, done = 0;
    while (done < total) {
        uint64_t now = wt_now_ns();
        if (now >= deadline) {
            free(buf);
            return false;
        }
        struct pollfd p = {fd, POLLOUT, 0};
        int pr = poll(&p, 1, (int)((deadline - now) / 1000000ull) + 1);
        if (pr <= 0) {
            if (pr < 0 && errno != EINTR) {
                free(buf);
                return false;
            }
            continue;
        }
        ssize_t w = send(fd, buf + done, total - done, MSG_NOSIGNAL);
        if (w < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (w <= 0) {
            free(buf);
            return false;
        }
        done += (size_t)w;
    }
    free(buf);
    return true;
}
#endif

/* Run the HDF5 walk in a child. With r != NULL (RPC mode) the child's reads
 * are served from r; otherwise it gets image/len as an in-memory file. */
static void run_child(wt_reader *r, const void *image, size_t len, h5res *res)
{
    memset(res, 0, sizeof *res);
#ifdef WT_HAVE_HDF5
    int fds[2], sv[2] = {-1, -1};
    if (pipe(fds) != 0) {
        res->status = -1;
        return;
    }
    if (r && socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) {
        close(fds[0]);
        close(fds[1]);
        res->status = -1;
        return;
    }
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        if (sv[0] >= 0) {
            close(sv[0]);
            close(sv[1]);
        }
        res->status = -1;
        return;
    }
    if (pid == 0) {
        /* keep only the result pipe (fd 3) and the data socket (fd 4): the
         * pipe ends of sibling scans in other threads must not stay open */
        int out = fcntl(fds[1], F_DUPFD, 10), data = sv[1] >= 0 ? fcntl(sv[1], F_DUPFD, 10) : -1;
        if (out < 0 || dup2(out, 3) < 0 || (data >= 0 && dup2(data, 4) < 0))
            _exit(4);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
        if (close_range(5, ~0u, 0) != 0)
#endif
        {
            for (int fd = 5; fd < 4096; fd++)
                close(fd);
        }
        child_main(3, data >= 0 ? 4 : -1, image, r ? (size_t)wt_reader_size(r) : len);
        _exit(0);
    }
    close(fds[1]);
    if (sv[1] >= 0)
        close(sv[1]);
    wt_buf b;
    wt_buf_init(&b);
    uint64_t deadline = wt_now_ns() + (uint64_t)h5_timeout_ms() * 1000000ull;
    char chunk[65536];
    size_t scan = 0; /* next record to look at for read requests */
    for (;;) {
        uint64_t now = wt_now_ns();
        if (now >= deadline) {
            res->timed_out = true;
            break;
        }
        struct pollfd p = {fds[0], POLLIN, 0};
        int pr = poll(&p, 1, (int)((deadline - now) / 1000000ull) + 1);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr == 0)
            continue;
        ssize_t n = read(fds[0], chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (b.len + (size_t)n > H5_MAX_RESULT + (64u << 20))
            break;
        wt_buf_append(&b, chunk, (size_t)n);
        bool failed = false;
        while (r && scan + 9 <= b.len) {
            uint32_t nl, dl;
            memcpy(&nl, b.data + scan + 1, 4);
            memcpy(&dl, b.data + scan + 5, 4);
            if ((uint64_t)nl + dl > b.len - scan - 9)
                break;
            if (b.data[scan] == 'Q' && dl == 12 &&
                !serve_read(r, sv[0], (const uint8_t *)b.data + scan + 9 + nl, deadline)) {
                failed = true;
                break;
            }
            scan += 9 + (size_t)nl + dl;
        }
        if (failed) {
            res->timed_out = wt_now_ns() >= deadline;
            break;
        }
    }
    close(fds[0]);
    if (sv[0] >= 0)
        close(sv[0]);
    /* the child may be blocked on a reply that will never come */
    if (res->timed_out || wt_now_ns() >= deadline)
        kill(pid, SIGKILL);
    int st = 0;
    uint64_t wait_until = wt_now_ns() + 5000000000ull;
    for (;;) {
        pid_t w = waitpid(pid, &st, WNOHANG);
        if (w == pid || (w < 0 && errno != EINTR))
            break;
        if (wt_now_ns() > wait_until) {
            res->killed_late = true;
            kill(pid, SIGKILL);
            while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
            }
            break;
        }
        usleep(1000);
    }
    res->status = st;
    res->len = b.len;
    res->buf = (uint8_t *)wt_buf_steal(&b);
#else
    (void)r;
    (void)image;
    (void)len;
    res->status = -2;
#endif
}

static int h5_analyze(wt_ctx *ctx, wt_reader *r)
{
    uint64_t size = wt_reader_size(r);
    const wt_limits *lim = wt_ctx_limits(ctx);
    uint64_t max = (lim && lim->max_file_size) ? lim->max_file_size : H5_MAX_IMAGE;
    if (max > H5_MAX_IMAGE)
        max = H5_MAX_IMAGE;
    wt_ctx_set_kind(ctx, "hdf5");
    if (size > max) {
        wt_emit_limit(ctx, "HDF5 file size", size, max);
        return WT_OK;
    }
#ifdef WT_H5_RPC
    h5res res;
    run_child(r, NULL, 0, &res);
    if (res.timed_out && (res.len == 0 || WT_FORK_MAY_DEADLOCK)) {
        /* not one read request in the whole deadline means the child never
         * got going (a starved machine), which a hostile file cannot cause:
         * libhdf5 must read it first. Under ASan (clang < 17) a child forked
         * while another scan thread held an allocator lock can also hang
         * mid-way. One fresh child decides. */
        free(res.buf);
        run_child(r, NULL, 0, &res);
    }
#else
    const uint8_t *img = wt_reader_view(r, 0, (size_t)size);
    uint8_t *owned = NULL;
    if (!img) {
        size_t n = 0;
        owned = wt_reader_slurp(r, max, &n);
        if (!owned) {
            wt_emit_error(ctx, "cannot read HDF5 file");
            return WT_OK;
        }
        img = owned;
        size = n;
    }
    h5res res;
    run_child(NULL, img, (size_t)size, &res);
    free(owned);
#endif
    if (res.status == -2) {
        wt_emit_error(ctx, "HDF5 support not compiled in; Keras HDF5 model not inspected");
        return WT_OK;
    }
    if (res.status == -1) {
        wt_emit_error(ctx, "cannot start the isolated HDF5 parser");
        return WT_OK;
    }
    /* parse records (complete ones only) */
    bool done = false, model = false, weights = false;
    char *version = NULL, *backend = NULL;
    wt_keras_stats st = {0};
    size_t pos = 0, npickles = 0;
    while (pos + 9 <= res.len) {
        uint8_t type = res.buf[pos];
        uint32_t nl, dl;
        memcpy(&nl, res.buf + pos + 1, 4);
        memcpy(&dl, res.buf + pos + 5, 4);
        if ((uint64_t)nl + dl > res.len - pos - 9)
            break;
        const char *name = (const char *)res.buf + pos + 9;
        const char *data = name + nl;
        pos += 9 + (size_t)nl + dl;
        switch (type) {
        case 'M':
            model = true;
            if (wt_keras_check_json(ctx, data, dl, "HDF5 attribute model_config", &st) < 0) {
                char *ev = wt_shorten(data, dl, 80);
                wt_emit(ctx, "WT-KERAS-007", WT_SEV_NONE, NULL, ev, "model_config attribute is not valid JSON");
                free(ev);
            }
            break;
        case 'T':
            if (wt_keras_check_json(ctx, data, dl, "HDF5 attribute training_config", &st) < 0)
                wt_emit(ctx, "WT-KERAS-007", WT_SEV_LOW, NULL, NULL, "training_config attribute is not valid JSON");
            break;
        case 'V':
            free(version);
            version = wt_shorten(data, dl, 32);
            break;
        case 'B':
            free(backend);
            backend = wt_shorten(data, dl, 32);
            break;
        case 'W':
            weights = true;
            break;
        case 'P': {
            if (++npickles > 256)
                break;
            char *member = wt_xasprintf("%.*s", (int)nl, name);
            uint8_t *copy = wt_xmalloc(dl ? dl : 1);
            memcpy(copy, data, dl);
            wt_reader *mr = wt_reader_new_mem(copy, dl, true);
            if (wt_scan_child_as(ctx, member, mr, "pickle") == WT_ERR_USAGE)
                wt_emit_error(ctx, "pickle analyzer unavailable: pickled bytes at %s not inspected", member);
            wt_reader_unref(mr);
            free(member);
            break;
        }
        case 'E': {
            /* external storage, virtual datasets, external links: the loader
             * reads files the model names (never followed here) */
            char *m = wt_shorten(data, dl, 300);
            wt_emit(ctx, "WT-KERAS-008", WT_SEV_NONE, NULL, NULL, "%s", m);
            free(m);
            break;
        }
        case 'X': {
            char *m = wt_shorten(data, dl, 100);
            wt_emit_error(ctx, "HDF5 walk stopped: %s", m);
            free(m);
            break;
        }
        case 'D':
            done = true;
            break;
        default:
            break;
        }
    }
    if (model) {
        char *kind = version ? wt_xasprintf("keras-h5 (keras %s%s%s)", version, backend ? ", " : "",
                                            backend ? backend : "")
                             : wt_xstrdup("keras-h5");
        wt_ctx_set_kind(ctx, kind);
        free(kind);
    } else if (weights) {
        wt_ctx_set_kind(ctx, "keras-h5 (weights only)");
    }
    free(version);
    free(backend);
    if (res.timed_out) {
        wt_emit(ctx, "WT-KERAS-006", WT_SEV_NONE, NULL, NULL,
                "HDF5 parser timed out after %d ms (isolated child killed)", h5_timeout_ms());
    } else if (WIFSIGNALED(res.status) && !(done && res.killed_late)) {
        /* a child that delivered its whole result but was slow to exit on
         * a loaded machine (and was reaped by us) did not crash */
        int sig = WTERMSIG(res.status);
        wt_emit(ctx, "WT-KERAS-006", WT_SEV_NONE, NULL, NULL, "HDF5 parser crashed (signal %d: %s) in the isolated child",
                sig, strsignal(sig));
    } else if (WIFEXITED(res.status) && WEXITSTATUS(res.status) == 2) {
        wt_emit(ctx, "WT-KERAS-007", WT_SEV_NONE, NULL, NULL, "libhdf5 cannot open the file (corrupt or not HDF5)");
    } else if (!done) {
        wt_emit(ctx, "WT-KERAS-006", WT_SEV_NONE, NULL, NULL, "HDF5 parser stopped early (exit status %d)",
                WIFEXITED(res.status) ? WEXITSTATUS(res.status) : -1);
    }
    free(res.buf);
    return WT_OK;
}

const wt_analyzer wt_keras_h5_analyzer = {
    .name = "keras-h5",
    .klass = WT_CLASS_MODEL,
    .exclusive = true,
    .probe = h5_probe,
    .analyze = h5_analyze,
};
