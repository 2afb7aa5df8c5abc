/*
 * The independent client of `scripts/bench`: one thread, one epoll set, plain C, no JIT and nothing
 * shared with loadgen, so that a figure measured with it cannot be an artefact of our own client.
 * The bench compiles it with `cc -O2` beside epoll_server.c and runs it next to loadgen on the same
 * server in the same run.
 *
 * What a connection does (README "Client protocol", the same bytes as loadgen):
 *
 *   connect -> 'C' id:int32 LE + 'M' "client, ping message!\0" in ONE write -> reply
 *           -> 'M' ... one at a time, each after the previous reply, K messages in all
 *           -> (--identify) 'I' -> 17-byte reply: the pid of the worker that served it
 *           -> close
 *
 * Shard ids: random from --seed over [0, --shards) (default), or range:A-B (connection n uses
 * A + n mod (B - A + 1)), or none: no 'C' is sent (the server serves the client where it was accepted).
 *
 * Each connection ends exactly one way:
 *   ok          everything asked for was answered; the client closed
 *   shed        the server sent 'E' code ... (counted by code; not a failure)
 *   failed      by kind: refused (connect refused), reset (ECONNRESET/EPIPE), closed (EOF before
 *               done, no 'E'), timeout (no progress for --timeout while waiting for the server),
 *               garbage (bytes that are not the reply asked for), other (any other errno)
 *               and by phase: connect, route (first reply not yet in), message, identify
 *   cut_off     still open when --duration ran out
 *   not_started never started before --duration ran out
 *
 * Load shapes:
 *   closed loop (no --rate): at most --concurrency connections open at once (default: all of
 *     --conns at once); a connection that ends makes room for the next.
 *   open loop (--rate R): connection n is due at n/R s after the start, whatever the server does.
 *     Latencies "from intended" count from that due time, as wrk2 does, so a server (or client)
 *     stall shows in full instead of hiding behind connections that started late (no coordinated
 *     omission). A timerfd wakes the loop at each due time (microsecond precision); connections
 *     that are overdue start at once, at most MAX_STARTS_PER_TURN per loop turn.
 *
 * Latencies (nanoseconds internally, printed in microseconds), each in a log-linear histogram with
 * 64 sub-buckets per power of two (relative error below 1.6 %; values under 128 ns exact):
 *   connect              connect() called -> connected
 *   route                'C' + first 'M' written -> first reply (loadgen's "route")
 *   route_from_intended  the connection's intended start (open loop: its due time; closed loop:
 *                        when it was started) -> first reply: connect + route + any client lag
 *   message              each 'M' after the first: written -> its reply
 *
 * Routing check (--identify): each client's 'I' names the worker pid that served it. A shard
 * answered by several workers over the run may simply have moved once its clients had gone
 * (shards_on_several_workers); it is split only if two of its clients were in different workers
 * at the same time, first reply -> 'I' answered (split_shards: must be 0; routing_correct=1 iff 0). Not
 * from connect: until its first reply a client may wait in the backlog or cross the master, in no
 * worker yet, and a shard moves freely once empty (a worker takes it where its next client lands).
 *
 * Rates: msgs_per_s and conns_per_s over the whole run; conns_per_s_90 = 90 % of --conns over the
 * time until that many connections had ended ok (-1 if fewer did): a burst's throughput without its
 * tail. Output: one key=value per line on stdout, nothing else (errors on stderr).
 *
 * Loopback only: --host must be in 127.0.0.0/8. Bounded: --duration (hard stop) and --timeout.
 * Exit: 0 the run was carried out (whatever its outcomes), 2 bad command line, 3 the run could not
 * be carried out (e.g. no epoll).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define NANOS_PER_SECOND 1000000000ULL
#define NANOS_PER_MILLI 1000000ULL
#define MAX_EVENTS 512
/* Starts per loop turn: a big batch must not starve the connections already open (loadgen: 256). */
#define MAX_STARTS_PER_TURN 256
#define TIMEOUT_SCAN_NANOS (50 * NANOS_PER_MILLI)
/* File descriptors kept back from RLIMIT_NOFILE for stdio, epoll and the timerfd. */
#define RESERVED_FDS 16
#define TIMER_TAG UINT32_MAX

/* ---- wire protocol (README "Client protocol"; protocol/wire/WireProtocol.java) ---- */
static const char MESSAGE_FRAME[] = "Mclient, ping message!"; /* + its '\0': 23 bytes, as loadgen */
#define MESSAGE_FRAME_LENGTH (sizeof MESSAGE_FRAME)
#define CONTROL_FRAME_LENGTH 5
static const char PING_REPLY[] = "hello, server ping!"; /* + its '\0': 20 bytes */
#define PING_REPLY_LENGTH (sizeof PING_REPLY)
#define IDENTIFY_REPLY_LENGTH 17
#define IDENTIFY_PID_OFFSET 1
#define IDENTIFY_SHARD_OFFSET 9
#define ERROR_CODES 256
#define KNOWN_ERROR_CODES 5
#define NO_SHARD (-1)

/* ---- log-linear histogram ---- */
#define SUB_BUCKET_BITS 7
#define SUB_BUCKETS (1 << SUB_BUCKET_BITS)  /* 128: values below are exact */
#define HALF_SUB_BUCKETS (SUB_BUCKETS / 2)  /* 64 sub-buckets per power of two above */
#define BUCKETS (SUB_BUCKETS + (64 - SUB_BUCKET_BITS) * HALF_SUB_BUCKETS)

struct histogram {
    uint64_t counts[BUCKETS];
    uint64_t total;
    uint64_t max;
};

