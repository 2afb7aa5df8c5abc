/*
 * What a routed client's extra wake-ups alone cost on this machine, with no server work.
 *
 *   direct   client ──▶ A ──▶ client                         a single-process server's round trip
 *   routed   client ──▶ A ──▶ M ──▶ B ──▶ client             a routed client's first round trip
 *                            └ asleep in sigsuspend, woken by the O_ASYNC RT signal (F_SETSIG)
 *                              of its channel, as mpserver's master; A and B sleep in epoll_wait
 *
 * Every hop is one byte over an AF_UNIX stream pair; each process is woken once per trip, nothing
 * else runs in it. So routed minus direct is what the extra processes cost on this machine, for any
 * implementation of the design. Measured on our 2-vCPU VMs (docs/benchmarks.md, fourth session):
 * the scheduler puts each woken process on the vCPU its waker is not on, so the routed chain's four
 * processes alternate over two vCPUs; with --cpu the same chain on one vCPU adds a third as much,
 * and with --master-wait epoll (a socket's "sync" wake-up instead of the signal) it adds as much as
 * with the signal: not the kind of wake-up, but where and between what processes it happens. `scripts/bench --only peers` prints the chain across vCPUs and
 * on one next to what routing adds to mpserver's route p99.
 *
 * Usage: wake_chain [--trips N] [--rate R] [--rounds K] [--cpu C] [--master-wait sigsuspend|epoll]
 *   --trips N        round trips per shape per round [2000]
 *   --rate R         trips per second, paced like the open loop (0: back to back) [1000]
 *   --rounds K       rounds; the shapes take turns within each round, so that both meet the same
 *                    machine [3]
 *   --cpu C          every process of the run, the client too, on CPU C only [any CPU]
 *   --master-wait W  how M sleeps: sigsuspend (the design) or epoll_wait [sigsuspend]
 * Prints key=value lines: direct_p50_us, direct_p99_us, routed_p50_us, routed_p99_us (over every
 * round) and p99_ratio. Exit: 0 measured, 2 bad command line, 3 could not run. Runs at most
 * 60 s; stops its children by pid.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_SECONDS 60
#define CHANNEL_SIGNAL (SIGRTMIN + 1)

static int64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void die(const char *what)
{
    fprintf(stderr, "wake_chain: %s: %s\n", what, strerror(errno));
    exit(3);
}

static void pair(int fds[2])
{
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
        die("socketpair");
}

/* A worker: asleep in epoll_wait until a byte comes in, then passes it on. Exits on EOF. */
static void relay_in_epoll(int in, int out)
{
    int ep = epoll_create1(0);
    struct epoll_event e = {.events = EPOLLIN, .data.fd = in};
    if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, in, &e) != 0)
        die("epoll");
    char b[64];
    for (;;) {
        struct epoll_event ev;
        if (epoll_wait(ep, &ev, 1, -1) < 1)
            continue;
        ssize_t n = read(in, b, sizeof b);
        if (n <= 0)
            _exit(0);
        if (write(out, b, (size_t)n) != n)
            _exit(1);
    }
}

static void on_channel(int signo, siginfo_t *info, void *context)
{
    (void)signo; (void)info; (void)context; /* records nothing: the loop reads the channel */
}

/* The master: asleep in sigsuspend; its channel raises CHANNEL_SIGNAL on every arrival. */
static void relay_in_sigsuspend(int in, int out)
{
    sigset_t channel, wait_mask;
    sigemptyset(&channel);
    sigaddset(&channel, CHANNEL_SIGNAL);
    sigprocmask(SIG_BLOCK, &channel, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_channel;
    sa.sa_flags = SA_SIGINFO;
    if (sigaction(CHANNEL_SIGNAL, &sa, NULL) != 0 || fcntl(in, F_SETOWN, getpid()) != 0
        || fcntl(in, F_SETSIG, CHANNEL_SIGNAL) != 0 || fcntl(in, F_SETFL, O_NONBLOCK | O_ASYNC) != 0)
        die("O_ASYNC channel");
    sigprocmask(SIG_SETMASK, NULL, &wait_mask);
    sigdelset(&wait_mask, CHANNEL_SIGNAL);
    const struct timespec zero = {0, 0};
    char b[64];
    for (;;) {
        sigsuspend(&wait_mask);
        while (sigtimedwait(&channel, NULL, &zero) > 0) {
        }
        for (;;) {
            ssize_t n = read(in, b, sizeof b);
            if (n == 0)
                _exit(0);
            if (n < 0)
                break;
            if (write(out, b, (size_t)n) != n)
                _exit(1);
        }
    }
}

static pid_t child(void)
{
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    return pid;
}

static int compare(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static double percentile_us(int64_t *sorted, int n, int per_mille)
{
    int at = (int)((int64_t)n * per_mille / 1000);
    return sorted[at < n ? at : n - 1] / 1000.0;
}

/* One shape: its processes, `trips` paced round trips into `out`, then its processes stopped by pid. */
static void run_shape(int routed, int master_in_epoll, int trips, int rate, int64_t deadline, int64_t *out)
{
    int to_a[2], a_out[2], m_out[2], to_client[2];
    pair(to_a);
    pair(to_client);
    pid_t pids[3];
    int count = 0;
    if (routed) {
        pair(a_out);
        pair(m_out);
        if ((pids[count++] = child()) == 0)
            relay_in_epoll(to_a[1], a_out[0]);
        if ((pids[count++] = child()) == 0) {
            if (master_in_epoll)
                relay_in_epoll(a_out[1], m_out[0]);
            else
                relay_in_sigsuspend(a_out[1], m_out[0]);
        }
        if ((pids[count++] = child()) == 0)
            relay_in_epoll(m_out[1], to_client[0]);
        close(a_out[0]); close(a_out[1]); close(m_out[0]); close(m_out[1]);
    } else if ((pids[count++] = child()) == 0) {
        relay_in_epoll(to_a[1], to_client[0]);
    }
    close(to_a[1]);
    close(to_client[0]);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event e = {.events = EPOLLIN, .data.fd = to_client[1]};
    if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, to_client[1], &e) != 0)
        die("epoll");
    struct timespec settle = {0, 50 * 1000 * 1000}; /* let the children reach their waits */
    nanosleep(&settle, NULL);
    const int64_t interval = rate > 0 ? 1000000000LL / rate : 0;
    int64_t due = now_ns();
    char b[64];
    for (int i = 0; i < trips; i++) {
        while (interval > 0 && now_ns() < due) {
            int64_t left = due - now_ns();
            struct timespec pause = {0, left > 0 ? left : 0};
            nanosleep(&pause, NULL);
        }
        due += interval;
        int64_t start = now_ns();
        if (write(to_a[0], "x", 1) != 1)
            die("write");
        struct epoll_event ev;
        int ready;
        while ((ready = epoll_wait(ep, &ev, 1, 1000)) == 0) {
            if (now_ns() > deadline) {
                fprintf(stderr, "wake_chain: no reply within the run's time limit\n");
                exit(3);
            }
        }
        if (ready < 0 || read(to_client[1], b, sizeof b) != 1)
            die("read");
        out[i] = now_ns() - start;
    }
    close(ep);
    close(to_a[0]); /* EOF: the chain's processes exit in turn */
    close(to_client[1]);
    for (int i = 0; i < count; i++) {
        kill(pids[i], SIGTERM);
        waitpid(pids[i], NULL, 0);
    }
}

