/* fileio.c - crash-safe output files for npy.c, safetensors.c and the
 * depth plot; see fileio.h. */
#if defined(__linux__)
#define _GNU_SOURCE /* sync_file_range */
#else
#define _XOPEN_SOURCE 700 /* mkstemp, fsync, readlink, lstat, sigaction */
#endif

#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Bytes written in one fwrite at most, so huge appends make progress in
 * steps the C library handles everywhere. */
#define WRITE_STEP ((size_t)1 << 26)
/* Symbolic links followed at most (Linux's own limit). */
#define MAX_LINKS 40
/* Bytes of the target's name kept in the temporary's name, so that
 * ".NAME.tmp-XXXXXX" stays under NAME_MAX (255). */
#define TMP_NAME_KEEP 200
/* Temporaries that can exist at once and are removed on a signal: one
 * for a plain output, every shard plus the index of a sharded one
 * (published together, shard.h); a temporary beyond them is still removed
 * on any failure, only not on a signal. */
#define GUARD_SLOTS 4096
/* A temporary's data is handed to writeback every this many bytes, the
 * step before is waited for and dropped from the page cache: dirty pages
 * stay bounded, the final fsync has little left to do (the disk works
 * while the data is produced, not after), and a checkpoint larger than
 * memory does not push everything else out of the cache (docs/PERF.md,
 * "clinit init at disk speed", has the measurements). */
#define WRITEBACK_STEP ((uint64_t)32 << 20)

int clinit_host_is_little_endian(void)
{
    const uint16_t one = 1;
    unsigned char b[sizeof one];
    memcpy(b, &one, sizeof one);
    return b[0] == 1;
}

int clinit_outfile_is_stdout(const char *path)
{
    return path && strcmp(path, "-") == 0;
}

/* ---- signals: remove the temporaries, then die as by default ----------- */

static char *volatile guard_path[GUARD_SLOTS];
static volatile sig_atomic_t guard_installed;
static const int guard_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define NSIG_GUARDED (sizeof guard_signals / sizeof guard_signals[0])

/* Only async-signal-safe calls: unlink of paths prepared beforehand, then
 * the default action (SA_RESETHAND restored it; the signal is blocked
 * until the handler returns, so raise() takes effect right after). */
static void guard_handler(int sig)
{
    int e = errno;
    for (int i = 0; i < GUARD_SLOTS; i++) {
        char *p = guard_path[i];
        if (p)
            unlink(p);
    }
    raise(sig);
    errno = e;
}

static void guard_install(void)
{
    struct sigaction sa, old;
    if (guard_installed)
        return;
    guard_installed = 1;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = guard_handler;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < NSIG_GUARDED; i++)
        sigaddset(&sa.sa_mask, guard_signals[i]);
    sa.sa_flags = SA_RESETHAND;
    for (size_t i = 0; i < NSIG_GUARDED; i++)
        /* a signal the caller ignores (nohup) stays ignored */
        if (sigaction(guard_signals[i], NULL, &old) == 0 &&
            old.sa_handler != SIG_IGN)
            sigaction(guard_signals[i], &sa, NULL);
    if (sigaction(SIGXFSZ, NULL, &old) == 0 && old.sa_handler == SIG_DFL)
        signal(SIGXFSZ, SIG_IGN); /* EFBIG instead of a kill */
}

static int guard_add(char *path)
{
    for (int i = 0; i < GUARD_SLOTS; i++)
        if (!guard_path[i]) {
            guard_path[i] = path;
            return i;
        }
    return -1;
}

static void guard_drop(clinit_outfile *o)
{
    if (o->guard >= 0)
        guard_path[o->guard] = NULL;
    o->guard = -1;
}

/* ---- paths ----------------------------------------------------------------
 */

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* Length of the directory part of p including its last '/', 0 if none. */
static size_t dir_len(const char *p)
{
    const char *slash = strrchr(p, '/');
    return slash ? (size_t)(slash - p) + 1 : 0;
}

/* The file that `path` designates after following symbolic links, in a
 * new string (*out), with *sb its lstat (*exists 0 when there is none).
 * Returns 0 or an errno. */
