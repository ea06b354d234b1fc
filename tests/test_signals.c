/*
 * SIGINT and SIGTERM during long runs of the `plstar` command (PLSTAR_EXE):
 * the command stops within 2 s with exit status 130 (SIGINT) or 143 (SIGTERM)
 * and a message on stderr, and leaves no partial output and no temporary file.
 * `plstar train` stops between steps, writes complete outputs marked
 * "interrupted" and a checkpoint; resuming from it gives the same trajectory,
 * bit for bit, as a run that was never interrupted. A signal that lands while
 * an output is being written leaves either the complete file or none.
 * `plstar certify gd --path` stops after the step or iterate at hand and keeps
 * what it has proven: the report of the verified prefix, verdict "interrupted";
 * those tests watch its progress lines on a pseudo-terminal to signal it in the
 * phase they test, and one signals it at every moment and accepts only a
 * complete report, the verified prefix, or none.
 *
 * The problems are sized to run for many seconds (tens on a fast machine);
 * every run is stopped long before it would finish.
 *
 * Between exec and the handler's installation at the start of main (dynamic
 * loading, sanitizer start-up) a signal ends the process by its default action.
 * A test that needs the handler sends its signal only once /proc shows it
 * installed; the test that signals at arbitrary moments accepts that death only
 * when the handler was not installed yet, and then with no output and no
 * temporary file.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/npy.h"

static char dir[64];
static const char *exe;
static int single_thread; /* run the children with one OpenMP/OpenBLAS thread */

static char *path_of(const char *name)
{
    static char buf[4][640];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void sleep_s(double s)
{
    struct timespec t = {(time_t)s, (long)((s - floor(s)) * 1e9)};
    nanosleep(&t, NULL);
}

static void write_text(const char *name, const char *text)
{
    FILE *f = fopen(path_of(name), "w");
    cr_assert(f);
    fputs(text, f);
    fclose(f);
}

/* Deterministic inputs: X (n × d) and y (n). */
static void write_data(const char *xname, const char *yname, size_t n, size_t d)
{
    double *X = malloc(n * d * sizeof(double)), *y = malloc(n * sizeof(double));
    for (size_t k = 0; k < n * d; k++)
        X[k] = sin(0.7 * (double)k + 0.3);
    for (size_t i = 0; i < n; i++)
        y[i] = cos(1.3 * (double)i);
    cr_assert_eq(plstar_npy_write_matrix(path_of(xname), X, n, d), 0);
    if (yname)
        cr_assert_eq(plstar_npy_write_vector(path_of(yname), y, n), 0);
    free(X), free(y);
}

static void setup(void)
{
    exe = getenv("PLSTAR_EXE");
    cr_assert(exe, "PLSTAR_EXE must point at the plstar executable (set by meson test)");
    strcpy(dir, "/tmp/plstar-signals-XXXXXX");
    cr_assert(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(signals, .init = setup, .fini = teardown, .timeout = 300);

/* Starts `plstar ARGS...` in the scratch directory, stdout to /dev/null, stderr to err.txt. */
static pid_t spawn(const char *const *args)
{
    const char *argv[32];
    size_t k = 0;
    argv[k++] = exe;
    for (; args[k - 1] && k < 31; k++)
        argv[k] = args[k - 1];
    argv[k] = NULL;
    /* The child starts with SIGINT and SIGTERM at their defaults, whatever the
     * runner set: blocked across fork, so one sent before the reset waits for it. */
    sigset_t stop, before;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT), sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, &before);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        signal(SIGINT, SIG_DFL), signal(SIGTERM, SIG_DFL);
        pthread_sigmask(SIG_UNBLOCK, &stop, NULL);
        if (chdir(dir) != 0)
            _exit(127);
        int out = open("/dev/null", O_WRONLY), err = open("err.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(out, STDOUT_FILENO), dup2(err, STDERR_FILENO);
        if (single_thread)
            setenv("OMP_NUM_THREADS", "1", 1), setenv("OPENBLAS_NUM_THREADS", "1", 1);
        execv(exe, (char *const *)argv);
        _exit(127);
    }
    pthread_sigmask(SIG_SETMASK, &before, NULL);
    return pid;
}

/* 1 when `pid` runs the plstar executable and catches SIGINT and SIGTERM
 * (its handler is installed), from /proc; 0 before exec, before the handler,
 * and once it has ended. */
static int handler_installed(pid_t pid)
{
    char name[64], line[256];
    struct stat image, plstar;
    snprintf(name, sizeof name, "/proc/%d/exe", (int)pid);
    if (stat(name, &image) != 0 || stat(exe, &plstar) != 0 || image.st_dev != plstar.st_dev ||
        image.st_ino != plstar.st_ino)
        return 0;
    snprintf(name, sizeof name, "/proc/%d/status", (int)pid);
    FILE *f = fopen(name, "r");
    if (!f)
        return 0;
    unsigned long long caught = 0;
    while (fgets(line, sizeof line, f) && sscanf(line, "SigCgt: %llx", &caught) != 1)
        ;
    fclose(f);
    return (caught >> (SIGINT - 1) & 1) && (caught >> (SIGTERM - 1) & 1);
}

/* Waits up to `timeout` seconds; 1 and the status if the child ended. */
static int wait_for(pid_t pid, double timeout, int *status)
{
    double t0 = now();
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid)
            return 1;
        if (now() - t0 > timeout)
            return 0;
        sleep_s(0.005);
    }
}