static int bucket_of(uint64_t value)
{
    if (value < SUB_BUCKETS)
        return (int)value;
    int msb = 63 - __builtin_clzll(value);
    int shift = msb - (SUB_BUCKET_BITS - 1);
    return SUB_BUCKETS + (shift - 1) * HALF_SUB_BUCKETS + (int)((value >> shift) - HALF_SUB_BUCKETS);
}

/* The highest value that falls in the bucket (as HdrHistogram reports a percentile). */
static uint64_t bucket_highest(int bucket)
{
    if (bucket < SUB_BUCKETS)
        return (uint64_t)bucket;
    int shift = (bucket - SUB_BUCKETS) / HALF_SUB_BUCKETS + 1;
    uint64_t sub = (uint64_t)((bucket - SUB_BUCKETS) % HALF_SUB_BUCKETS + HALF_SUB_BUCKETS);
    return ((sub + 1) << shift) - 1;
}

static void record(struct histogram *h, int64_t nanos)
{
    uint64_t value = nanos < 0 ? 0 : (uint64_t)nanos;
    h->counts[bucket_of(value)]++;
    h->total++;
    if (value > h->max)
        h->max = value;
}

static uint64_t percentile(const struct histogram *h, double p)
{
    if (h->total == 0)
        return 0;
    uint64_t rank = (uint64_t)((p / 100.0) * (double)h->total + 0.5);
    if (rank < 1)
        rank = 1;
    uint64_t seen = 0;
    for (int b = 0; b < BUCKETS; b++) {
        seen += h->counts[b];
        if (seen >= rank) {
            uint64_t highest = bucket_highest(b);
            return highest < h->max ? highest : h->max;
        }
    }
    return h->max;
}

/* ---- options ---- */
enum ids_mode { IDS_RANDOM, IDS_RANGE, IDS_NONE };
#define MAX_SHARD_ID 9999999 /* ids index the routing check's table */

struct options {
    struct in_addr host;
    int port;
    uint64_t conns;
    uint32_t msgs;
    uint64_t concurrency; /* 0: closed loop all at once; open loop only the fd limit */
    double rate;          /* connections per second; 0: closed loop */
    enum ids_mode ids;
    uint32_t shards;
    uint32_t range_first; /* --ids range:A-B: connection n uses A + n mod (B - A + 1) */
    uint32_t range_last;
    uint64_t seed;
    int identify;
    double duration_s;
    double timeout_s;
};

/* ---- connections ---- */
enum phase { PHASE_CONNECT, PHASE_ROUTE, PHASE_MESSAGE, PHASE_IDENTIFY, PHASES };
static const char *const PHASE_NAMES[PHASES] = {"connect", "route", "message", "identify"};

enum failure { FAIL_REFUSED, FAIL_RESET, FAIL_CLOSED, FAIL_TIMEOUT, FAIL_GARBAGE, FAIL_OTHER, FAILURES };
static const char *const FAILURE_NAMES[FAILURES] = {"refused", "reset", "closed", "timeout", "garbage", "other"};

#define IN_CAPACITY 32  /* the longest reply awaited: 20 bytes; or 'E' + code */
#define OUT_CAPACITY 32 /* the longest frame sent: 'C' id + 'M' ... '\0' = 28 bytes */

struct conn {
    int fd;              /* -1: the slot is free */
    uint8_t phase;
    uint8_t in_len;
    uint8_t out_len;
    uint8_t out_sent;
    int32_t shard;
    uint32_t replies;
    uint64_t intended;   /* due time (open loop) or start time (closed loop) */
    uint64_t connect_at; /* connect() called */
    uint64_t connected_at;
    uint64_t served_at;  /* first reply read: from then on in the worker that answers its 'I' */
    uint64_t sent_at;    /* last frame written in full */
    uint64_t progress_at;
    uint8_t in[IN_CAPACITY];
    uint8_t out[OUT_CAPACITY];
};

/* One client's 'I' answer and when it was surely in that worker: first reply -> 'I' replied. */
struct identified_client {
    int32_t shard;
    int32_t pid;
    uint64_t start;
    uint64_t end;
};
/* The routing check keeps at most this many clients' answers (24 bytes each). */
#define MAX_IDENTIFIED_CLIENTS 10000000ULL

/* ---- the run ---- */
struct run {
    struct options opt;
    int epfd;
    int timerfd;
    uint64_t timer_armed_at; /* 0: not armed */
    struct conn *slots;
    uint32_t *free_slots;
    uint32_t slot_count;
    uint32_t free_count;
    uint64_t cap;
    uint64_t start;
    uint64_t deadline;
    uint64_t next;        /* index of the next connection to start */
    uint64_t last_start;  /* ns after start of the latest start */
    uint64_t rng;
    /* shard -> pid of the first worker that answered 'I' (0: none yet); shards seen on several */
    int32_t *shard_pid;
    uint8_t *shard_moved;
    struct identified_client *identified_clients;
    uint64_t identified_capacity;
    uint64_t identified_kept;
    int32_t pids[64];
    int pid_count;
    /* outcomes */
    uint64_t started, connected, ok, shed, failed, cut_off;
    uint64_t failures[PHASES][FAILURES];
    uint64_t shed_by_code[ERROR_CODES];
    uint64_t shed_by_phase[PHASES];
    uint64_t msgs_sent, replies, identified, identify_mismatch, several_workers;
    uint64_t ok_target_90;
    uint64_t done90_at;   /* ns after start when ok reached ok_target_90; 0: not (yet) */
    int last_other_errno;
    struct histogram connect, route, route_from_intended, message;
};

