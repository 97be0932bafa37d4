using Routerd.Platform.Pppoe;
using Xunit;

namespace Routerd.Tests.Pppoe;

/// <summary>PPPoE discovery frames against bytes written out by hand from RFC 2516 (sections 4
/// and 5), and a corpus of broken frames: parsing untrusted input must never throw.</summary>
public class DiscoveryFrameTests
{
    static readonly byte[] Us = [0x02, 0x00, 0x00, 0x00, 0x00, 0x10];
    static readonly byte[] Ac = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];
    static readonly byte[] HostUniq = [0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04];

    [Fact]
    public void A_padi_is_the_bytes_rfc_2516_describes()
    {
        var frame = new byte[100];
        int n = PppoeFrameWriter.Padi(frame, Us, "isp", HostUniq);
        byte[] expected =
        [
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  // destination: broadcast
            0x02, 0x00, 0x00, 0x00, 0x00, 0x10,  // source: us
            0x88, 0x63,                          // ethertype: PPPoE discovery
            0x11, 0x09, 0x00, 0x00, 0x00, 0x13,  // ver 1 type 1, code PADI, session 0, length 19
            0x01, 0x01, 0x00, 0x03, (byte)'i', (byte)'s', (byte)'p',             // Service-Name "isp"
            0x01, 0x03, 0x00, 0x08, 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04, // Host-Uniq
        ];
        Assert.Equal(expected, frame[..n]);
    }

    [Fact]
    public void A_padi_for_any_service_carries_an_empty_service_name()
    {
        var frame = new byte[100];
        int n = PppoeFrameWriter.Padi(frame, Us, null, HostUniq);
        Assert.Equal(14 + 6 + 4 + 12, n);
        Assert.Equal(new byte[] { 0x01, 0x01, 0x00, 0x00 }, frame[20..24]);
    }

    /// <summary>A PADO as rp-pppoe's pppoe-server sends it: AC-Name, two Service-Names, the
    /// Host-Uniq copied back, an AC-Cookie, End-Of-List, then Ethernet padding.</summary>
    internal static byte[] Pado(byte[]? hostUniq = null, byte[]? to = null, byte code = 0x07)
    {
        var tags = new List<byte>();
        void Tag(ushort type, byte[] value)
        {
            tags.AddRange([(byte)(type >> 8), (byte)type, (byte)(value.Length >> 8), (byte)value.Length]);
            tags.AddRange(value);
        }
        Tag(0x0102, "BRAS-1"u8.ToArray());
        Tag(0x0101, "internet"u8.ToArray());
        Tag(0x0101, "iptv"u8.ToArray());
        Tag(0x0103, hostUniq ?? HostUniq);
        Tag(0x0104, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
        Tag(0x0000, []);
        var f = new List<byte>();
        f.AddRange(to ?? Us);
        f.AddRange(Ac);
        f.AddRange([0x88, 0x63, 0x11, code, 0x00, 0x00, (byte)(tags.Count >> 8), (byte)tags.Count]);
        f.AddRange(tags);
        f.AddRange(new byte[8]); // padding after the PPPoE payload
        return f.ToArray();
    }

    [Fact]
    public void A_pado_lists_the_access_concentrator_and_its_services()
    {
        var offer = PppoeOfferParser.TryParse(Pado(), Us, HostUniq)!;
        Assert.Equal("02:00:00:00:00:01", offer.AcMac);
        Assert.Equal("BRAS-1", offer.AcName);
        Assert.Equal(["internet", "iptv"], offer.Services);
        Assert.Null(offer.Error);
    }

    [Fact]
    public void Answers_to_someone_else_are_not_ours()
    {
        Assert.Null(PppoeOfferParser.TryParse(Pado(hostUniq: [9, 9, 9, 9]), Us, HostUniq));   // pppd's own discovery
        Assert.Null(PppoeOfferParser.TryParse(Pado(to: Ac), Us, HostUniq));                    // another host
        Assert.Null(PppoeOfferParser.TryParse(Pado(code: 0x65), Us, HostUniq));                // a PADS
        Assert.Null(PppoeOfferParser.TryParse(Pado(code: 0xa7), Us, HostUniq));                // a PADT
    }

    public static TheoryData<string, byte[]> Malformed()
    {
        var good = Pado();
        var data = new TheoryData<string, byte[]>();
        for (int cut = 0; cut < good.Length - 8; cut += 3) data.Add($"truncated to {cut}", good[..cut]);
        var longLength = (byte[])good.Clone(); longLength[18] = 0x05; longLength[19] = 0xdc;           // PPPoE length 1500
        data.Add("payload length beyond the frame", longLength);
        var longTag = (byte[])good.Clone(); longTag[22] = 0xff; longTag[23] = 0xff;                   // AC-Name length 65535
        data.Add("tag length beyond the payload", longTag);
        var version = (byte[])good.Clone(); version[14] = 0x21;
        data.Add("PPPoE version 2", version);
        var ethertype = (byte[])good.Clone(); ethertype[13] = 0x64;
        data.Add("session ethertype", ethertype);
        var multicastAc = (byte[])good.Clone(); multicastAc[6] = 0x03;
        data.Add("access concentrator with a multicast MAC", multicastAc);
        var halfTag = (byte[])good.Clone(); halfTag[19] = 2; // payload of two bytes: half a tag header
        data.Add("half a tag header", halfTag);
        return data;
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_frames_are_ignored_without_throwing(string what, byte[] frame)
    {
        Assert.Null(PppoeOfferParser.TryParse(frame, Us, HostUniq));
        Assert.NotNull(what);
    }

    [Fact]
    public void A_truncated_tag_sets_malformed_and_stops()
    {
        var frame = Pado();
        frame[19] = 14; // the payload now ends inside the Service-Name tag after AC-Name
        Assert.True(PppoeFrameReader.TryOpen(frame, out var reader));
        Assert.True(reader.TryReadTag(out ushort type, out var value));
        Assert.Equal(0x0102, type);
        Assert.Equal("BRAS-1"u8.ToArray(), value.ToArray());
        Assert.False(reader.TryReadTag(out _, out _));
        Assert.True(reader.Malformed);
    }

    [Fact]
    public void Names_from_the_cable_lose_their_control_characters_and_are_capped()
    {
        var frame = Pado();
        frame[24] = (byte)'\n'; // "BRAS-1" → "\nRAS-1"
        var offer = PppoeOfferParser.TryParse(frame, Us, HostUniq)!;
        Assert.Equal("?RAS-1", offer.AcName);
    }

    /// <summary>Random mutations of a good PADO, random garbage and random cuts: the parser may
    /// accept or refuse, but never throws, and what it accepts is printable and bounded.</summary>
    [Fact]
    public void Fuzzed_frames_never_throw()
    {
        var random = new Random(2516);
        var good = Pado();
        int accepted = 0;
        for (int i = 0; i < 20_000; i++)
        {
            byte[] frame;
            switch (i % 3)
            {
                case 0:
                    frame = (byte[])good.Clone();
                    for (int m = random.Next(1, 6); m > 0; m--) frame[random.Next(14, frame.Length)] = (byte)random.Next(256);
                    break;
                case 1:
                    frame = good[..random.Next(good.Length + 1)];
                    break;
                default:
                    frame = new byte[random.Next(0, 200)];
                    random.NextBytes(frame);
                    if (frame.Length > 20) { Us.CopyTo(frame, 0); frame[12] = 0x88; frame[13] = 0x63; frame[14] = 0x11; frame[15] = 0x07; }
                    break;
            }
            var offer = PppoeOfferParser.TryParse(frame, Us, HostUniq);
            if (offer is null) continue;
            accepted++;
            foreach (var text in offer.Services.Append(offer.AcName ?? "").Append(offer.Error ?? ""))
            {
                Assert.True(text.Length <= 64);
                Assert.DoesNotContain(text, char.IsControl);
            }
        }
        Assert.InRange(accepted, 1, 19_999); // some mutations keep a valid PADO, most do not
    }
}
