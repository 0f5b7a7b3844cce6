/* init_mpi.c - the MPI calls of `mpirun clinit init`; see init_mpi.h. */
#define _XOPEN_SOURCE 700 /* open_memstream */

#include "init_mpi.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"

#ifdef CLINIT_HAVE_MPI
#include <mpi.h>
struct init_mpi_file {
    MPI_File fh;
};
#endif

/* Bytes of one MPI_File_write_at (its count is an int). */
#define MPI_STEP ((uint64_t)1 << 30)

/* The launcher's process count from the environment, 0 if none. */
static long launcher_size(int *launched)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"};
    *launched = getenv("PMIX_RANK") != NULL;
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (v) {
            *launched = 1;
            return strtol(v, NULL, 10);
        }
    }
    return 0;
}

int init_mpi_start(init_mpi *p)
{
    int launched;
    long n = launcher_size(&launched);
    memset(p, 0, sizeof *p);
    p->size = 1;
    if (!launched)
        return 0;
#ifdef CLINIT_HAVE_MPI
    if (MPI_Init(NULL, NULL) != MPI_SUCCESS)
        return cli_fail(EXIT_FAIL, "init: MPI_Init failed");
    p->on = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &p->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &p->size);
    if (p->size > 1 &&
        (p->err = open_memstream(&p->errbuf, &p->errlen)) != NULL) {
        p->saved_err = stderr;
        stderr = p->err; /* glibc's stderr is a variable; held back */
    }
    (void)n;
    return 0;
#else
    if (n > 1)
        return cli_fail(EXIT_FAIL,
                        "init: started by an MPI launcher with %ld processes, "
                        "but this clinit was built without MPI "
                        "(CLINIT_WITH_MPI, libopenmpi-dev)",
                        n);
    return 0;
#endif
}

int init_mpi_agree(init_mpi *p, int rc, int *bad, int *nbad)
{
    *bad = rc ? p->rank : -1;
    *nbad = rc != 0;
#ifdef CLINIT_HAVE_MPI
    if (p->on && p->size > 1) {
        int in[2] = {rc, rc ? -p->rank : -p->size}, out[2] = {0, 0};
        int cnt = rc != 0, tot = 0;
        /* max rc and max of -rank (the lowest failing rank) */
        if (MPI_Allreduce(in, out, 2, MPI_INT, MPI_MAX, MPI_COMM_WORLD) !=
                MPI_SUCCESS ||
            MPI_Allreduce(&cnt, &tot, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD) !=
                MPI_SUCCESS)
            return rc ? rc : EXIT_FAIL;
        *bad = -out[1] < p->size ? -out[1] : -1;
        *nbad = tot;
        return out[0];
    }
#endif
    return rc;
}

int init_mpi_bcast(init_mpi *p, void *buf, size_t bytes)
{
#ifdef CLINIT_HAVE_MPI
    if (p->on && p->size > 1)
        return MPI_Bcast(buf, (int)bytes, MPI_BYTE, 0, MPI_COMM_WORLD);
#endif
    (void)p;
    (void)buf;
    (void)bytes;
    return 0;
}