static uint64_t now_nanos(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * NANOS_PER_SECOND + (uint64_t)ts.tv_nsec;
}

/* splitmix64: small, seedable, good enough to spread shard ids. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static void put_int32_le(uint8_t *at, int32_t value)
{
    uint32_t v = (uint32_t)value;
    at[0] = (uint8_t)v;
    at[1] = (uint8_t)(v >> 8);
    at[2] = (uint8_t)(v >> 16);
    at[3] = (uint8_t)(v >> 24);
}

static int32_t get_int32_le(const uint8_t *at)
{
    return (int32_t)((uint32_t)at[0] | (uint32_t)at[1] << 8 | (uint32_t)at[2] << 16 | (uint32_t)at[3] << 24);
}

static void release(struct run *r, struct conn *c)
{
    if (c->fd >= 0) {
        /* close() drops the fd from the epoll set too (no dup of it exists). */
        close(c->fd);
        c->fd = -1;
    }
    r->free_slots[r->free_count++] = (uint32_t)(c - r->slots);
}

static void fail(struct run *r, struct conn *c, enum failure kind, int err)
{
    r->failed++;
    r->failures[c->phase][kind]++;
    if (kind == FAIL_OTHER)
        r->last_other_errno = err;
    release(r, c);
}

static enum failure failure_of(int err)
{
    switch (err) {
    case ECONNREFUSED:
        return FAIL_REFUSED;
    case ECONNRESET:
    case EPIPE:
        return FAIL_RESET;
    case ETIMEDOUT:
        return FAIL_TIMEOUT;
    default:
        return FAIL_OTHER;
    }
}

static void succeed(struct run *r, struct conn *c, uint64_t now)
{
    r->ok++;
    if (r->ok == r->ok_target_90 && r->done90_at == 0)
        r->done90_at = now - r->start;
    release(r, c);
}

/* Writes what c->out holds from c->out_sent on; arms EPOLLOUT if the socket is full. -1: ended. */
static int flush_out(struct run *r, struct conn *c, uint64_t now)
{
    while (c->out_sent < c->out_len) {
        ssize_t n = send(c->fd, c->out + c->out_sent, (size_t)(c->out_len - c->out_sent), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN) {
                struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.u32 = (uint32_t)(c - r->slots)};
                if (epoll_ctl(r->epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0) {
                    fail(r, c, FAIL_OTHER, errno);
                    return -1;
                }
                return 0;
            }
            fail(r, c, failure_of(errno), errno);
            return -1;
        }
        c->out_sent = (uint8_t)(c->out_sent + n);
    }
    c->sent_at = now;
    return 0;
}

static int send_frame(struct run *r, struct conn *c, const void *frame, size_t length, uint64_t now)
{
    memcpy(c->out, frame, length);
    c->out_len = (uint8_t)length;
    c->out_sent = 0;
    return flush_out(r, c, now);
}

static int send_message(struct run *r, struct conn *c, uint64_t now)
{
    r->msgs_sent++;
    c->phase = PHASE_MESSAGE;
    return send_frame(r, c, MESSAGE_FRAME, MESSAGE_FRAME_LENGTH, now);
}

static void on_connected(struct run *r, struct conn *c, uint64_t now)
{
    r->connected++;
    record(&r->connect, (int64_t)(now - c->connect_at));
    c->connected_at = now;
    c->progress_at = now;
    c->phase = PHASE_ROUTE;
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)(c - r->slots)};
    if (epoll_ctl(r->epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0) {
        fail(r, c, FAIL_OTHER, errno);
        return;
    }
    uint8_t frame[CONTROL_FRAME_LENGTH + MESSAGE_FRAME_LENGTH];
    size_t length = 0;
    if (c->shard != NO_SHARD) {
        frame[0] = 'C';
        put_int32_le(frame + 1, c->shard);
        length = CONTROL_FRAME_LENGTH;
    }
    memcpy(frame + length, MESSAGE_FRAME, MESSAGE_FRAME_LENGTH);
    length += MESSAGE_FRAME_LENGTH;
    r->msgs_sent++;
    send_frame(r, c, frame, length, now);
}

static void start_connection(struct run *r, uint64_t intended, uint64_t now)
{
    struct conn *c = &r->slots[r->free_slots[--r->free_count]];
    uint64_t index = r->next++;
    memset(c, 0, sizeof *c);
    c->fd = -1;
    c->phase = PHASE_CONNECT;
    c->intended = intended;
    c->connect_at = now;
    c->progress_at = now;
    switch (r->opt.ids) {
    case IDS_NONE:
        c->shard = NO_SHARD;
        break;
    case IDS_RANGE:
        c->shard = (int32_t)(r->opt.range_first + index % (r->opt.range_last - r->opt.range_first + 1));
        break;
    default:
        c->shard = (int32_t)(next_random(&r->rng) % r->opt.shards);
        break;
    }
    r->started++;
    r->last_start = now - r->start;

    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        fail(r, c, FAIL_OTHER, errno);
        return;
    }
    c->fd = fd;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); /* as loadgen; best effort */
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)r->opt.port), .sin_addr = r->opt.host};
    int connected = connect(fd, (struct sockaddr *)&address, sizeof address) == 0;
    if (!connected && errno != EINPROGRESS) {
        fail(r, c, failure_of(errno), errno);
        return;
    }
    struct epoll_event ev = {.events = connected ? EPOLLIN : EPOLLOUT, .data.u32 = (uint32_t)(c - r->slots)};
    if (epoll_ctl(r->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
        fail(r, c, FAIL_OTHER, errno);
        return;
    }
    if (connected)
        on_connected(r, c, now);
}