/* Waits until `pid` has installed its signal handler: 0, or 1 and the status
 * if it ended first (then it is reaped and must not be signalled). */
static int await_handler(pid_t pid, int *status)
{
    double t0 = now();
    while (!handler_installed(pid)) {
        if (wait_for(pid, 0, status))
            return 1;
        cr_assert(now() - t0 < 120, "plstar did not install its signal handler within 120 s");
        sleep_s(0.001);
    }
    return 0;
}

static int exists(const char *name)
{
    struct stat s;
    return stat(path_of(name), &s) == 0;
}

/* Names of temporary files (NAME.tmp.XXXXXX) under the scratch directory, "" if none. */
static void temporaries(char *out, size_t cap)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "cd %s && find . -name '*.tmp.*'", dir);
    FILE *p = popen(cmd, "r");
    size_t got = fread(out, 1, cap - 1, p);
    out[got] = '\0';
    pclose(p);
}

static void read_file(const char *name, char *buf, size_t len)
{
    FILE *f = fopen(path_of(name), "r");
    cr_assert(f, "%s missing", name);
    size_t got = fread(buf, 1, len - 1, f);
    buf[got] = '\0';
    fclose(f);
}

/* The step a training checkpoint holds, −1 while there is none (checkpoints
 * are renamed into place, so a file that exists is complete). */
static double checkpoint_step(const char *name)
{
    plstar_array a;
    plstar_npy_init(&a);
    double step = -1;
    if (exists(name) && plstar_npy_read(&a, path_of(name)) == 0 && a.size > 2)
        step = a.data[2];
    plstar_npy_clear(&a);
    return step;
}

/* Sends `sig` after `delay` seconds — counted from the moment the handler is
 * installed, or the checkpoint `ready` holds step `ready_step` or later, when
 * given — and asserts the exit within 2 s with 128 + sig and a message naming
 * the interruption. */
