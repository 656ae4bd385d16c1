/*
 * vmbeam-workload: the guest-side program of the QEMU testbed.
 *
 * 1. Fills the guest's free memory with non-zero data (a long-running guest
 *    has no zero pages; QEMU would otherwise skip them, unlike Xen).
 * 2. Prints the ready line "VMBEAM-READY ..." on the console (ttyS0).
 * 3. Waits for one command line on the control port (ttyS1):
 *      dirty <MB> <pages/s>
 *    prints "VMBEAM-DIRTYING dirty_mb=<MB> rate=<pages/s>" and dirties the
 *    first <MB> MB of the filled memory at that rate, uniformly at random,
 *    forever (or idles when either is 0).
 * 4. While dirtying, writes "VMBEAM-WRITES t_ms=<guest ms> pages=<count>"
 *    to the control port every 100 ms of guest time: the pages written so
 *    far, so the harness sees how fast the guest really writes (as QEMU's
 *    guestperf does) before, during and after a migration.
 * 5. Checks its region against what it wrote, a hundredth of it every tick
 *    (all of it every second), and reports the first pages it finds wrong
 *    as "VMBEAM-CORRUPT page=<n> expected=<v> found=<v>" on both ports: a
 *    migration that lost a write shows here, in the guest, not only when
 *    the kernel happens to trip over a lost page of its own.
 * The harness saves the guest while it waits in step 3 and restores that
 * state for every migration, so the dirty parameters cannot come from the
 * kernel command line. Optional kernel parameters: vmbeam.margin_mb=<MB>,
 * vmbeam.fill_stride=<bytes>.
 * Built with: gcc -static -O2 -o workload workload.c
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <fcntl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096UL
#define MB (1024UL * 1024UL)

static long cmdline_param(const char *cmdline, const char *name, long fallback)
{
    const char *p = cmdline;
    size_t len = strlen(name);
    while ((p = strstr(p, name)) != NULL) {
        if ((p == cmdline || p[-1] == ' ') && p[len] == '=')
            return strtol(p + len + 1, NULL, 10);
        p += len;
    }
    return fallback;
}

static long meminfo_kb(const char *key)
{
    FILE *f = fopen("/proc/meminfo", "r");
    char line[256];
    long value = -1;
    size_t len = strlen(key);
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, key, len) == 0 && line[len] == ':') {
            value = strtol(line + len + 1, NULL, 10);
            break;
        }
    }
    fclose(f);
    return value;
}

static uint64_t xorshift64(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    return x;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Opens the control port, echo off so nothing flows back to the harness.
 * Done before the ready line: the harness may save the guest right after it,
 * and a port opened only after the restore would drop what arrived first. */