static void finish_connect(struct run *r, struct conn *c, uint64_t now)
{
    int err = 0;
    socklen_t length = sizeof err;
    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &length) < 0)
        err = errno;
    if (err != 0) {
        fail(r, c, failure_of(err), err);
        return;
    }
    on_connected(r, c, now);
}

static void on_identified(struct run *r, struct conn *c, uint64_t now)
{
    r->identified++;
    int32_t pid = get_int32_le(c->in + IDENTIFY_PID_OFFSET);
    int32_t shard = get_int32_le(c->in + IDENTIFY_SHARD_OFFSET);
    int known = 0;
    for (int i = 0; i < r->pid_count; i++)
        known |= r->pids[i] == pid;
    if (!known && r->pid_count < (int)(sizeof r->pids / sizeof r->pids[0]))
        r->pids[r->pid_count++] = pid;
    if (c->shard == NO_SHARD)
        return;
    if (shard != c->shard)
        r->identify_mismatch++;
    if (r->shard_pid[c->shard] == 0) {
        r->shard_pid[c->shard] = pid;
    } else if (r->shard_pid[c->shard] != pid && !r->shard_moved[c->shard]) {
        r->shard_moved[c->shard] = 1;
        r->several_workers++;
    }
    if (r->identified_kept < r->identified_capacity) {
        r->identified_clients[r->identified_kept++] =
            (struct identified_client){.shard = c->shard, .pid = pid, .start = c->served_at, .end = now};
    }
}

static int by_shard_then_start(const void *a, const void *b)
{
    const struct identified_client *x = a, *y = b;
    if (x->shard != y->shard)
        return x->shard < y->shard ? -1 : 1;
    return x->start < y->start ? -1 : x->start > y->start;
}

/*
 * Shards whose clients were in two workers AT ONCE: the routing failure. A shard that is served by
 * one worker and later, once its clients have gone, by another has moved, not split. Per shard, in
 * order of connect time, keep the latest end of any client and the latest end among clients of any
 * other worker than that one: a client overlaps a client of another worker iff one of them ends
 * after it started.
 */
static uint64_t count_split_shards(struct run *r)
{
    qsort(r->identified_clients, r->identified_kept, sizeof *r->identified_clients, by_shard_then_start);
    uint64_t split = 0;
    for (uint64_t i = 0; i < r->identified_kept;) {
        int32_t shard = r->identified_clients[i].shard;
        int32_t top_pid = 0;
        uint64_t top_end = 0, other_end = 0;
        int overlapped = 0;
        for (; i < r->identified_kept && r->identified_clients[i].shard == shard; i++) {
            const struct identified_client *x = &r->identified_clients[i];
            if ((x->pid != top_pid && top_end > x->start) || (x->pid == top_pid && other_end > x->start))
                overlapped = 1;
            if (x->pid == top_pid) {
                if (x->end > top_end)
                    top_end = x->end;
            } else if (x->end > top_end) {
                other_end = top_end;
                top_pid = x->pid;
                top_end = x->end;
            } else if (x->end > other_end) {
                other_end = x->end;
            }
        }
        split += (uint64_t)overlapped;
    }
    return split;
}

/* A whole reply is in c->in: account for it and send what comes next. */
static void on_reply(struct run *r, struct conn *c, uint64_t now)
{
    c->progress_at = now;
    if (c->phase == PHASE_IDENTIFY) {
        on_identified(r, c, now);
        succeed(r, c, now);
        return;
    }
    r->replies++;
    c->replies++;
    if (c->phase == PHASE_ROUTE) {
        c->served_at = now;
        record(&r->route, (int64_t)(now - c->sent_at));
        record(&r->route_from_intended, (int64_t)(now - c->intended));
    } else {
        record(&r->message, (int64_t)(now - c->sent_at));
    }
    if (c->replies < r->opt.msgs) {
        send_message(r, c, now);
    } else if (r->opt.identify) {
        c->phase = PHASE_IDENTIFY;
        send_frame(r, c, "I", 1, now);
    } else {
        succeed(r, c, now);
    }
}

/* Consumes received bytes; -1 if the connection ended. */
static int consume(struct run *r, struct conn *c, const uint8_t *bytes, size_t length, uint64_t now)
{
    size_t at = 0;
    while (at < length) {
        if (c->in_len == 0 && bytes[at] == 'E') {
            /* 'E' code text '\0': the code is all the bench needs; the server closes next. */
            if (at + 1 >= length) {
                c->in[c->in_len++] = 'E';
                return 0;
            }
            r->shed++;
            r->shed_by_code[bytes[at + 1]]++;
            r->shed_by_phase[c->phase]++;
            release(r, c);
            return -1;
        }
        if (c->in_len == 1 && c->in[0] == 'E') {
            r->shed++;
            r->shed_by_code[bytes[at]]++;
            r->shed_by_phase[c->phase]++;
            release(r, c);
            return -1;
        }
        size_t expected = c->phase == PHASE_IDENTIFY ? IDENTIFY_REPLY_LENGTH : PING_REPLY_LENGTH;
        uint8_t first = c->phase == PHASE_IDENTIFY ? 'I' : (uint8_t)PING_REPLY[0];
        if (c->phase == PHASE_CONNECT || c->out_sent < c->out_len || (c->in_len == 0 && bytes[at] != first)) {
            /* A reply before the request was written in full, or one that is not the reply asked for. */
            fail(r, c, FAIL_GARBAGE, 0);
            return -1;
        }
        size_t take = expected - c->in_len;
        if (take > length - at)
            take = length - at;
        memcpy(c->in + c->in_len, bytes + at, take);
        c->in_len = (uint8_t)(c->in_len + take);
        at += take;
        if (c->in_len < expected)
            return 0;
        int valid = c->phase == PHASE_IDENTIFY ? c->in[0] == 'I' : memcmp(c->in, PING_REPLY, PING_REPLY_LENGTH) == 0;
        if (!valid) {
            fail(r, c, FAIL_GARBAGE, 0);
            return -1;
        }
        c->in_len = 0;
        uint32_t slot = (uint32_t)(c - r->slots);
        on_reply(r, c, now);
        if (r->slots[slot].fd < 0)
            return -1;
        if (at < length && bytes[at] != 'E') {
            /* One request is in flight at a time and it was written after these bytes arrived:
             * they are a reply nobody asked for. ('E' may follow a reply: the loop takes it.) */
            fail(r, c, FAIL_GARBAGE, 0);
            return -1;
        }
    }
    return 0;
}

