/*
 * The C reference for `scripts/bench`: a single-process epoll server speaking the client protocol
 * of mpserver's single-process mode ('C' id, 'M' ... '\0' -> "hello, server ping!\0", 'I' ->
 * 17-byte identify reply, anything else -> 'E' + close), the way the prototype's C server does it.
 * The bench compiles it with `cc -O2` when a compiler is present and drives it with the same
 * loadgen runs as mpserver --workers 0, side by side, so the ratio is measured, not remembered.
 *
 * Usage: epoll_server PORT   (binds 127.0.0.1; PORT 0 picks a free one)
 * Prints "mpserver ready port=P pid=N workers=0" once listening, like mpserver; exits on SIGTERM.
 *
 * Deliberately plain: level-triggered epoll, accept until EAGAIN, read until EAGAIN, replies
 * written at once and buffered only if the socket is full.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_FRAME (64 * 1024)
#define IN_CAP (MAX_FRAME + 4096)
#define OUT_CAP (1024 * 1024)
#define MAX_EVENTS 256

static const char PING_REPLY[20] = "hello, server ping!";

struct client {
    int fd;
    int shard;
    size_t in_len;
    size_t out_len;
    int out_armed;
    char in[IN_CAP];
    char *out;
};

static volatile sig_atomic_t running = 1;

static void on_term(int signo)
{
    (void)signo;
    running = 0;
}

static void close_client(int epfd, struct client *c)
{
    epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    free(c->out);
    free(c);
}

/* Queues bytes for the client; returns -1 if it must be closed (output cap or write error). */
static int reply(struct client *c, const char *bytes, size_t length)
{
    if (c->out_len == 0) {
        ssize_t n = send(c->fd, bytes, length, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n == (ssize_t)length)
            return 0;
        if (n < 0) {
            if (errno != EAGAIN)
                return -1;
            n = 0;
        }
        bytes += n;
        length -= (size_t)n;
    }
    if (c->out_len + length > OUT_CAP)
        return -1;
    if (c->out == NULL && (c->out = malloc(OUT_CAP)) == NULL)
        return -1;
    memcpy(c->out + c->out_len, bytes, length);
    c->out_len += length;
    return 0;
}

static int flush_out(struct client *c)
{
    size_t done = 0;
    while (done < c->out_len) {
        ssize_t n = send(c->fd, c->out + done, c->out_len - done, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0)
            break;
        done += (size_t)n;
    }
    if (done < c->out_len && errno != EAGAIN)
        return -1;
    memmove(c->out, c->out + done, c->out_len - done);
    c->out_len -= done;
    return 0;
}

static void put_int(char *at, int32_t value)
{
    memcpy(at, &value, sizeof value); /* x86-64: little-endian, as the protocol says */
}

static int error_and_close(struct client *c, int code, const char *text)
{
    char frame[256];
    size_t length = strlen(text);
    frame[0] = 'E';
    frame[1] = (char)code;
    memcpy(frame + 2, text, length + 1);
    reply(c, frame, length + 3);
    return -1;
}

/* Consumes every complete frame in c->in; returns -1 if the client must be closed. */
static int parse(struct client *c)
{
    size_t at = 0;
    while (at < c->in_len) {
        const char *frame = c->in + at;
        size_t avail = c->in_len - at;
        if (frame[0] == 'C') {
            if (c->shard != -1)
                return error_and_close(c, 1, "second C");
            if (avail < 5)
                break;
            memcpy(&c->shard, frame + 1, 4);
            at += 5;
        } else if (frame[0] == 'M') {
            const char *end = memchr(frame + 1, '\0', avail - 1);
            if (end == NULL) {
                if (avail >= MAX_FRAME)
                    return error_and_close(c, 1, "frame too long");
                break;
            }
            if (reply(c, PING_REPLY, sizeof PING_REPLY) < 0)
                return -1;
            at += (size_t)(end - frame) + 1;
        } else if (frame[0] == 'I') {
            char identify[17];
            identify[0] = 'I';
            put_int(identify + 1, (int32_t)getpid());
            put_int(identify + 5, 0);
            put_int(identify + 9, c->shard);
            put_int(identify + 13, 1);
            if (reply(c, identify, sizeof identify) < 0)
                return -1;
            at += 1;
        } else {
            return error_and_close(c, 1, "bad frame");
        }
    }
    memmove(c->in, c->in + at, c->in_len - at);
    c->in_len -= at;
    return 0;
}

/* Reads until EAGAIN; returns -1 if the client must be closed. */
static int serve(struct client *c)
{
    for (;;) {
        ssize_t n = recv(c->fd, c->in + c->in_len, IN_CAP - c->in_len, 0);
        if (n == 0)
            return -1;
        if (n < 0)
            return errno == EAGAIN ? 0 : -1;
        c->in_len += (size_t)n;
        if (parse(c) < 0)
            return -1;
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        return 2;
    }
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    signal(SIGPIPE, SIG_IGN);

    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1]))};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(lfd, (struct sockaddr *)&address, sizeof address) < 0 || listen(lfd, 4096) < 0) {
        perror("bind/listen");
        return 2;
    }
    socklen_t length = sizeof address;
    getsockname(lfd, (struct sockaddr *)&address, &length);

    int epfd = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &ev);
    printf("mpserver ready port=%d pid=%d workers=0\n", ntohs(address.sin_port), (int)getpid());
    fflush(stdout);

    struct epoll_event events[MAX_EVENTS];
    while (running) {
        int ready = epoll_wait(epfd, events, MAX_EVENTS, 1000);
        for (int i = 0; i < ready; i++) {
            struct client *c = events[i].data.ptr;
            if (c == NULL) {
                int fd;
                while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
                    struct client *fresh = malloc(sizeof *fresh);
                    if (fresh == NULL) {
                        close(fd);
                        continue;
                    }
                    fresh->fd = fd;
                    fresh->shard = -1;
                    fresh->in_len = 0;
                    fresh->out_len = 0;
                    fresh->out_armed = 0;
                    fresh->out = NULL;
                    struct epoll_event cev = {.events = EPOLLIN, .data.ptr = fresh};
                    epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &cev);
                }
                continue;
            }
            int closing = 0;
            if (events[i].events & EPOLLOUT)
                closing = flush_out(c) < 0;
            if (!closing && (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
                closing = serve(c) < 0;
            if (closing) {
                close_client(epfd, c);
                continue;
            }
            if ((c->out_len > 0) != c->out_armed) {
                c->out_armed = c->out_len > 0;
                struct epoll_event cev = {.events = EPOLLIN | (c->out_armed ? EPOLLOUT : 0), .data.ptr = c};
                epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &cev);
            }
        }
    }
    close(lfd);
    close(epfd);
    return 0;
}
