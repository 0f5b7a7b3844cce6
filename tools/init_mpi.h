/* init_mpi.h - `mpirun -np N clinit init`: the few MPI calls the init
 * command makes, behind functions that also build without MPI
 * (CLINIT_HAVE_MPI undefined: one process, and a job started by a
 * launcher with more than one process is refused). Not installed.
 *
 * MPI is initialized only when the environment shows a launcher
 * (OMPI_COMM_WORLD_SIZE, PMI_SIZE or PMIX_RANK set), so a plain
 * `clinit init` never needs an MPI runtime. Under a launcher with N > 1
 * processes this rank's error messages are held back (stderr goes to a
 * buffer) and printed by init_mpi_report with "clinit: init: rank R: " in
 * front, after every rank has said whether it failed.
 */
#ifndef CLINIT_INIT_MPI_H
#define CLINIT_INIT_MPI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct init_mpi_file init_mpi_file;

typedef struct init_mpi {
    int on;                /* MPI initialized */
    int rank, size;        /* 0 and 1 without MPI */
    int agreed;            /* the command's first agreement was made */
    FILE *err, *saved_err; /* the held-back stderr and the real one */
    char *errbuf;
    size_t errlen;
} init_mpi;

/* Starts MPI when launched (see above). Returns 0, or an exit status
 * after printing why (a launcher's N > 1 without MPI support, or
 * MPI_Init failed). */
int init_mpi_start(init_mpi *p);

/* The status every rank agrees on after each rank's own rc (0: it
 * succeeded): the largest rc; *bad gets the lowest failing rank (-1 if
 * none), *nbad the number of failing ranks. A collective call: every rank
 * makes it, failed or not. Without MPI: rc itself. */
int init_mpi_agree(init_mpi *p, int rc, int *bad, int *nbad);

/* Broadcasts `bytes` bytes at buf from rank 0. Returns 0, or an MPI error
 * code. */
int init_mpi_bcast(init_mpi *p, void *buf, size_t bytes);

/* Sums v[0..n) over the ranks into rank 0's v (others keep theirs).
 * Returns 0, or an MPI error code. */
int init_mpi_sum_to_root(init_mpi *p, double *v, size_t n);

/* Opens the existing file `path` for writing on every rank (collective;
 * MPI-IO). Returns 0 and *f, or an MPI error code (*f NULL). */
int init_mpi_open(init_mpi *p, const char *path, init_mpi_file **f);

/* Writes `bytes` bytes at byte offset `off` (independent MPI_File_write_at
 * calls in steps of at most 1 GiB). Returns 0, or an MPI error code. */
int init_mpi_write_at(init_mpi_file *f, uint64_t off, const void *data,
                      uint64_t bytes);

/* MPI_File_sync (when sync != 0: not for a device or a FIFO, which
 * cannot be synced) and MPI_File_close; collective: every rank that
 * opened calls it, also after a failed write. Accepts NULL *f. Returns 0,
 * or an MPI error code. */
int init_mpi_close(init_mpi_file **f, int sync);

/* The text of an MPI error code into buf. */
const char *init_mpi_strerror(int code, char *buf, size_t cap);

/* The test hook: when $CLINIT_TEST_KILL_RANK is this rank's number the
 * process kills itself with SIGKILL here (after writing its part, before
 * the ranks agree), as a crashed node would. For tests only
 * (tests/test_mpi.py); unset, nothing happens. */
void init_mpi_test_hook(const init_mpi *p);

/* After the last agreement: puts stderr back and prints this rank's
 * held-back messages, each line as "clinit: init: rank R: ...", when this
 * rank failed (rc != 0) and not every rank did; when every rank failed
 * only rank 0 prints, without the prefix (the same spec error N times
 * says nothing more). When others failed and this is rank 0 and it did
 * not, prints "clinit: init: rank 0: stopped: rank B failed; nothing was
 * written". No-op without MPI or with one process. */
void init_mpi_report(init_mpi *p, int rc, int bad, int nbad);

/* MPI_Finalize when started. */
void init_mpi_end(init_mpi *p);

#endif /* CLINIT_INIT_MPI_H */