int init_mpi_sum_to_root(init_mpi *p, double *v, size_t n)
{
#ifdef CLINIT_HAVE_MPI
    if (p->on && p->size > 1)
        return MPI_Reduce(p->rank == 0 ? MPI_IN_PLACE : v, v, (int)n,
                          MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
#endif
    (void)p;
    (void)v;
    (void)n;
    return 0;
}

int init_mpi_open(init_mpi *p, const char *path, init_mpi_file **f)
{
    *f = NULL;
    (void)p; /* MPI_COMM_WORLD: every rank of the job */
#ifdef CLINIT_HAVE_MPI
    {
        init_mpi_file *nf = malloc(sizeof *nf);
        int e, ok;
        /* collective even when this rank is out of memory */
        e = MPI_File_open(MPI_COMM_WORLD, path, MPI_MODE_WRONLY, MPI_INFO_NULL,
                          nf ? &nf->fh : &(MPI_File){MPI_FILE_NULL});
        ok = e == MPI_SUCCESS && nf;
        if (!ok) {
            free(nf);
            return e != MPI_SUCCESS ? e : MPI_ERR_NO_MEM;
        }
        *f = nf;
        return 0;
    }
#else
    (void)path;
    return -1;
#endif
}

int init_mpi_write_at(init_mpi_file *f, uint64_t off, const void *data,
                      uint64_t bytes)
{
#ifdef CLINIT_HAVE_MPI
    const unsigned char *d = data;
    while (bytes > 0) {
        uint64_t step = bytes < MPI_STEP ? bytes : MPI_STEP;
        MPI_Status s;
        int e = MPI_File_write_at(f->fh, (MPI_Offset)off, d, (int)step,
                                  MPI_BYTE, &s),
            got = 0;
        if (e != MPI_SUCCESS)
            return e;
        MPI_Get_count(&s, MPI_BYTE, &got);
        if ((uint64_t)got != step)
            return MPI_ERR_IO;
        off += step;
        d += step;
        bytes -= step;
    }
    return 0;
#else
    (void)f;
    (void)off;
    (void)data;
    (void)bytes;
    return -1;
#endif
}

int init_mpi_close(init_mpi_file **f, int sync)
{
#ifdef CLINIT_HAVE_MPI
    int e = 0, e2;
    if (!*f)
        return 0;
    if (sync)
        e = MPI_File_sync((*f)->fh);
    e2 = MPI_File_close(&(*f)->fh);
    free(*f);
    *f = NULL;
    return e != MPI_SUCCESS ? e : e2;
#else
    (void)f;
    (void)sync;
    return 0;
#endif
}

const char *init_mpi_strerror(int code, char *buf, size_t cap)
{
#ifdef CLINIT_HAVE_MPI
    char t[MPI_MAX_ERROR_STRING];
    int len = 0;
    if (MPI_Error_string(code, t, &len) == MPI_SUCCESS) {
        snprintf(buf, cap, "%.*s", len, t);
        return buf;
    }
#endif
    snprintf(buf, cap, "MPI error %d", code);
    return buf;
}

void init_mpi_test_hook(const init_mpi *p)
{
    const char *v = getenv("CLINIT_TEST_KILL_RANK");
    if (v && *v && p->on && strtol(v, NULL, 10) == p->rank) {
        fflush(NULL);
        raise(SIGKILL);
    }
}

void init_mpi_report(init_mpi *p, int rc, int bad, int nbad)
{
    if (!p->saved_err)
        return;
    fflush(stderr);
    stderr = p->saved_err;
    p->saved_err = NULL;
    fclose(p->err);
    p->err = NULL;
    if (nbad == 0 && p->errbuf) /* warnings of a run that succeeded */
        fputs(p->errbuf, stderr);
    if (rc != 0 && nbad > 0 && (nbad < p->size || p->rank == 0)) {
        const char *s = p->errbuf ? p->errbuf : "";
        while (*s) {
            const char *nl = strchr(s, '\n');
            size_t len = nl ? (size_t)(nl - s) : strlen(s);
            if (strncmp(s, "clinit: ", 8) == 0 && len >= 8) {
                s += 8;
                len -= 8;
            }
            if (nbad < p->size)
                fprintf(stderr, "clinit: init: rank %d: %.*s\n", p->rank,
                        (int)len, s);
            else
                fprintf(stderr, "clinit: %.*s\n", (int)len, s);
            s += len + (nl != NULL);
        }
    }
    if (p->rank == 0 && nbad > 0 && bad != 0 && nbad < p->size)
        fprintf(stderr,
                "clinit: init: rank 0: stopped: rank %d failed; the output "
                "was not written (old files untouched)\n",
                bad);
    free(p->errbuf);
    p->errbuf = NULL;
    fflush(stderr);
}

void init_mpi_end(init_mpi *p)
{
#ifdef CLINIT_HAVE_MPI
    if (p->on)
        MPI_Finalize();
#endif
    p->on = 0;
}