static void on_readable(struct run *r, struct conn *c, uint64_t now)
{
    uint8_t buffer[4096];
    for (;;) {
        ssize_t n = recv(c->fd, buffer, sizeof buffer, 0);
        if (n > 0) {
            if (consume(r, c, buffer, (size_t)n, now) < 0 || (size_t)n < sizeof buffer)
                return;
            continue;
        }
        if (n == 0) {
            if (c->in_len == 1 && c->in[0] == 'E') {
                /* 'E' and then EOF before its code byte: shed, code unknown. */
                r->shed++;
                r->shed_by_code[0]++;
                r->shed_by_phase[c->phase]++;
                release(r, c);
                return;
            }
            fail(r, c, FAIL_CLOSED, 0); /* before a reply, or in the middle of one: closed either way */
            return;
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN)
            fail(r, c, failure_of(errno), errno);
        return;
    }
}

static void on_event(struct run *r, const struct epoll_event *ev, uint64_t now)
{
    struct conn *c = &r->slots[ev->data.u32];
    if (c->fd < 0)
        return;
    if (c->phase == PHASE_CONNECT) {
        finish_connect(r, c, now);
        return;
    }
    if ((ev->events & EPOLLOUT) && c->out_sent < c->out_len) {
        if (flush_out(r, c, now) < 0)
            return;
        if (c->out_sent == c->out_len) {
            struct epoll_event in = {.events = EPOLLIN, .data.u32 = ev->data.u32};
            if (epoll_ctl(r->epfd, EPOLL_CTL_MOD, c->fd, &in) < 0) {
                fail(r, c, FAIL_OTHER, errno);
                return;
            }
        }
    }
    if (ev->events & (EPOLLIN | EPOLLHUP | EPOLLERR))
        on_readable(r, c, now);
}

static uint64_t due_time(const struct run *r, uint64_t index)
{
    return r->start + (uint64_t)((double)index * (double)NANOS_PER_SECOND / r->opt.rate);
}

/* The next connection may start now: it is due (open loop) and there is room for it. */
static int can_start(const struct run *r, uint64_t now)
{
    return r->next < r->opt.conns && r->free_count > 0 && r->started - (r->ok + r->shed + r->failed) < r->cap
           && (r->opt.rate <= 0 || due_time(r, r->next) <= now);
}

/* Starts the connections that are due (open loop) or have room (closed loop), a bounded batch. */
static void start_due(struct run *r, uint64_t now)
{
    for (int starts = 0; starts < MAX_STARTS_PER_TURN && can_start(r, now); starts++)
        start_connection(r, r->opt.rate > 0 ? due_time(r, r->next) : now, now);
}

/* Open loop: the timerfd fires when the next connection is due. */
static void arm_timer(struct run *r, uint64_t now)
{
    if (r->opt.rate <= 0 || r->next >= r->opt.conns)
        return;
    uint64_t due = due_time(r, r->next);
    if (due <= now || due == r->timer_armed_at)
        return;
    struct itimerspec spec = {.it_value = {.tv_sec = (time_t)(due / NANOS_PER_SECOND), .tv_nsec = (long)(due % NANOS_PER_SECOND)}};
    if (timerfd_settime(r->timerfd, TFD_TIMER_ABSTIME, &spec, NULL) == 0)
        r->timer_armed_at = due;
}

static void scan_timeouts(struct run *r, uint64_t now)
{
    uint64_t limit = (uint64_t)(r->opt.timeout_s * (double)NANOS_PER_SECOND);
    for (uint32_t i = 0; i < r->slot_count; i++) {
        struct conn *c = &r->slots[i];
        if (c->fd >= 0 && now - c->progress_at > limit)
            fail(r, c, FAIL_TIMEOUT, 0);
    }
}

static int open_connections(const struct run *r)
{
    return r->started > r->ok + r->shed + r->failed;
}

static void print_histogram(const char *name, const struct histogram *h)
{
    static const double PERCENTILES[] = {50, 90, 99, 99.9};
    static const char *const NAMES[] = {"p50", "p90", "p99", "p999"};
    printf("%s_count=%" PRIu64 "\n", name, h->total);
    for (size_t i = 0; i < sizeof PERCENTILES / sizeof PERCENTILES[0]; i++)
        printf("%s_%s_us=%.1f\n", name, NAMES[i], (double)percentile(h, PERCENTILES[i]) / 1e3);
    printf("%s_max_us=%.1f\n", name, (double)h->max / 1e3);
}