static void interrupt_at(const char *const *args, int sig, double delay, const char *ready, double ready_step,
                         const char *message)
{
    pid_t pid = spawn(args);
    double t0 = now();
    int status, ended = await_handler(pid, &status);
    if (ready && !ended)
        while (checkpoint_step(ready) < ready_step && now() - t0 < 120 && !(ended = wait_for(pid, 0, &status)))
            sleep_s(0.005);
    if (!ended) {
        sleep_s(delay);
        ended = wait_for(pid, 0, &status);
    }
    cr_assert(!ended, "%s finished before the signal (exit %d); enlarge the problem", args[0],
              WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    double t1 = now();
    kill(pid, sig);
    int done = wait_for(pid, 2.0, &status);
    double stopped_after = now() - t1;
    if (!done) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
    }
    cr_assert(done, "plstar %s did not stop within 2 s of signal %d", args[0], sig);
    char err[4096];
    read_file("err.txt", err, sizeof err);
    cr_assert(WIFEXITED(status), "plstar %s was killed by signal %d instead of exiting", args[0],
              WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    cr_assert_eq(WEXITSTATUS(status), 128 + sig, "plstar %s: exit %d after signal %d; stderr: %s", args[0],
                 WEXITSTATUS(status), sig, err);
    cr_assert(strstr(err, message), "plstar %s: message '%s' expected on stderr: %s", args[0], message, err);
    char tmp[2048];
    temporaries(tmp, sizeof tmp);
    cr_assert_str_empty(tmp, "temporary files left: %s", tmp);
    cr_log_info("plstar %s stopped %.3f s after signal %d\n", args[0], stopped_after, sig);
}

static void interrupt(const char *const *args, int sig, double delay, const char *message)
{
    interrupt_at(args, sig, delay, NULL, 0, message);
}

/* A reference kernel / certificate / cross-check that runs for tens of seconds. */
static void big_problem(void)
{
    write_text("m.json", "{\"model\": \"mlp\", \"input_dim\": 8, \"widths\": [1024, 1024], \"activation\": \"tanh\", \"outputs\": 1, \"output_activation\": \"linear\", \"scaling\": \"ntk\", \"bias\": false}");
    write_data("X.npy", "y.npy", 400, 8);
}

Test(signals, kernel_sigint)
{
    big_problem();
    const char *args[] = {"kernel", "--model", "m.json", "--data", "X.npy", "--seed", "1", "--impl", "reference",
                          "--out", "K.npy", NULL};
    interrupt(args, SIGINT, 0.7, "interrupted");
    cr_assert(!exists("K.npy") && !exists("K.rad.npy"), "no partial output");
}

Test(signals, kernel_sigterm)
{
    big_problem();
    const char *args[] = {"kernel", "--model", "m.json", "--data", "X.npy", "--seed", "1", "--impl", "reference",
                          "--out", "K.npy", NULL};
    interrupt(args, SIGTERM, 0.7, "interrupted");
    cr_assert(!exists("K.npy") && !exists("K.rad.npy"), "no partial output");
}

Test(signals, certify_sigint)
{
    big_problem();
    const char *args[] = {"certify", "point", "--model", "m.json", "--data", "X.npy", "--seed", "1", "--labels",
                          "y.npy", "--json", "c.json", "--witness", "ystar.npy", NULL};
    interrupt(args, SIGINT, 0.7, "interrupted");
    cr_assert(!exists("c.json") && !exists("ystar.npy"), "no partial output");
}

Test(signals, certify_and_crosscheck_sigterm)
{
    big_problem();
    const char *args[] = {"certify", "point", "--model", "m.json", "--data", "X.npy", "--seed", "1", "--json",
                          "c.json", NULL};
    interrupt(args, SIGTERM, 0.7, "interrupted");
    cr_assert(!exists("c.json"), "no partial output");
    const char *cc[] = {"crosscheck", "--model", "m.json", "--data", "X.npy", "--seed", "1", "--labels", "y.npy",
                        "--json", "cc.json", NULL};
    interrupt(cc, SIGTERM, 0.7, "interrupted");
    cr_assert(!exists("cc.json"), "no partial output");
}

/* Training of about 0.5 ms of CPU a step. */
static void train_problem(void)
{
    write_text("m.json", "{\"model\": \"mlp\", \"input_dim\": 8, \"widths\": [128, 128], \"activation\": \"tanh\", \"outputs\": 1, \"output_activation\": \"linear\", \"scaling\": \"ntk\", \"bias\": false}");
    write_data("X.npy", "y.npy", 64, 8);
}

static void check_interrupted_outputs(const char *run)
{
    char name[128], json[1 << 16];
    static const char *const files[] = {"trajectory.json", "trajectory.npy", "w_final.npy", "checkpoint.npy"};
    for (size_t k = 0; k < 4; k++) {
        snprintf(name, sizeof name, "%s/%s", run, files[k]);
        cr_assert(exists(name), "%s missing after the interruption", name);
    }
    snprintf(name, sizeof name, "%s/trajectory.json", run);
    read_file(name, json, sizeof json);
    cr_assert(strstr(json, "\"interrupted\": true"), "trajectory.json must say it was interrupted");
}

Test(signals, train_sigint_and_sigterm)
{
    train_problem();
    const char *args[] = {"train", "--model", "m.json", "--data", "X.npy", "--seed", "1", "--labels", "y.npy",
                          "--lr", "0.01", "--steps", "1000000", "--checkpoint-every", "5", "--out", "run", NULL};
    interrupt_at(args, SIGINT, 0.1, "run/checkpoint.npy", 10, "interrupted at step");
    check_interrupted_outputs("run");
    const char *args2[] = {"train", "--model", "m.json", "--data", "X.npy", "--seed", "1", "--labels", "y.npy",
                           "--lr", "0.01", "--steps", "1000000", "--out", "run2", NULL};
    interrupt(args2, SIGTERM, 0.8, "interrupted at step");
    check_interrupted_outputs("run2");
}

static void *slurp(const char *name, size_t *len)
{
    FILE *f = fopen(path_of(name), "rb");
    cr_assert(f, "%s missing", name);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    void *buf = malloc(*len + 1);
    cr_assert_eq(fread(buf, 1, *len, f), *len);
    fclose(f);
    return buf;
}

static void assert_same_file(const char *a, const char *b)
{
    size_t la, lb;
    void *x = slurp(a, &la), *y = slurp(b, &lb);
    cr_assert(la == lb && memcmp(x, y, la) == 0, "%s and %s differ", a, b);
    free(x), free(y);
}

static int run_to_end(const char *const *args)
{
    pid_t pid = spawn(args);
    int status;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* SIGINT in the middle of `plstar train`, then --resume: the same trajectory
 * and final weights, bit for bit, as a run never interrupted (GD and SGD). */
Test(signals, train_resumed_after_sigint_equals_uninterrupted)
{
    train_problem();
    single_thread = 1; /* small matrices: threads would only compete for the cores */
    for (int sgd = 0; sgd < 2; sgd++) {
        /* GD recording every 7th step, SGD with batches of 16 recording every step */
        const char *batch = sgd ? "--batch" : "--record-every";
        const char *bval = sgd ? "16" : "7";
        const char *full[] = {"train", "--model", "m.json", "--data", "X.npy", "--seed", "1", "--labels", "y.npy",
                              "--lr", "0.01", "--steps", "2000", batch, bval, "--lambda-min", "--out", "full", NULL};
        cr_assert_eq(run_to_end(full), 0);
        /* stopped once the checkpoint of step 50 is on disk, about 1950 steps before the end */
        const char *cut[] = {"train", "--model", "m.json", "--data", "X.npy", "--seed", "1", "--labels", "y.npy",
                             "--lr", "0.01", "--steps", "2000", batch, bval, "--lambda-min", "--checkpoint-every",
                             "50", "--out", "cut", NULL};
        interrupt_at(cut, SIGINT, 0, "cut/checkpoint.npy", 50, "interrupted at step");
        check_interrupted_outputs("cut");
        double stopped = checkpoint_step("cut/checkpoint.npy");
        cr_assert(stopped >= 50 && stopped < 2000, "stopped at step %g", stopped);
        cr_log_info("%s run interrupted at step %g of 2000\n", sgd ? "SGD" : "GD", stopped);
        const char *resume[] = {"train", "--model", "m.json", "--data", "X.npy", "--seed", "1", "--labels",
                                "y.npy", "--lr", "0.01", "--steps", "2000", batch, bval, "--lambda-min", "--resume",
                                "cut/checkpoint.npy", "--out", "resumed", NULL};
        cr_assert_eq(run_to_end(resume), 0);
        assert_same_file("full/trajectory.npy", "resumed/trajectory.npy");
        assert_same_file("full/w_final.npy", "resumed/w_final.npy");
        char cmd[256];
        snprintf(cmd, sizeof cmd, "rm -rf %s/full %s/cut %s/resumed", dir, dir, dir);
        cr_assert_eq(system(cmd), 0);
    }
}

/* SIGINT `delay` seconds into a run of `args` (counted from the handler's
 * installation when `after_handler`, else from the spawn) and checks what it
 * leaves: the complete 2000 × 2000 K.npy after exit 0 or 130 (the signal came
 * after the rename), none after exit 130, and none after death by SIGINT —
 * accepted only when the handler was not installed when the signal was sent.
 * Never a temporary file. Returns 'c' (complete), 'a' (absent) or 'k' (killed
 * before the handler). */
static char kernel_cut(const char *const *args, double delay, int after_handler)
{
    pid_t pid = spawn(args);
    int status, ended = after_handler && await_handler(pid, &status), installed = 1;
    if (!ended) {
        sleep_s(delay);
        installed = handler_installed(pid);
        kill(pid, SIGINT);
        cr_assert(wait_for(pid, 2.0, &status), "no exit within 2 s of SIGINT");
    }
    char tmp[2048];
    temporaries(tmp, sizeof tmp);
    cr_assert_str_empty(tmp, "temporary files left: %s", tmp);
    if (WIFSIGNALED(status)) {
        cr_assert(!installed && WTERMSIG(status) == SIGINT,
                  "killed by signal %d with the handler installed", WTERMSIG(status));
        cr_assert(!exists("K.npy") && !exists("K.rad.npy"), "an output exists before the handler was installed");
        return 'k';
    }
    cr_assert(WIFEXITED(status));
    int code = WEXITSTATUS(status);
    cr_assert(code == 0 || code == 130, "exit %d", code);
    if (!exists("K.npy")) {
        cr_assert_eq(code, 130, "exit 0 without the output");
        return 'a';
    }
    plstar_array K;
    plstar_npy_init(&K);
    cr_assert_eq(plstar_npy_read(&K, path_of("K.npy")), 0, "K.npy must be complete");
    cr_assert(K.ndim == 2 && K.shape[0] == 2000 && K.shape[1] == 2000);
    plstar_npy_clear(&K);
    unlink(path_of("K.npy"));
    return 'c';
}

/* Signals at many moments of a short run that writes a 32 MB kernel: at its
 * start (before or after the handler), then from the handler's installation
 * to after the end. Every run ends with the complete file or with none. */
Test(signals, an_output_is_complete_or_absent)
{
    write_text("m.json", "{\"model\": \"mlp\", \"input_dim\": 8, \"widths\": [64], \"activation\": \"tanh\", \"outputs\": 1, \"output_activation\": \"linear\", \"scaling\": \"ntk\", \"bias\": false}");
    write_data("X.npy", NULL, 2000, 8);
    const char *args[] = {"kernel", "--model", "m.json", "--data", "X.npy", "--seed", "1", "--out", "K.npy", NULL};
    /* how long an undisturbed run takes once its handler is installed */
    pid_t pid = spawn(args);
    int status;
    cr_assert(!await_handler(pid, &status), "plstar kernel ended before installing its handler");
    double t0 = now();
    cr_assert(wait_for(pid, 300, &status) && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    double T = now() - t0;
    unlink(path_of("K.npy"));
    int count[3] = {0}; /* complete, absent, killed before the handler */
    for (int k = -1; k < 9; k++) {
        char outcome = k < 0 ? kernel_cut(args, 0, 0) : kernel_cut(args, T * 0.15 * k, 1);
        count[outcome == 'c' ? 0 : outcome == 'a' ? 1 : 2]++;
    }
    cr_log_info("signal during a kernel run: %d complete outputs, %d absent, %d before the handler\n", count[0],
                count[1], count[2]);
    cr_assert(count[1] > 0, "no signal reached the handler during the computation: nothing was tested");
}

/* ---- the path certificate keeps what it has proven -------------------------------------- */

#include <jansson.h>
#include "examples/demo_example.h"

/* A path certificate of about 0.05 s a trained step and 0.1 s a verified iterate: 100 samples,
 * one hidden layer of 64 tanh units (P = 320 >= N = 100). */
static void path_problem(void)
{
    write_text("m.json", "{\"model\": \"mlp\", \"input_dim\": 4, \"widths\": [64], \"activation\": \"tanh\", \"outputs\": 1, \"output_activation\": \"linear\", \"scaling\": \"ntk\", \"bias\": false}");
    enum { n = 100, d = 4 };
    double X[n * d], y[n];
    plstar_demo_sphere_data(X, n, d, 7); /* in general position: K(w0) is well conditioned */
    for (size_t i = 0; i < n; i++)
        y[i] = sin(3 * X[i * d]);
    cr_assert_eq(plstar_npy_write_matrix(path_of("X.npy"), X, n, d), 0);
    cr_assert_eq(plstar_npy_write_vector(path_of("y.npy"), y, n), 0);
}

/* Like spawn, with stderr on a pseudo-terminal (its master in *master, non-blocking), so that the
 * progress lines are written, from the first update on (PLSTAR_PROGRESS_DELAY=0). */
static pid_t spawn_on_terminal(const char *const *args, int *master)
{
    *master = posix_openpt(O_RDWR | O_NOCTTY);
    cr_assert(*master >= 0 && grantpt(*master) == 0 && unlockpt(*master) == 0, "no pseudo-terminal");
    const char *slave = ptsname(*master);
    cr_assert(slave);
    const char *argv[32];
    size_t k = 0;
    argv[k++] = exe;
    for (; args[k - 1] && k < 31; k++)
        argv[k] = args[k - 1];
    argv[k] = NULL;
    sigset_t stop, before;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT), sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, &before);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        signal(SIGINT, SIG_DFL), signal(SIGTERM, SIG_DFL);
        pthread_sigmask(SIG_UNBLOCK, &stop, NULL);
        int tty = open(slave, O_RDWR | O_NOCTTY), out = open("/dev/null", O_WRONLY);
        if (tty < 0 || chdir(dir) != 0)
            _exit(127);
        dup2(out, STDOUT_FILENO), dup2(tty, STDERR_FILENO);
        setenv("PLSTAR_PROGRESS_DELAY", "0", 1);
        unsetenv("PLSTAR_PROGRESS");
        setenv("OMP_NUM_THREADS", "1", 1), setenv("OPENBLAS_NUM_THREADS", "1", 1);
        execv(exe, (char *const *)argv);
        _exit(127);
    }
    pthread_sigmask(SIG_SETMASK, &before, NULL);
    fcntl(*master, F_SETFL, fcntl(*master, F_GETFL) | O_NONBLOCK);
    return pid;
}

