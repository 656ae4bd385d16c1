/*
 * vmbeam-xen-workload: /init's program in the local testbed's guest (a PVH
 * domU with Debian's kernel and a busybox initramfs).
 *
 * The guest has no network, so its parameters come from the kernel command
 * line that `xl create ... extra="..."` sets for every migration:
 *   vmbeam.fill_mb=<MB>            memory to fill with non-zero data first
 *   vmbeam.dirty_mb=<MB>           region to dirty (allocated and filled too)
 *   vmbeam.dirty_pages_per_s=<n>   pages written per second, uniformly at random (0: idle)
 * It prints "vmbeam-ready ..." on the console (hvc0, which xenconsoled logs
 * in the guest Dom0) once the memory is filled, then dirties until killed.
 * A fill larger than the guest can hold is cut to what MemAvailable allows,
 * and the line says how much was filled.
 * Built with: gcc -static -O2 -o workload workload.c
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096UL
#define MB (1024UL * 1024UL)
/* Left to the guest's kernel and page cache so that filling cannot OOM it. */
#define KEEP_FREE_MB 12

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

static long mem_available_mb(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    char line[256];
    long kb = -1;
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, "MemAvailable:", 13) == 0) {
            kb = strtol(line + 13, NULL, 10);
            break;
        }
    fclose(f);
    return kb < 0 ? -1 : kb / 1024;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* xorshift64: the pattern only has to be non-zero and not one repeated page. */
static uint64_t next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static unsigned char *fill(unsigned long mb, uint64_t *seed)
{
    unsigned long bytes = mb * MB;
    uint64_t *p = bytes == 0 ? NULL : malloc(bytes);
    if (p == NULL)
        return NULL;
    for (unsigned long i = 0; i < bytes / sizeof *p; i++)
        p[i] = next(seed) | 1;
    return (unsigned char *)p;
}

int main(void)
{
    char cmdline[4096] = "";
    FILE *f = fopen("/proc/cmdline", "r");
    if (f != NULL) {
        if (fgets(cmdline, sizeof cmdline, f) == NULL)
            cmdline[0] = 0;
        fclose(f);
    }
    long fill_mb = cmdline_param(cmdline, "vmbeam.fill_mb", 0);
    long dirty_mb = cmdline_param(cmdline, "vmbeam.dirty_mb", 0);
    long rate = cmdline_param(cmdline, "vmbeam.dirty_pages_per_s", 0);
    long avail = mem_available_mb();
    if (avail >= 0 && dirty_mb > avail - KEEP_FREE_MB)
        dirty_mb = avail - KEEP_FREE_MB > 0 ? avail - KEEP_FREE_MB : 0;
    if (avail >= 0 && fill_mb + dirty_mb > avail - KEEP_FREE_MB)
        fill_mb = avail - KEEP_FREE_MB - dirty_mb > 0 ? avail - KEEP_FREE_MB - dirty_mb : 0;
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    unsigned char *region = fill((unsigned long)dirty_mb, &seed);
    unsigned char *filled = fill((unsigned long)fill_mb, &seed);
    if ((dirty_mb > 0 && region == NULL) || (fill_mb > 0 && filled == NULL)) {
        printf("vmbeam-error cannot allocate fill_mb=%ld dirty_mb=%ld\n", fill_mb, dirty_mb);
        fflush(stdout);
        return 1;
    }
    printf("vmbeam-ready fill_mb=%ld dirty_mb=%ld dirty_pages_per_s=%ld\n", fill_mb, dirty_mb, rate);
    fflush(stdout);
    unsigned long pages = (unsigned long)dirty_mb * (MB / PAGE);
    if (rate <= 0 || pages == 0)
        for (;;)
            pause();
    double start = now_s();
    unsigned long written = 0;
    struct timespec tick = {0, 1000000};
    for (;;) {
        unsigned long due = (unsigned long)((now_s() - start) * rate);
        while (written < due) {
            region[(next(&seed) % pages) * PAGE] = (unsigned char)(written | 1);
            written++;
        }
        nanosleep(&tick, NULL);
    }
}