static void report(struct run *r, uint64_t elapsed)
{
    const struct options *o = &r->opt;
    double seconds = (double)elapsed / 1e9;
    printf("client=epoll_client\n");
    printf("mode=%s\n", o->rate > 0 ? "open" : "closed");
    printf("conns=%" PRIu64 "\nmsgs=%u\n", o->conns, o->msgs);
    printf("concurrency=%" PRIu64 "\n", r->cap);
    printf("rate=%.1f\n", o->rate);
    if (o->ids == IDS_RANGE)
        printf("ids=range:%u-%u\n", o->range_first, o->range_last);
    else
        printf("ids=%s\n", o->ids == IDS_NONE ? "none" : "random");
    printf("shards=%u\nseed=%" PRIu64 "\nidentify=%d\n", o->shards, o->seed, o->identify);
    printf("duration_s=%.3f\ntimeout_s=%.3f\n", o->duration_s, o->timeout_s);
    printf("started=%" PRIu64 "\nconnected=%" PRIu64 "\n", r->started, r->connected);
    printf("ok=%" PRIu64 "\nshed=%" PRIu64 "\nfailed=%" PRIu64 "\n", r->ok, r->shed, r->failed);
    printf("cut_off=%" PRIu64 "\nnot_started=%" PRIu64 "\n", r->cut_off, o->conns - r->started);
    for (int k = 0; k < FAILURES; k++) {
        uint64_t sum = 0;
        for (int p = 0; p < PHASES; p++)
            sum += r->failures[p][k];
        printf("failed_%s=%" PRIu64 "\n", FAILURE_NAMES[k], sum);
    }
    for (int p = 0; p < PHASES; p++) {
        uint64_t sum = 0;
        for (int k = 0; k < FAILURES; k++)
            sum += r->failures[p][k];
        printf("failed_in_%s=%" PRIu64 "\n", PHASE_NAMES[p], sum);
    }
    if (r->last_other_errno != 0)
        printf("failed_other_last_error=%s\n", strerror(r->last_other_errno));
    uint64_t unknown = 0;
    for (int code = 0; code < ERROR_CODES; code++) {
        if (code >= 1 && code <= KNOWN_ERROR_CODES)
            printf("shed_e%d=%" PRIu64 "\n", code, r->shed_by_code[code]);
        else
            unknown += r->shed_by_code[code];
    }
    printf("shed_e_other=%" PRIu64 "\n", unknown);
    for (int p = 0; p < PHASES; p++)
        printf("shed_in_%s=%" PRIu64 "\n", PHASE_NAMES[p], r->shed_by_phase[p]);
    printf("msgs_sent=%" PRIu64 "\nreplies=%" PRIu64 "\n", r->msgs_sent, r->replies);
    printf("elapsed_s=%.6f\n", seconds);
    printf("msgs_per_s=%.1f\n", seconds > 0 ? (double)r->replies / seconds : 0.0);
    printf("conns_per_s=%.1f\n", seconds > 0 ? (double)r->ok / seconds : 0.0);
    if (r->done90_at > 0) {
        printf("done90_s=%.6f\n", (double)r->done90_at / 1e9);
        printf("conns_per_s_90=%.1f\n", (double)r->ok_target_90 / ((double)r->done90_at / 1e9));
    } else {
        printf("done90_s=-1\nconns_per_s_90=-1\n");
    }
    printf("achieved_rate=%.1f\n", r->started > 1 && r->last_start > 0 ? (double)(r->started - 1) / ((double)r->last_start / 1e9) : 0.0);
    print_histogram("connect", &r->connect);
    print_histogram("route", &r->route);
    print_histogram("route_from_intended", &r->route_from_intended);
    print_histogram("message", &r->message);
    if (o->identify) {
        printf("identified=%" PRIu64 "\nworkers_seen=%d\n", r->identified, r->pid_count);
        printf("pids=");
        for (int i = 0; i < r->pid_count; i++)
            printf("%s%d", i == 0 ? "" : ",", r->pids[i]);
        printf("\nshards_on_several_workers=%" PRIu64 "\n", r->several_workers);
        if (r->identified_kept == r->identified) {
            uint64_t split = count_split_shards(r);
            printf("split_shards=%" PRIu64 "\n", split);
            printf("routing_correct=%d\n", split == 0 && r->identify_mismatch == 0);
        } else {
            printf("split_shards=-1\nrouting_correct=-1\n"); /* more clients than the check keeps */
        }
        printf("identify_mismatch=%" PRIu64 "\n", r->identify_mismatch);
    }
    fflush(stdout);
}

static void usage(FILE *to)
{
    fprintf(to,
        "usage: epoll_client --port P [options]\n"
        "  The independent C client of scripts/bench (one thread, epoll). Each connection: 'C' id + first 'M'\n"
        "  in one write, then 'M' one at a time (each after the previous reply), K in all, optional 'I', close.\n"
        "  --host A          IPv4 address in 127.0.0.0/8 (loopback only) [127.0.0.1]\n"
        "  --port P          server port (required)\n"
        "  --conns N         connections in the run [1000]\n"
        "  --msgs K          messages per connection, one at a time [10]\n"
        "  --concurrency C   most connections open at once [closed loop: all of --conns; open loop: no cap]\n"
        "  --rate R          open loop: connection n is due at n/R s; latency from intended counts from then\n"
        "  --ids SPEC        random: random shard ids in [0, --shards); range:A-B: connection n uses A + n mod (B-A+1);\n"
        "                    none: no 'C' (served where accepted) [random]\n"
        "  --shards S        random ids are in [0, S) [100000]\n"
        "  --seed X          seed of the shard ids [1]\n"
        "  --identify        send 'I' after the last reply: the worker pids, shards served by several workers\n"
        "                    over the run, and shards split (clients in two workers at once: must be 0)\n"
        "  --duration D      hard stop, seconds: what is open then is cut off [60]\n"
        "  --timeout T       a connection without progress for T s while waiting for the server fails [10]\n"
        "  Prints key=value lines: outcomes (ok, shed by 'E' code, failed by kind and phase, cut off, not\n"
        "  started), rates (msgs/s, conns/s, conns/s until 90 %% ok), latency percentiles in microseconds.\n"
        "  Exit: 0 run carried out, 2 bad command line, 3 could not run.\n");
}

