/* Linked into routerd as an ELF constructor: it runs before the NativeAOT runtime's main and so
 * before any thread exists. glibc's malloc bounded, for a program whose managed heap is the GC's
 * own and whose native allocations (OpenSSL for the password hash, libnftables, netlink buffers)
 * are small and rare, but come in bursts: libnftables parses a ruleset into many small blocks and
 * frees them all at the end.
 *
 * Arenas: glibc gives each thread that calls malloc while another holds the lock an arena of its
 * own, up to eight per core, and an arena keeps the pages it once used. Those allocations happen on
 * whichever pool thread serves the request: under the load of issue 18 (250 leases, 2,000 device
 * lists) five arenas held ~4.8 MB beside the main heap's 0.7 MB, and two (MALLOC_ARENA_MAX=2)
 * took routerd's RSS there from 48.8 to 45.5 MB, device-list p99 unchanged.
 *
 * Trim threshold: free memory at the top of a heap above it goes back to the kernel. glibc's
 * default starts at 128 KiB and grows with the largest block freed (up to 32 MiB on 64-bit), so
 * after a burst a heap kept ~1-3 MB it no longer used; 32 KiB (with the GC's conserve-memory
 * setting, Routerd.csproj) took the same load's RSS from ~40.9 to ~38.4 MB. A fixed threshold
 * also stops glibc from raising its mmap threshold, so large blocks stay mmapped and are returned
 * whole when freed.
 *
 * Set here rather than as MALLOC_ARENA_MAX / MALLOC_TRIM_THRESHOLD_ in the systemd unit so that
 * the binary behaves the same under systemd, in the lab and in the benchmark; the variables, when
 * set, still win (mallopt is only called for the ones that are absent). */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdlib.h>

__attribute__((constructor)) static void routerd_arenas(void)
{
    if (getenv("MALLOC_ARENA_MAX") == NULL)
        mallopt(M_ARENA_MAX, 2);
    if (getenv("MALLOC_TRIM_THRESHOLD_") == NULL)
        mallopt(M_TRIM_THRESHOLD, 32 * 1024);
}