static int open_control_port(void)
{
    /* O_NONBLOCK only for the open: without CLOCAL it could wait for a carrier. */
    int fd = open("/dev/ttyS1", O_RDWR | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        printf("VMBEAM-ERROR cannot open the control port /dev/ttyS1\n");
        fflush(stdout);
        return -1;
    }
    struct termios tio;
    if (tcgetattr(fd, &tio) == 0) {
        tio.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
        tio.c_lflag |= ICANON;
        tio.c_cflag |= CLOCAL | CREAD;
        tcsetattr(fd, TCSANOW, &tio);
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return fd;
}

/* Reads lines from the control port until one is "dirty <MB> <pages/s>". */
static void read_command(int fd, long *dirty_mb, long *rate)
{
    char line[128];
    size_t used = 0;
    for (;;) {
        ssize_t n = read(fd, line + used, sizeof line - 1 - used);
        if (n <= 0) {
            usleep(10000); /* a hang-up or signal: retry without spinning */
            continue;
        }
        used += (size_t)n;
        line[used] = '\0';
        char *newline = strchr(line, '\n');
        if (newline == NULL && used < sizeof line - 1)
            continue;
        if (sscanf(line, "dirty %ld %ld", dirty_mb, rate) == 2 && *dirty_mb >= 0 && *rate >= 0)
            return;
        printf("VMBEAM-ERROR bad control command: %.60s\n", line);
        fflush(stdout);
        used = 0;
    }
}

int main(void)
{
    char cmdline[4096] = {0};
    FILE *f = fopen("/proc/cmdline", "r");
    if (f != NULL) {
        if (fgets(cmdline, sizeof cmdline, f) == NULL)
            cmdline[0] = '\0';
        fclose(f);
    }
    long available_kb = meminfo_kb("MemAvailable");
    if (available_kb < 0)
        available_kb = meminfo_kb("MemFree");
    /* Safety margin so the guest is never OOM-killed: 3 % of the available
     * memory, at least 8 MB, unless overridden on the command line. (A 128 MB
     * guest was OOM-killed with 4 MB; 6 MB worked; 8 MB leaves slack.) */
    long margin_mb = cmdline_param(cmdline, "vmbeam.margin_mb",
                                   available_kb / 1024 / 32 > 8 ? available_kb / 1024 / 32 : 8);
    long fill_mb = available_kb / 1024 - margin_mb;
    if (fill_mb < 1)
        fill_mb = 1;

    size_t fill_bytes = (size_t)fill_mb * MB;
    uint8_t *mem = mmap(NULL, fill_bytes, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (mem == MAP_FAILED) {
        printf("VMBEAM-ERROR mmap of %ld MB failed\n", fill_mb);
        fflush(stdout);
        return 1;
    }
    uint64_t t0 = now_ns();
    /* One distinct non-zero 64-bit word every `stride` bytes (default: every
     * word, as in a long-running guest): no page is left zero. The stride
     * barely matters: MAP_POPULATE (kernel-side faulting) is what keeps the
     * fill fast under TCG. */
    long stride = cmdline_param(cmdline, "vmbeam.fill_stride", 8);
    if (stride < 8 || stride % 8 != 0 || stride > (long)PAGE)
        stride = 8;
    for (size_t off = 0; off < fill_bytes; off += (size_t)stride)
        *(uint64_t *)(mem + off) = (off >> 3) * 0x9E3779B97F4A7C15ULL | 1ULL;
    uint64_t fill_ms = (now_ns() - t0) / 1000000ULL;

    int control = open_control_port();
    if (control < 0)
        return 1;
    printf("VMBEAM-READY filled_mb=%ld available_mb=%ld total_mb=%ld fill_ms=%llu\n",
           fill_mb, available_kb / 1024, meminfo_kb("MemTotal") / 1024, (unsigned long long)fill_ms);
    fflush(stdout);

    long dirty_mb = 0;
    long rate = 0;
    read_command(control, &dirty_mb, &rate);
    if (dirty_mb > fill_mb)
        dirty_mb = fill_mb;
    printf("VMBEAM-DIRTYING dirty_mb=%ld rate=%ld\n", dirty_mb, rate);
    fflush(stdout);

    if (dirty_mb <= 0 || rate <= 0) {
        for (;;)
            pause();
    }

    /* Dirty `rate` pages per second in ticks of 10 ms, carrying the
     * fractional remainder so that low rates stay exact on average. */
    size_t region_pages = (size_t)dirty_mb * MB / PAGE;
    uint64_t rng = 0x2545F4914F6CDD1DULL ^ now_ns();
    const uint64_t tick_ns = 10000000ULL;
    /* Writes owed for up to this many ticks are caught up: a tick that ran
     * late (timer slack, a busy host) costs nothing. Writes owed for longer
     * are dropped, as a paced real workload misses its deadlines: a guest
     * that was stopped or throttled shows it in what it wrote. */
    const double catch_up_ticks = 10.0;
    const uint64_t report_ns = 100000000ULL;
    uint64_t next = now_ns();
    uint64_t last = next;
    uint64_t next_report = next;
    double owed = 0.0;
    uint64_t counter = 1;
    unsigned long long written = 0;
    /* What each page's first word should hold; a copy kept apart, so that a
     * write lost with its page cannot also be lost from the check. */
    uint64_t *expected = malloc(region_pages * sizeof *expected);
    if (expected == NULL) {
        printf("VMBEAM-ERROR cannot allocate the check of %zu pages\n", region_pages);
        fflush(stdout);
        return 1;
    }
    for (size_t page = 0; page < region_pages; page++)
        expected[page] = *(volatile uint64_t *)(mem + page * PAGE);
    size_t check_per_tick = region_pages / 100 + 1;
    size_t check_cursor = 0;
    int corrupt_reported = 0;
    for (;;) {
        next += tick_ns;
        struct timespec ts = {(time_t)(next / 1000000000ULL), (long)(next % 1000000000ULL)};
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
        uint64_t t = now_ns();
        owed += (double)rate * (double)(t - last) / 1e9;
        last = t;
        if (owed > (double)rate * catch_up_ticks * (double)tick_ns / 1e9)
            owed = (double)rate * catch_up_ticks * (double)tick_ns / 1e9;
        while (owed >= 1.0) {
            size_t page = (size_t)(xorshift64(&rng) % region_pages);
            *(volatile uint64_t *)(mem + page * PAGE) = ++counter;
            expected[page] = counter;
            owed -= 1.0;
            written++;
        }
        for (size_t i = 0; i < check_per_tick; i++) {
            size_t page = check_cursor;
            check_cursor = (check_cursor + 1) % region_pages;
            uint64_t found = *(volatile uint64_t *)(mem + page * PAGE);
            if (found != expected[page] && corrupt_reported < 3) {
                corrupt_reported++;
                printf("VMBEAM-CORRUPT page=%zu expected=%llu found=%llu\n", page,
                       (unsigned long long)expected[page], (unsigned long long)found);
                fflush(stdout);
                dprintf(control, "VMBEAM-CORRUPT page=%zu expected=%llu found=%llu\n", page,
                        (unsigned long long)expected[page], (unsigned long long)found);
            }
        }
        if (t >= next_report) {
            dprintf(control, "VMBEAM-WRITES t_ms=%llu pages=%llu\n", (unsigned long long)(t / 1000000ULL), written);
            next_report += report_ns;
            if (next_report <= t)
                next_report = t + report_ns;
        }
        if (t > next + (uint64_t)catch_up_ticks * tick_ns)
            next = t;
    }
}