static int bad_option(const char *what)
{
    fprintf(stderr, "epoll_client: %s (see --help)\n", what);
    return 2;
}

static int parse_u64(const char *text, uint64_t min, uint64_t max, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || text[0] == '-' || value < min || value > max)
        return -1;
    *out = value;
    return 0;
}

static int parse_double(const char *text, double min, double max, double *out)
{
    char *end;
    errno = 0;
    double value = strtod(text, &end);
    if (errno != 0 || end == text || *end != '\0' || !(value >= min && value <= max))
        return -1;
    *out = value;
    return 0;
}

static int parse_options(int argc, char **argv, struct options *o)
{
    enum { O_HOST = 1, O_PORT, O_CONNS, O_MSGS, O_CONCURRENCY, O_RATE, O_IDS, O_SHARDS, O_SEED, O_IDENTIFY, O_DURATION, O_TIMEOUT, O_HELP };
    static const struct option LONG_OPTIONS[] = {
        {"host", required_argument, NULL, O_HOST}, {"port", required_argument, NULL, O_PORT},
        {"conns", required_argument, NULL, O_CONNS}, {"msgs", required_argument, NULL, O_MSGS},
        {"concurrency", required_argument, NULL, O_CONCURRENCY}, {"rate", required_argument, NULL, O_RATE},
        {"ids", required_argument, NULL, O_IDS}, {"shards", required_argument, NULL, O_SHARDS},
        {"seed", required_argument, NULL, O_SEED}, {"identify", no_argument, NULL, O_IDENTIFY},
        {"duration", required_argument, NULL, O_DURATION}, {"timeout", required_argument, NULL, O_TIMEOUT},
        {"help", no_argument, NULL, O_HELP}, {NULL, 0, NULL, 0}};
    *o = (struct options){.port = -1, .conns = 1000, .msgs = 10, .ids = IDS_RANDOM, .shards = 100000, .seed = 1,
                          .duration_s = 60, .timeout_s = 10};
    inet_pton(AF_INET, "127.0.0.1", &o->host);
    opterr = 0;
    int option;
    uint64_t value;
    while ((option = getopt_long(argc, argv, "", LONG_OPTIONS, NULL)) != -1) {
        switch (option) {
        case O_HOST:
            if (inet_pton(AF_INET, optarg, &o->host) != 1)
                return bad_option("--host must be an IPv4 address");
            if ((ntohl(o->host.s_addr) >> 24) != 127)
                return bad_option("--host must be a loopback address (127.0.0.0/8)");
            break;
        case O_PORT:
            if (parse_u64(optarg, 1, 65535, &value) < 0)
                return bad_option("--port must be 1..65535");
            o->port = (int)value;
            break;
        case O_CONNS:
            if (parse_u64(optarg, 1, 100000000, &o->conns) < 0)
                return bad_option("--conns must be 1..100000000");
            break;
        case O_MSGS:
            if (parse_u64(optarg, 1, 100000000, &value) < 0)
                return bad_option("--msgs must be 1..100000000");
            o->msgs = (uint32_t)value;
            break;
        case O_CONCURRENCY:
            if (parse_u64(optarg, 1, 100000000, &o->concurrency) < 0)
                return bad_option("--concurrency must be 1..100000000");
            break;
        case O_RATE:
            if (parse_double(optarg, 0.001, 10000000, &o->rate) < 0)
                return bad_option("--rate must be a number of connections per second, 0.001..10000000");
            break;
        case O_IDS:
            if (strcmp(optarg, "random") == 0) {
                o->ids = IDS_RANDOM;
            } else if (strcmp(optarg, "none") == 0) {
                o->ids = IDS_NONE;
            } else if (strncmp(optarg, "range:", 6) == 0) {
                unsigned first, last;
                char tail;
                if (sscanf(optarg + 6, "%u-%u%c", &first, &last, &tail) != 2 || first > last || last > MAX_SHARD_ID)
                    return bad_option("--ids range:A-B needs 0 <= A <= B <= 9999999");
                o->ids = IDS_RANGE;
                o->range_first = first;
                o->range_last = last;
            } else {
                return bad_option("--ids must be random, range:A-B or none");
            }
            break;
        case O_SHARDS:
            if (parse_u64(optarg, 1, MAX_SHARD_ID + 1, &value) < 0)
                return bad_option("--shards must be 1..10000000");
            o->shards = (uint32_t)value;
            break;
        case O_SEED:
            if (parse_u64(optarg, 0, UINT64_MAX, &o->seed) < 0)
                return bad_option("--seed must be a non-negative integer");
            break;
        case O_IDENTIFY:
            o->identify = 1;
            break;
        case O_DURATION:
            if (parse_double(optarg, 0.001, 86400, &o->duration_s) < 0)
                return bad_option("--duration must be 0.001..86400 seconds");
            break;
        case O_TIMEOUT:
            if (parse_double(optarg, 0.001, 86400, &o->timeout_s) < 0)
                return bad_option("--timeout must be 0.001..86400 seconds");
            break;
        case O_HELP:
            usage(stdout);
            exit(0);
        default:
            return bad_option(optind > 0 && optind <= argc ? "unknown option or missing value" : "bad command line");
        }
    }
    if (optind < argc)
        return bad_option("unexpected argument");
    if (o->port < 0)
        return bad_option("--port is required");
    return 0;
}