int main(int argc, char **argv)
{
    int trips = 2000, rate = 1000, rounds = 3, cpu = -1, master_in_epoll = 0;
    for (int i = 1; i < argc; i++) {
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--trips") == 0 && value) { trips = atoi(value); i++; }
        else if (strcmp(argv[i], "--rate") == 0 && value) { rate = atoi(value); i++; }
        else if (strcmp(argv[i], "--rounds") == 0 && value) { rounds = atoi(value); i++; }
        else if (strcmp(argv[i], "--cpu") == 0 && value) { cpu = atoi(value); i++; }
        else if (strcmp(argv[i], "--master-wait") == 0 && value && strcmp(value, "epoll") == 0) { master_in_epoll = 1; i++; }
        else if (strcmp(argv[i], "--master-wait") == 0 && value && strcmp(value, "sigsuspend") == 0) { master_in_epoll = 0; i++; }
        else {
            fprintf(stderr, "usage: wake_chain [--trips N] [--rate R] [--rounds K] [--cpu C] [--master-wait sigsuspend|epoll]\n"
                            "  a single-process round trip (client, A) against a routed one (client, A, a master in\n"
                            "  sigsuspend woken by its channel's RT signal, B): what the extra wake-ups alone cost here;\n"
                            "  --cpu C runs every process on CPU C only, --master-wait epoll wakes the master by epoll\n");
            return 2;
        }
    }
    if (cpu < -1 || cpu >= CPU_SETSIZE) {
        fprintf(stderr, "wake_chain: --cpu 0..%d\n", CPU_SETSIZE - 1);
        return 2;
    }
    if (cpu >= 0) { /* inherited by every process the run forks */
        cpu_set_t only;
        CPU_ZERO(&only);
        CPU_SET(cpu, &only);
        if (sched_setaffinity(0, sizeof only, &only) != 0) {
            fprintf(stderr, "wake_chain: --cpu %d: %s\n", cpu, strerror(errno));
            return 2;
        }
    }
    if (trips < 100 || trips > 1000000 || rate < 0 || rounds < 1 || rounds > 100) {
        fprintf(stderr, "wake_chain: --trips 100..1000000, --rate >= 0, --rounds 1..100\n");
        return 2;
    }
    const int64_t deadline = now_ns() + MAX_SECONDS * 1000000000LL;
    const int total = trips * rounds;
    int64_t *direct = malloc(sizeof(int64_t) * (size_t)total);
    int64_t *routed = malloc(sizeof(int64_t) * (size_t)total);
    if (!direct || !routed)
        die("malloc");
    for (int r = 0; r < rounds; r++) {
        run_shape(0, master_in_epoll, trips, rate, deadline, direct + (size_t)r * trips);
        run_shape(1, master_in_epoll, trips, rate, deadline, routed + (size_t)r * trips);
    }
    qsort(direct, (size_t)total, sizeof(int64_t), compare);
    qsort(routed, (size_t)total, sizeof(int64_t), compare);
    const double direct_p99 = percentile_us(direct, total, 990), routed_p99 = percentile_us(routed, total, 990);
    printf("trips=%d\nrate=%d\nrounds=%d\ncpu=%d\nmaster_wait=%s\n", trips, rate, rounds, cpu,
           master_in_epoll ? "epoll" : "sigsuspend");
    printf("direct_p50_us=%.1f\ndirect_p99_us=%.1f\n", percentile_us(direct, total, 500), direct_p99);
    printf("routed_p50_us=%.1f\nrouted_p99_us=%.1f\n", percentile_us(routed, total, 500), routed_p99);
    printf("p99_ratio=%.2f\n", direct_p99 > 0 ? routed_p99 / direct_p99 : 0.0);
    return 0;
}