/* Appends what the terminal has to buf (len so far in *len). */
static void read_terminal(int master, char *buf, size_t cap, size_t *len)
{
    ssize_t r;
    while (*len + 1 < cap && (r = read(master, buf + *len, cap - 1 - *len)) > 0)
        *len += (size_t)r;
    buf[*len] = '\0';
}

/* The count of the last progress line "LABEL: K/..." on the terminal, or −1 before one. */
static long progress_count(const char *buf, const char *label)
{
    const char *at = NULL, *p = buf;
    while ((p = strstr(p, label)))
        at = p, p += strlen(label);
    return at ? strtol(at + strlen(label), NULL, 10) : -1;
}

/* Reads the terminal until the progress "LABEL: K/..." shows K >= least (then 1 and K in
 * *count), or the child ends (0; it is reaped, *status holds its status). */
static int await_progress(pid_t pid, int master, char *buf, size_t cap, size_t *len, const char *label, long least,
                          long *count, int *status)
{
    double t0 = now();
    for (;;) {
        read_terminal(master, buf, cap, len);
        if ((*count = progress_count(buf, label)) >= least)
            return 1;
        if (wait_for(pid, 0, status))
            return 0;
        cr_assert(now() - t0 < 240, "no progress '%s' within 240 s: %s", label, buf);
        sleep_s(0.002);
    }
}