/* Raises the soft fd limit to the hard one; returns how many connections can be open at once. */
static uint64_t fd_room(void)
{
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) < 0)
        return 1024 - RESERVED_FDS;
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
        getrlimit(RLIMIT_NOFILE, &limit);
    }
    return limit.rlim_cur > RESERVED_FDS ? (uint64_t)limit.rlim_cur - RESERVED_FDS : 1;
}

int main(int argc, char **argv)
{
    static struct run r; /* large (histograms): static storage, zeroed */
    int status = parse_options(argc, argv, &r.opt);
    if (status != 0)
        return status;
    signal(SIGPIPE, SIG_IGN);

    uint64_t room = fd_room();
    uint64_t cap = r.opt.concurrency > 0 ? r.opt.concurrency : r.opt.conns;
    if (cap > r.opt.conns)
        cap = r.opt.conns;
    if (cap > room) {
        fprintf(stderr, "epoll_client: at most %" PRIu64 " connections open at once (RLIMIT_NOFILE)\n", room);
        cap = room;
    }
    r.cap = cap;
    r.slot_count = (uint32_t)cap;
    r.slots = calloc(r.slot_count, sizeof *r.slots);
    r.free_slots = calloc(r.slot_count, sizeof *r.free_slots);
    size_t shard_ids = r.opt.ids == IDS_RANGE ? (size_t)r.opt.range_last + 1 : r.opt.shards;
    r.shard_pid = r.opt.identify ? calloc(shard_ids, sizeof *r.shard_pid) : NULL;
    r.shard_moved = r.opt.identify ? calloc(shard_ids, 1) : NULL;
    r.identified_capacity = r.opt.identify ? (r.opt.conns < MAX_IDENTIFIED_CLIENTS ? r.opt.conns : MAX_IDENTIFIED_CLIENTS) : 0;
    r.identified_clients = r.opt.identify ? calloc(r.identified_capacity, sizeof *r.identified_clients) : NULL;
    if (r.slots == NULL || r.free_slots == NULL
        || (r.opt.identify && (r.shard_pid == NULL || r.shard_moved == NULL || r.identified_clients == NULL))) {
        fprintf(stderr, "epoll_client: out of memory\n");
        return 3;
    }
    for (uint32_t i = 0; i < r.slot_count; i++) {
        r.slots[i].fd = -1;
        r.free_slots[i] = r.slot_count - 1 - i;
    }
    r.free_count = r.slot_count;
    r.rng = r.opt.seed;
    r.ok_target_90 = (r.opt.conns * 9 + 9) / 10;

    r.epfd = epoll_create1(EPOLL_CLOEXEC);
    r.timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (r.epfd < 0 || r.timerfd < 0) {
        perror("epoll_client: epoll_create1/timerfd_create");
        return 3;
    }
    struct epoll_event timer_event = {.events = EPOLLIN, .data.u32 = TIMER_TAG};
    if (epoll_ctl(r.epfd, EPOLL_CTL_ADD, r.timerfd, &timer_event) < 0) {
        perror("epoll_client: epoll_ctl(timerfd)");
        return 3;
    }

    r.start = now_nanos();
    r.deadline = r.start + (uint64_t)(r.opt.duration_s * (double)NANOS_PER_SECOND);
    uint64_t next_scan = r.start + TIMEOUT_SCAN_NANOS;
    struct epoll_event events[MAX_EVENTS];
    uint64_t now = r.start;
    for (;;) {
        start_due(&r, now);
        if (r.next >= r.opt.conns && !open_connections(&r))
            break;
        arm_timer(&r, now);
        uint64_t wake = next_scan < r.deadline ? next_scan : r.deadline;
        int wait_ms = wake > now ? (int)((wake - now + NANOS_PER_MILLI - 1) / NANOS_PER_MILLI) : 0;
        /* Starts left over from this turn (MAX_STARTS_PER_TURN): look at events, do not sleep. */
        if (can_start(&r, now))
            wait_ms = 0;
        int ready = epoll_wait(r.epfd, events, MAX_EVENTS, wait_ms);
        if (ready < 0 && errno != EINTR) {
            perror("epoll_client: epoll_wait");
            return 3;
        }
        for (int i = 0; i < ready; i++) {
            /* Per event, not per batch: a batch of 512 takes a while, and its last reply must not be
             * stamped with the time its first one was read (one vDSO call, some 20 ns). */
            now = now_nanos();
            if (events[i].data.u32 == TIMER_TAG) {
                uint64_t expirations;
                if (read(r.timerfd, &expirations, sizeof expirations) < 0 && errno != EAGAIN)
                    perror("epoll_client: read(timerfd)");
                r.timer_armed_at = 0;
                continue;
            }
            on_event(&r, &events[i], now);
        }
        now = now_nanos();
        if (now >= next_scan) {
            scan_timeouts(&r, now);
            next_scan = now + TIMEOUT_SCAN_NANOS;
        }
        if (now >= r.deadline)
            break;
    }
    uint64_t end = now_nanos();
    for (uint32_t i = 0; i < r.slot_count; i++) {
        if (r.slots[i].fd >= 0) {
            r.cut_off++;
            close(r.slots[i].fd);
            r.slots[i].fd = -1;
        }
    }
    report(&r, end - r.start);
    return 0;
}
