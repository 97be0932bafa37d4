namespace Routerd.Core.Devices;

/// <summary>What each connection conntrack counts had counted when the traffic meter last read
/// it, so that each read credits only what came since. It holds an entry for every connection
/// conntrack counts (Firewall/ConnectionCounting.cs says which), and one device alone can push
/// that to the table's limit (90k in the hardening load, with the fast path on): so an entry is
/// 24 bytes in one flat array (open addressing, linear probing), where a <c>Dictionary</c> of the
/// same values took 56 bytes an entry, plus its buckets and the arrays it outgrew.
///
/// Counters are kept modulo 2^36 bytes and 2^28 packets, packed in one word per direction: the
/// difference of two readings is exact as long as one connection moves less than 64 GiB and
/// 268M packets between two reads (at 1 Gbit/s, over eight minutes; in minimum-size packets,
/// three). The kernel's id is a hash, and among tens of thousands of connections two may well
/// share one (a birthday collision in 32 bits): an entry is found by its id and a fingerprint of
/// the connection's protocol, addresses and ports together.</summary>
public sealed class ConnectionLedger
{
    struct Entry
    {
        public uint Id;
        /// <summary>Low two bits: <see cref="Empty"/>, <see cref="Removed"/>, or live and stamped
        /// with the read's parity (<see cref="Live"/> | parity); above them, the fingerprint.</summary>
        public uint Tag;
        public ulong Up, Down;
    }

    const uint Empty = 0, Removed = 1, Live = 2, StateBits = 3;
    const int ByteBits = 36;
    const ulong ByteMask = (1UL << ByteBits) - 1, PacketMask = (1UL << (64 - ByteBits)) - 1;
    const int MinCapacity = 64;

    Entry[] entries = new Entry[MinCapacity];
    /// <summary>32 − log2 of the capacity: the top bits of the mixed id pick the home slot.</summary>
    int shift = 32 - 6;
    int live, removed;
    uint parity;

    /// <summary>Connections held (seen at the last read or in the current one).</summary>
    public int Count => live;

    /// <summary>Slots held, 24 bytes each (for a look at memory).</summary>
    public int Capacity => entries.Length;

    /// <summary>Starts a read of the whole table: each connection still there is then <see cref="Advance"/>d once.</summary>
    public void BeginRead() => parity ^= 1;

    /// <summary>The connection's counters now; returns what it counted since the last read (all
    /// of it when it is new to the ledger).</summary>
    public (SetCounter Up, SetCounter Down) Advance(uint id, int fingerprint, ulong upBytes, ulong upPackets, ulong downBytes, ulong downPackets)
    {
        uint tag = ((uint)fingerprint & ~StateBits) | Live | parity;
        ulong up = Pack(upBytes, upPackets), down = Pack(downBytes, downPackets);
        var whole = (new SetCounter("", (long)upPackets, (long)upBytes), new SetCounter("", (long)downPackets, (long)downBytes));
        int slot = Find(id, tag, out bool found);
        ref var e = ref entries[slot];
        if (found)
        {
            var since = (Up: Since(e.Up, up), Down: Since(e.Down, down));
            (e.Tag, e.Up, e.Down) = (tag, up, down);
            // Counters that went backwards (the difference wraps to more than half the range):
            // a new connection with the old one's id and ports, all of it new.
            return Plausible(since.Up) && Plausible(since.Down) ? since : whole;
        }
        if ((e.Tag & StateBits) == Removed) removed--;
        e = new Entry { Id = id, Tag = tag, Up = up, Down = down };
        live++;
        if ((live + removed) * 5 > entries.Length * 4) Resize();
        return whole;
    }

    /// <summary>Ends a read: the connections it did not see have ended and are forgotten.</summary>
    public void EndRead()
    {
        for (int i = 0; i < entries.Length; i++)
        {
            uint state = entries[i].Tag & StateBits;
            if (state < Live || (state & 1) == parity) continue;
            entries[i] = new Entry { Tag = Removed };
            live--;
            removed++;
        }
        // Give back what a burst of connections made it grow to once most of them are gone.
        if (entries.Length > MinCapacity && live * 8 < entries.Length) Resize();
    }

    /// <summary>The slot holding the connection (same id and fingerprint: found) or the one to
    /// put it in: the first removed slot on its way, else the empty slot that ends the way.</summary>
    int Find(uint id, uint tag, out bool found)
    {
        int mask = entries.Length - 1, slot = Home(id), free = -1;
        for (; ; slot = (slot + 1) & mask)
        {
            ref var e = ref entries[slot];
            uint state = e.Tag & StateBits;
            if (state == Empty) break;
            if (state == Removed) { if (free < 0) free = slot; }
            else if (e.Id == id && (e.Tag & ~StateBits) == (tag & ~StateBits))
            {
                found = true;
                return slot;
            }
        }
        found = false;
        return free >= 0 ? free : slot;
    }

    /// <summary>Lays the live entries out again in an array sized for them (at most 70 % full), without the removed slots.</summary>
    void Resize()
    {
        int capacity = MinCapacity;
        while (capacity * 7 < live * 10) capacity *= 2;
        var old = entries;
        entries = new Entry[capacity];
        shift = 32 - System.Numerics.BitOperations.Log2((uint)capacity);
        removed = 0;
        int mask = capacity - 1;
        foreach (var e in old)
        {
            if ((e.Tag & StateBits) < Live) continue;
            int slot = Home(e.Id);
            while (entries[slot].Tag != Empty) slot = (slot + 1) & mask;
            entries[slot] = e;
        }
    }

    /// <summary>Kernel ids are hashes or, on old kernels, aligned addresses: multiplied by the
    /// golden ratio's fraction so that either spreads over the slots (Fibonacci hashing).</summary>
    int Home(uint id) => (int)((id * 0x9E3779B9u) >> shift);

    static ulong Pack(ulong bytes, ulong packets) => (bytes & ByteMask) | ((packets & PacketMask) << ByteBits);

    static SetCounter Since(ulong before, ulong now) =>
        new("", (long)(((now >> ByteBits) - (before >> ByteBits)) & PacketMask), (long)((now - before) & ByteMask));

    static bool Plausible(SetCounter since) => since.Bytes < 1L << (ByteBits - 1) && since.Packets < 1L << (63 - ByteBits);
}
