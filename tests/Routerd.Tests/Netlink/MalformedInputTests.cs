using System.Buffers.Binary;
using Routerd.Platform.Netlink;
using Xunit;
using static Routerd.Tests.Netlink.GoldenMessages;

namespace Routerd.Tests.Netlink;

/// <summary>Whatever arrives, the readers and decoders stop or skip; they never throw. Spans make
/// an out-of-range read an exception, so "does not throw" also means "stays in bounds".</summary>
public class MalformedInputTests
{
    public static TheoryData<string, string> BrokenFraming => new()
    {
        { "shorter than a header", "10000000 1000 0000 000000" },
        { "nlmsg_len 0", "00000000 1000 0000 00000000 00000000" },
        { "nlmsg_len smaller than the header", "08000000 1000 0000 00000000 00000000" },
        { "nlmsg_len past the buffer", "00010000 1000 0000 00000000 00000000 00000000" },
        { "nlmsg_len 0xffffffff", "ffffffff 1000 0000 00000000 00000000" },
    };

    [Theory]
    [MemberData(nameof(BrokenFraming))]
    public void Message_reader_stops_on_a_length_that_cannot_be_true(string why, string hex)
    {
        var reader = new NetlinkMessageReader(Hex(hex));

        Assert.False(reader.TryRead(out _, out _), why);
        Assert.True(reader.Malformed, why);
        Assert.False(reader.TryRead(out _, out _), why);
    }

    [Fact]
    public void Message_reader_keeps_what_came_before_a_truncated_message()
    {
        var datagram = NewNeighbour.Concat(NewLink.Take(40)).ToArray();
        var reader = new NetlinkMessageReader(datagram);

        Assert.True(reader.TryRead(out var header, out var payload));
        Assert.Equal(28, header.nlmsg_type);
        Assert.Equal(NewNeighbour.Length - 16, payload.Length);
        Assert.False(reader.TryRead(out _, out _));
        Assert.True(reader.Malformed);
    }

    [Fact]
    public void Message_reader_accepts_a_last_message_without_padding()
    {
        var datagram = Hex("15000000 0300 0200 01000000 00000000", "00000000 ff"); // NLMSG_DONE, len 21
        var reader = new NetlinkMessageReader(datagram);

        Assert.True(reader.TryRead(out _, out var payload));
        Assert.Equal(5, payload.Length);
        Assert.False(reader.TryRead(out _, out _));
        Assert.False(reader.Malformed);
    }

    [Fact]
    public void Empty_datagram_is_not_malformed()
    {
        var reader = new NetlinkMessageReader([]);

        Assert.False(reader.TryRead(out _, out _));
        Assert.False(reader.Malformed);
    }

    public static TheoryData<string, string> BrokenAttributes => new()
    {
        { "rta_len 0", "0000 0300 6c616e30" },
        { "rta_len below the attribute header", "0200 0300 6c616e30" },
        { "rta_len past the buffer", "4000 0300 6c616e30" },
        { "fewer bytes than an attribute header", "0800 03" },
    };

    [Theory]
    [MemberData(nameof(BrokenAttributes))]
    public void Attribute_reader_stops_on_a_length_that_cannot_be_true(string why, string hex)
    {
        var reader = new RtAttributeReader(Hex(hex));

        Assert.False(reader.TryRead(out _, out _), why);
        Assert.True(reader.Malformed, why);
    }

    [Fact]
    public void Zero_length_attributes_are_read_as_empty_values()
    {
        var reader = new RtAttributeReader(Hex("0400 0300", "0400 0400", "0800 0400 dc050000"));

        Assert.True(reader.TryRead(out ushort first, out var firstValue));
        Assert.Equal((3, 0), (first, firstValue.Length));
        Assert.True(reader.TryRead(out ushort second, out var secondValue));
        Assert.Equal((4, 0), (second, secondValue.Length));
        Assert.True(reader.TryRead(out _, out var third));
        Assert.Equal(4, third.Length);
        Assert.False(reader.TryRead(out _, out _));
        Assert.False(reader.Malformed);
    }

    [Fact]
    public void Link_with_empty_name_and_empty_mtu_is_not_decoded()
    {
        var message = Hex(
            "28000000 1000 0000 00000000 00000000",
            "00 00 0100 04000000 01000000 00000000",
            "0400 0300", "0400 0400");

        Assert.Equal(0, DecodeEverything(message));
    }

    [Fact]
    public void Neighbour_with_a_short_destination_is_not_decoded()
    {
        var message = (byte[])NewNeighbour.Clone();
        message[16 + 12] = 7; // NDA_DST rta_len 7: three address bytes

        Assert.Equal(0, DecodeEverything(message));
    }

    [Fact]
    public void Address_with_an_impossible_prefix_is_not_decoded()
    {
        var message = (byte[])NewAddressV4.Clone();
        message[16 + 1] = 33;

        Assert.Equal(0, DecodeEverything(message));
    }

    [Fact]
    public void Every_truncation_of_every_golden_message_decodes_without_throwing()
    {
        foreach (var message in All)
        {
            for (int length = 0; length <= message.Length; length++)
            {
                // Both ways a message gets cut: the datagram ends early, or nlmsg_len shrinks.
                DecodeEverything(message.AsSpan(0, length));
                var shrunk = message.AsSpan(0, length).ToArray();
                if (length >= 4) BinaryPrimitives.WriteUInt32LittleEndian(shrunk, (uint)length);
                DecodeEverything(shrunk);
            }
        }
    }

    [Fact]
    public void Ten_thousand_random_buffers_decode_without_throwing()
    {
        var random = new Random(20240611);
        var golden = All.ToArray();
        for (int i = 0; i < 10_000; i++)
        {
            byte[] buffer;
            if (i % 2 == 0)
            {
                buffer = new byte[random.Next(0, 512)];
                random.NextBytes(buffer);
                // Plausible small lengths reach the decoders far more often than random ones.
                if (buffer.Length >= 4) BinaryPrimitives.WriteUInt32LittleEndian(buffer, (uint)random.Next(0, buffer.Length + 8));
                if (buffer.Length >= 6) BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(4), (ushort)random.Next(16, 31));
            }
            else
            {
                // Golden messages with a few bytes flipped exercise the attribute walks.
                buffer = (byte[])golden[random.Next(golden.Length)].Clone();
                for (int flips = random.Next(1, 6); flips > 0; flips--)
                    buffer[random.Next(buffer.Length)] = (byte)random.Next(256);
            }

            DecodeEverything(buffer);
        }
    }

    /// <summary>Runs every reader and decoder over every message; returns how many facts came out.</summary>
    private static int DecodeEverything(ReadOnlySpan<byte> datagram)
    {
        int facts = 0;
        var reader = new NetlinkMessageReader(datagram);
        while (reader.TryRead(out var header, out var payload))
        {
            if (RtnlDecoders.DecodeEvent(header.nlmsg_type, payload) is not null) facts++;
            if (RtnlDecoders.TryDecodeLink(payload, out _)) facts++;
            if (RtnlDecoders.TryDecodeAddress(payload, out _)) facts++;
            if (RtnlDecoders.TryDecodeRoute(payload, out _)) facts++;
            if (RtnlDecoders.TryDecodeNeighbour(payload, out _)) facts++;
            var attributes = new RtAttributeReader(payload);
            while (attributes.TryRead(out _, out var value))
            {
                RtAttributeReader.TryReadUInt32(value, out _);
                RtAttributeReader.ReadString(value);
            }
        }

        return facts;
    }
}
