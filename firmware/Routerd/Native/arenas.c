/* Linked into routerd as an ELF constructor: it runs before the NativeAOT runtime's main and so
 * before any thread exists.
 *
 * glibc gives each thread that calls malloc while another holds the lock an arena of its own, up
 * to eight per core, and an arena keeps the pages it once used. routerd's native allocations are
 * small (OpenSSL for the password hash, libnftables, netlink buffers) and rare, but they happen on
 * whichever pool thread serves the request: under the load of issue 18 (250 leases, 2,000 device
 * lists) five arenas held ~4.8 MB beside the main heap's 0.7 MB, and two (MALLOC_ARENA_MAX=2)
 * took routerd's RSS there from 48.8 to 45.5 MB, device-list p99 unchanged. Two are plenty for a
 * program whose managed heap is the GC's own. Set here rather than as MALLOC_ARENA_MAX in the
 * systemd unit so that the binary behaves the same under systemd, in the lab and in the benchmark;
 * the variable, when set, still wins (mallopt is only called when it is absent). */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdlib.h>

__attribute__((constructor)) static void routerd_arenas(void)
{
    if (getenv("MALLOC_ARENA_MAX") == NULL)
        mallopt(M_ARENA_MAX, 2);
}