static json_t *load_json(const char *name)
{
    json_error_t err;
    json_t *r = json_load_file(path_of(name), 0, &err);
    cr_assert(r, "%s: %s", name, err.text);
    return r;
}

static long jint(const json_t *o, const char *key) { return (long)json_integer_value(json_object_get(o, key)); }
static const char *jstr(const json_t *o, const char *key) { return json_string_value(json_object_get(o, key)); }

/* check_report on a report (PLSTAR_CHECK_REPORT, set by meson test): no violation. */
static void assert_schema(const char *name)
{
    const char *checker = getenv("PLSTAR_CHECK_REPORT"), *src = getenv("PLSTAR_SOURCE_ROOT");
    cr_assert(checker && src, "PLSTAR_CHECK_REPORT and PLSTAR_SOURCE_ROOT must be set (meson test sets them)");
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s --theory %s/docs/theory.md %s", checker, src, path_of(name));
    cr_assert_eq(system(cmd), 0, "%s breaks the report schema", name);
}

/* A report of `steps` asked with --record-every 1 is complete (every step verified, a verdict of
 * the statement) or the verified prefix of an interrupted run, consistent in itself; returns 1
 * for a prefix. */
static int check_path_report(const char *name, long steps)
{
    assert_schema(name);
    json_t *r = load_json(name);
    const char *verdict = jstr(r, "verdict");
    json_t *traj = json_object_get(r, "trajectory");
    long rows = (long)json_array_size(traj);
    long last = jint(json_array_get(traj, (size_t)(rows - 1)), "step");
    int prefix = !strcmp(verdict, "interrupted");
    if (prefix) {
        json_t *cut = json_object_get(r, "interrupted");
        long t = jint(cut, "last_verified_step");
        cr_assert(t >= 0 && t < steps, "the prefix ends at step %ld of %ld", t, steps);
        cr_assert_eq(jint(cut, "records_verified"), t + 1, "one record per step up to the prefix's end");
        cr_assert(rows == t + 1 && last == t, "the trajectory is the prefix: %ld rows, last step %ld", rows, last);
        cr_assert_eq(jint(r, "steps"), t);
        cr_assert(jint(cut, "steps_asked") == steps && jint(cut, "records_trained") >= t + 1);
        const char *pv = jstr(cut, "prefix_verdict");
        cr_assert(!strcmp(pv, "certified") || !strcmp(pv, "refuted") || !strcmp(pv, "inconclusive"), "%s", pv);
        cr_assert(json_object_get(r, "reason"), "an interrupted report says why it is not a certificate");
    } else {
        cr_assert(!strcmp(verdict, "certified") || !strcmp(verdict, "refuted") || !strcmp(verdict, "inconclusive"),
                  "verdict %s", verdict);
        cr_assert(rows == steps + 1 && last == steps, "a complete report verifies every step: %ld rows", rows);
    }
    json_decref(r);
    return prefix;
}