static int resolve(const char *path, char **out, struct stat *sb, int *exists)
{
    char *p = dup_n(path, strlen(path));
    if (!p)
        return ENOMEM;
    for (int hops = 0;; hops++) {
        char *link, *np;
        ssize_t n;
        size_t cap = 256, dl;
        if (lstat(p, sb) != 0) {
            int e = errno;
            if (e == ENOENT) {
                *exists = 0;
                *out = p;
                return 0;
            }
            free(p);
            return e;
        }
        if (!S_ISLNK(sb->st_mode)) {
            *exists = 1;
            *out = p;
            return 0;
        }
        if (hops == MAX_LINKS) {
            free(p);
            return ELOOP;
        }
        for (;;) {
            if (!(link = malloc(cap))) {
                free(p);
                return ENOMEM;
            }
            n = readlink(p, link, cap);
            if (n < 0) {
                int e = errno;
                free(link);
                free(p);
                return e;
            }
            if ((size_t)n < cap)
                break;
            free(link);
            cap *= 2;
        }
        link[n] = '\0';
        dl = link[0] == '/' ? 0 : dir_len(p);
        if (!(np = malloc(dl + (size_t)n + 1))) {
            free(link);
            free(p);
            return ENOMEM;
        }
        memcpy(np, p, dl);
        memcpy(np + dl, link, (size_t)n + 1);
        free(link);
        free(p);
        p = np;
    }
}

/* Creates the temporary next to o->path and opens o->f on it with the
 * mode the target should have. Returns 0 or an errno. */
static int make_temp(clinit_outfile *o, const struct stat *old, int exists)
{
    static const char suffix[] = ".tmp-XXXXXX";
    const char *base = o->path + dir_len(o->path);
    size_t dl = dir_len(o->path), bl = strlen(base);
    mode_t mode;
    int fd;
    if (bl > TMP_NAME_KEEP)
        bl = TMP_NAME_KEEP;
    if (!(o->tmp = malloc(dl + 1 + bl + sizeof suffix)))
        return ENOMEM;
    memcpy(o->tmp, o->path, dl);
    o->tmp[dl] = '.';
    memcpy(o->tmp + dl + 1, base, bl);
    memcpy(o->tmp + dl + 1 + bl, suffix, sizeof suffix);
    {
        /* no signal between the creation and the registration */
        sigset_t block, old;
        int e;
        sigemptyset(&block);
        for (size_t i = 0; i < NSIG_GUARDED; i++)
            sigaddset(&block, guard_signals[i]);
        guard_install();
        pthread_sigmask(SIG_BLOCK, &block, &old);
        fd = mkstemp(o->tmp);
        e = errno;
        if (fd >= 0)
            o->guard = guard_add(o->tmp);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (fd < 0) {
            free(o->tmp);
            o->tmp = NULL;
            return e;
        }
    }
    if (exists) {
        mode = old->st_mode & 07777;
    } else {
        mode_t um = umask(0);
        umask(um);
        mode = 0666 & ~um;
    }
    if (fchmod(fd, mode) != 0 || !(o->f = fdopen(fd, "wb"))) {
        int e = errno;
        close(fd);
        unlink(o->tmp);
        guard_drop(o);
        free(o->tmp);
        o->tmp = NULL;
        return e;
    }
    return 0;
}

/* ---- the file -------------------------------------------------------------
 */

void clinit_outfile_fail(clinit_outfile *o)
{
    int e = errno;
    if (o->f && !o->is_stdout)
        fclose(o->f);
    o->f = NULL;
    if (o->tmp) {
        unlink(o->tmp);
        guard_drop(o);
        free(o->tmp);
        o->tmp = NULL;
    }
    free(o->path);
    o->path = NULL;
    o->sealed = 0;
    o->error = e;
}

clinit_status clinit_outfile_create(clinit_outfile *o, const char *path,
                                    uint64_t expected)
{
    struct stat sb;
    int exists = 0, e;
    o->guard = -1;
    o->expected = expected;
    o->wb_started = o->wb_waited = o->wb_mark = 0;
    if (clinit_outfile_is_stdout(path)) {
        o->f = stdout;
        o->is_stdout = 1;
        return CLINIT_OK;
    }
    if ((e = resolve(path, &o->path, &sb, &exists)) != 0) {
        o->error = e;
        return e == ENOMEM ? CLINIT_ENOMEM : CLINIT_EIO;
    }
    if (exists && S_ISDIR(sb.st_mode)) {
        e = EISDIR;
    } else if (exists && !S_ISREG(sb.st_mode)) {
        /* a device or a FIFO: nothing to replace, written in place */
        errno = 0;
        e = (o->f = fopen(o->path, "wb")) ? 0 : errno;
    } else {
        e = make_temp(o, &sb, exists);
    }
    if (e != 0) {
        free(o->path);
        o->path = NULL;
        o->error = e;
        return e == ENOMEM ? CLINIT_ENOMEM : CLINIT_EIO;
    }
    return CLINIT_OK;
}

clinit_status clinit_outfile_write(clinit_outfile *o, const void *data,
                                   uint64_t bytes)
{
    const unsigned char *p = data;
    while (bytes > 0) {
        size_t step = bytes < WRITE_STEP ? (size_t)bytes : WRITE_STEP;
        if (fwrite(p, 1, step, o->f) != step) {
            clinit_outfile_fail(o);
            return CLINIT_EIO;
        }
        p += step;
        bytes -= step;
    }
    return CLINIT_OK;
}

