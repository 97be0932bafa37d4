using Routerd.Core.Devices;
using Xunit;

namespace Routerd.Tests.Devices;

public class ConnectionLedgerTests
{
    static (long UpBytes, long UpPackets, long DownBytes, long DownPackets) Read(ConnectionLedger ledger, uint id, int fingerprint, ulong upBytes, ulong upPackets, ulong downBytes, ulong downPackets)
    {
        var (up, down) = ledger.Advance(id, fingerprint, upBytes, upPackets, downBytes, downPackets);
        return (up.Bytes, up.Packets, down.Bytes, down.Packets);
    }

    [Fact]
    public void A_new_connection_counts_whole_then_only_what_came_since()
    {
        var ledger = new ConnectionLedger();
        ledger.BeginRead();
        Assert.Equal((1000, 10, 5000, 8), Read(ledger, 7, 1, 1000, 10, 5000, 8));
        ledger.EndRead();
        ledger.BeginRead();
        Assert.Equal((500, 3, 0, 0), Read(ledger, 7, 1, 1500, 13, 5000, 8));
        ledger.EndRead();
        Assert.Equal(1, ledger.Count);
    }

    [Fact]
    public void A_connection_a_read_did_not_see_has_ended_and_is_forgotten()
    {
        var ledger = new ConnectionLedger();
        ledger.BeginRead();
        Read(ledger, 7, 1, 1000, 10, 0, 0);
        Read(ledger, 8, 2, 300, 3, 0, 0);
        ledger.EndRead();
        ledger.BeginRead();
        Read(ledger, 8, 2, 300, 3, 0, 0);
        ledger.EndRead();
        Assert.Equal(1, ledger.Count);
        // Id 7 again after a read without it: another connection, all of it new.
        ledger.BeginRead();
        Assert.Equal((200, 2, 0, 0), Read(ledger, 7, 1, 200, 2, 0, 0));
    }

    [Fact]
    public void Two_live_connections_sharing_an_id_are_kept_apart_by_their_fingerprints()
    {
        var ledger = new ConnectionLedger();
        ledger.BeginRead();
        Read(ledger, 7, 100, 1_000_000, 1000, 0, 0);
        Read(ledger, 7, 200, 50, 1, 0, 0);
        ledger.EndRead();
        ledger.BeginRead();
        Assert.Equal((10, 1, 0, 0), Read(ledger, 7, 200, 60, 2, 0, 0));
        Assert.Equal((500, 1, 0, 0), Read(ledger, 7, 100, 1_000_500, 1001, 0, 0));
        ledger.EndRead();
        Assert.Equal(2, ledger.Count);
    }

    [Fact]
    public void Counters_beyond_what_an_entry_holds_still_give_exact_differences()
    {
        // 2^36 bytes and 2^28 packets are where the packed counters wrap.
        var ledger = new ConnectionLedger();
        ulong bytes = (1UL << 36) - 100, packets = (1UL << 28) - 1;
        ledger.BeginRead();
        Read(ledger, 9, 1, bytes, packets, bytes * 3, packets * 3);
        ledger.EndRead();
        ledger.BeginRead();
        Assert.Equal((1000, 5, 7000, 9), Read(ledger, 9, 1, bytes + 1000, packets + 5, bytes * 3 + 7000, packets * 3 + 9));
    }

    [Fact]
    public void Counters_that_went_backwards_are_a_new_connection_counted_whole()
    {
        var ledger = new ConnectionLedger();
        ledger.BeginRead();
        Read(ledger, 9, 1, 5000, 50, 9000, 60);
        ledger.EndRead();
        ledger.BeginRead();
        Assert.Equal((100, 1, 0, 0), Read(ledger, 9, 1, 100, 1, 0, 0));
    }

    [Fact]
    public void A_burst_of_connections_grows_it_and_their_end_gives_the_memory_back()
    {
        var ledger = new ConnectionLedger();
        ledger.BeginRead();
        for (uint id = 1; id <= 90_000; id++) Read(ledger, id * 16, (int)id, 28, 1, 0, 0); // aligned ids, as old kernels give
        ledger.EndRead();
        Assert.Equal(90_000, ledger.Count);
        Assert.Equal(131_072, ledger.Capacity); // 24 bytes each: 3 MiB

        ledger.BeginRead();
        long credited = 0;
        for (uint id = 1; id <= 90_000; id++) credited += Read(ledger, id * 16, (int)id, 56, 2, 0, 0).UpBytes;
        Assert.Equal(90_000 * 28, credited);
        ledger.EndRead();

        ledger.BeginRead();
        Read(ledger, 16, 1, 56, 2, 0, 0);
        ledger.EndRead();
        Assert.Equal(1, ledger.Count);
        Assert.Equal(64, ledger.Capacity);
    }

    [Fact]
    public void Connections_coming_and_going_every_read_never_fill_it_with_removed_slots()
    {
        var ledger = new ConnectionLedger();
        uint next = 1;
        for (int read = 0; read < 200; read++)
        {
            ledger.BeginRead();
            // 40 connections live through each read, half of them new: those from two reads ago end.
            for (uint id = next - Math.Min(next - 1, 20u); id < next + 20; id++) Read(ledger, id, 0, 1, 1, 0, 0);
            next += 20;
            ledger.EndRead();
            Assert.True(ledger.Count <= 40);
        }
        // 60 at most during a read (40 live, 20 of them ended but not yet known to be): 128 slots.
        Assert.True(ledger.Capacity <= 128, $"{ledger.Capacity} slots");
    }
}