/* SIGINT (or SIGTERM) once the verification shows its first iterates verified: exit 130 (143),
 * and the report of the verified prefix — at least the iterates the progress line counted,
 * verdict "interrupted", its prefix certified — and no temporary file. */
static void path_interrupted_in_verification(int sig)
{
    path_problem();
    const char *args[] = {"certify", "gd", "--path", "--model", "m.json", "--data", "X.npy", "--seed", "1",
                          "--labels", "y.npy", "--steps", "100", "--record-every", "1", "--json", "path.json", NULL};
    int master, status;
    pid_t pid = spawn_on_terminal(args, &master);
    static char term[1 << 20];
    size_t len = 0;
    long verified;
    cr_assert(!await_handler(pid, &status), "plstar ended before installing its handler");
    int running = await_progress(pid, master, term, sizeof term, &len, "certify gd: verifying: ", 1, &verified,
                                 &status);
    cr_assert(running, "the run ended before verifying an iterate (exit %d); enlarge the problem",
              WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    kill(pid, sig);
    int done = wait_for(pid, 10.0, &status); /* it stops after the iterate being verified */
    if (!done)
        kill(pid, SIGKILL), waitpid(pid, &status, 0);
    read_terminal(master, term, sizeof term, &len);
    close(master);
    cr_assert(done, "no exit within 10 s of signal %d", sig);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 128 + sig, "exit %d after signal %d: %s",
              WIFEXITED(status) ? WEXITSTATUS(status) : -1, sig, term);
    cr_assert(strstr(term, "interrupted") && strstr(term, "path.json"), "stderr names the prefix report: %s", term);
    char tmp[2048];
    temporaries(tmp, sizeof tmp);
    cr_assert_str_empty(tmp, "temporary files left: %s", tmp);
    cr_assert(check_path_report("path.json", 100), "the report is the verified prefix");
    json_t *r = load_json("path.json");
    json_t *cut = json_object_get(r, "interrupted");
    cr_assert_str_eq(jstr(cut, "phase"), "verification");
    cr_assert_str_eq(jstr(cut, "signal"), sig == SIGINT ? "SIGINT" : "SIGTERM");
    cr_assert(jint(cut, "records_verified") >= verified, "%ld iterates verified, the progress showed %ld",
              jint(cut, "records_verified"), verified);
    cr_assert_str_eq(jstr(cut, "prefix_verdict"), "certified", "what was proven up to the cut is kept");
    cr_assert_str_neq(jstr(r, "verdict"), "certified");
    json_decref(r);
}