/* Every WRITEBACK_STEP data bytes of a temporary: starts the writeback
 * of what was written since the last step, waits for the step before and
 * drops it from the cache (Linux; elsewhere nothing: the final fsync
 * writes it all). Advisory: the calls' own errors are ignored (the final
 * fsync reports a failed write), but a failed flush is an error. Returns
 * 0 or an errno. */
static int writeback(clinit_outfile *o)
{
#if defined(__linux__) && defined(SYNC_FILE_RANGE_WRITE)
    off_t end;
    int fd;
    if (!o->tmp || o->written - o->wb_mark < WRITEBACK_STEP)
        return 0;
    errno = 0;
    if (fflush(o->f) != 0)
        return errno ? errno : EIO;
    fd = fileno(o->f);
    if ((end = lseek(fd, 0, SEEK_CUR)) < 0)
        return 0;
    (void)sync_file_range(fd, (off_t)o->wb_started, end - (off_t)o->wb_started,
                          SYNC_FILE_RANGE_WRITE);
    if (o->wb_waited < o->wb_started) {
        off_t at = (off_t)o->wb_waited;
        off_t len = (off_t)(o->wb_started - o->wb_waited);
        (void)sync_file_range(fd, at, len,
                              SYNC_FILE_RANGE_WAIT_BEFORE |
                                  SYNC_FILE_RANGE_WRITE |
                                  SYNC_FILE_RANGE_WAIT_AFTER);
        (void)posix_fadvise(fd, at, len, POSIX_FADV_DONTNEED);
    }
    o->wb_waited = o->wb_started;
    o->wb_started = (uint64_t)end;
    o->wb_mark = o->written;
#else
    (void)o;
#endif
    return 0;
}

clinit_status clinit_outfile_append(clinit_outfile *o, const void *data,
                                    uint64_t bytes)
{
    clinit_status st;
    int e;
    if (!o->f || (bytes > 0 && !data))
        return CLINIT_ENULL;
    if (bytes > o->expected - o->written) {
        clinit_outfile_fail(o);
        return CLINIT_ERANGE;
    }
    errno = 0;
    if ((st = clinit_outfile_write(o, data, bytes)) != CLINIT_OK)
        return st;
    o->written += bytes;
    if ((e = writeback(o)) != 0) {
        errno = e;
        clinit_outfile_fail(o);
        return CLINIT_EIO;
    }
    return CLINIT_OK;
}

/* fsync of the directory holding `path`, so that the rename is durable.
 * Best effort: some file systems refuse fsync on a directory. */
static void sync_dir(const char *path)
{
    size_t dl = dir_len(path);
    char *dir = dl ? dup_n(path, dl) : dup_n(".", 1);
    int fd;
    if (!dir)
        return;
    if ((fd = open(dir, O_RDONLY)) >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

clinit_status clinit_outfile_seal(clinit_outfile *o)
{
    int bad;
    if (!o->f)
        return CLINIT_ENULL;
    if (o->written != o->expected) {
        clinit_outfile_fail(o);
        return CLINIT_ERANGE;
    }
    errno = 0;
    bad = fflush(o->f) != 0 || ferror(o->f);
    if (o->is_stdout) {
        o->f = NULL;
        if (bad) {
            clinit_outfile_fail(o);
            return CLINIT_EIO;
        }
        o->sealed = 1;
        return CLINIT_OK;
    }
    if (!bad && o->tmp)
        bad = fsync(fileno(o->f)) != 0;
    if (fclose(o->f) != 0)
        bad = 1;
    o->f = NULL;
    if (bad) {
        clinit_outfile_fail(o);
        return CLINIT_EIO;
    }
    o->sealed = 1;
    return CLINIT_OK;
}

clinit_status clinit_outfile_publish(clinit_outfile *o)
{
    if (!o->sealed)
        return CLINIT_ENULL;
    o->sealed = 0;
    errno = 0;
    if (o->tmp && rename(o->tmp, o->path) != 0) {
        clinit_outfile_fail(o);
        return CLINIT_EIO;
    }
    if (o->tmp) {
        guard_drop(o); /* after the rename: the temporary is gone */
        sync_dir(o->path);
        free(o->tmp);
        o->tmp = NULL;
    }
    free(o->path);
    o->path = NULL;
    return CLINIT_OK;
}

clinit_status clinit_outfile_finish(clinit_outfile *o)
{
    clinit_status st = clinit_outfile_seal(o);
    return st == CLINIT_OK ? clinit_outfile_publish(o) : st;
}