Test(signals, path_sigint_keeps_the_verified_prefix) { path_interrupted_in_verification(SIGINT); }
Test(signals, path_sigterm_keeps_the_verified_prefix) { path_interrupted_in_verification(SIGTERM); }

/* SIGTERM during the training (its progress line shown): exit 143 and a prefix of w0 alone —
 * nothing after it was verified — marked interrupted in the training. */
Test(signals, path_sigterm_in_training_reports_w0)
{
    path_problem();
    const char *args[] = {"certify", "gd", "--path", "--model", "m.json", "--data", "X.npy", "--seed", "1",
                          "--labels", "y.npy", "--steps", "2000", "--record-every", "1", "--json", "path.json", NULL};
    int master, status;
    pid_t pid = spawn_on_terminal(args, &master);
    static char term[1 << 20];
    size_t len = 0;
    long trained;
    cr_assert(!await_handler(pid, &status), "plstar ended before installing its handler");
    cr_assert(await_progress(pid, master, term, sizeof term, &len, "certify gd: training: ", 2, &trained, &status),
              "the run ended before training two steps");
    kill(pid, SIGTERM);
    int done = wait_for(pid, 10.0, &status);
    if (!done)
        kill(pid, SIGKILL), waitpid(pid, &status, 0);
    close(master);
    cr_assert(done && WIFEXITED(status) && WEXITSTATUS(status) == 143, "exit %d",
              WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    cr_assert(check_path_report("path.json", 2000));
    json_t *r = load_json("path.json");
    json_t *cut = json_object_get(r, "interrupted");
    cr_assert_str_eq(jstr(cut, "phase"), "training");
    cr_assert(jint(cut, "last_verified_step") == 0 && jint(cut, "steps_trained") >= trained,
              "w0 verified, %ld steps trained (the progress showed %ld)", jint(cut, "steps_trained"), trained);
    json_decref(r);
}

/* SIGINT at many moments of a short path certificate, from its start (before the handler may be
 * installed) to after its end. Whatever the moment: no temporary file; exit 0, 1 or 2 with the
 * complete report, or 130 with no report, the complete one, or the verified prefix — never a
 * report that claims more than was verified; death by the signal only before the handler. */
Test(signals, path_report_is_complete_or_a_verified_prefix_at_every_moment)
{
    path_problem();
    const char *args[] = {"certify", "gd", "--path", "--model", "m.json", "--data", "X.npy", "--seed", "1",
                          "--labels", "y.npy", "--steps", "20", "--record-every", "1", "--json", "path.json", NULL};
    single_thread = 1;
    pid_t pid = spawn(args);
    int status;
    cr_assert(!await_handler(pid, &status), "plstar ended before installing its handler");
    double t0 = now();
    cr_assert(wait_for(pid, 300, &status) && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    double T = now() - t0;
    int count[4] = {0}; /* complete, prefix, none, killed before the handler */
    for (int k = -1; k < 10; k++) {
        unlink(path_of("path.json"));
        pid = spawn(args);
        int installed = 1, ended = k >= 0 && await_handler(pid, &status);
        if (!ended) {
            sleep_s(k < 0 ? 0 : T * 0.12 * k);
            installed = handler_installed(pid);
            kill(pid, SIGINT);
            cr_assert(wait_for(pid, 10.0, &status), "no exit within 10 s of SIGINT");
        }
        char tmp[2048];
        temporaries(tmp, sizeof tmp);
        cr_assert_str_empty(tmp, "temporary files left: %s", tmp);
        if (WIFSIGNALED(status)) {
            cr_assert(!installed && WTERMSIG(status) == SIGINT, "killed by signal %d with the handler installed",
                      WTERMSIG(status));
            cr_assert(!exists("path.json"));
            count[3]++;
            continue;
        }
        int code = WEXITSTATUS(status);
        cr_assert(code <= 2 || code == 130, "exit %d", code);
        if (!exists("path.json")) {
            cr_assert_eq(code, 130, "exit %d without the report", code);
            count[2]++;
            continue;
        }
        int prefix = check_path_report("path.json", 20);
        cr_assert(!prefix || code == 130, "a prefix report after exit %d", code);
        count[prefix ? 1 : 0]++;
    }
    cr_log_info("signal during a path certificate: %d complete reports, %d prefixes, %d none, %d before the "
                "handler\n", count[0], count[1], count[2], count[3]);
}
