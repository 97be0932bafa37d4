using System.Text;
using CsCheck;
using Routerd.Core.Devices;
using Routerd.Core.Settings;
using Routerd.Core.Wan;
using Routerd.Core.Loop;
using Routerd.Platform.Hostapd;
using Routerd.Platform.Netlink;
using Routerd.Platform.Pppoe;
using Routerd.Tests.Netlink;
using Routerd.Tests.Pppoe;
using Xunit;

namespace Routerd.Tests.Fuzz;

/// <summary>Property-based fuzzing (CsCheck) of everything that parses what routerd did not write
/// itself: API bodies, netlink messages, PPPoE frames, hostapd events, lease files and hook
/// reports. Each input is random, or a golden input with random bytes changed, inserted and
/// removed; the only outcomes allowed are a result or the parser's documented refusal.
/// FUZZ_ITER sets the executions per target (the test tier's short run: 3000; the benchmark's long one more).</summary>
public class FuzzTests
{
    public static int Iterations => int.TryParse(Environment.GetEnvironmentVariable("FUZZ_ITER"), out int n) ? n : 3000;
    static long execs;
    /// <summary>Executions so far in this process (the benchmark reports it).</summary>
    public static long Execs => Interlocked.Read(ref execs);

    static void Count() => Interlocked.Increment(ref execs);

    /// <summary>Runs one target and hands its executions and failure (0 or 1) to the benchmark.</summary>
    static void Target(Action run)
    {
        long before = Execs;
        try { run(); }
        catch
        {
            BenchFigures.Add("fuzz_crashes", 1);
            throw;
        }
        finally { BenchFigures.Add("fuzz_execs", Execs - before); }
    }

    /// <summary>A seed with up to 8 random edits: overwrite, insert or delete a byte.</summary>
    static Gen<byte[]> Mutations(params byte[][] seeds) =>
        Gen.Select(Gen.Int[0, seeds.Length - 1], Gen.Select(Gen.Int[0, 2], Gen.Int, Gen.Byte).Array[0, 8], (i, edits) =>
        {
            var b = seeds[i].ToList();
            foreach (var (op, at, value) in edits)
            {
                int pos = b.Count == 0 ? 0 : (int)((uint)at % (uint)b.Count);
                if (op == 0 && b.Count > 0) b[pos] = value;
                else if (op == 1) b.Insert(pos, value);
                else if (b.Count > 0) b.RemoveAt(pos);
            }
            return b.ToArray();
        });

    static Gen<byte[]> Bytes(params byte[][] seeds) => Gen.OneOf(Gen.Byte.Array[0, 600], Mutations(seeds));

    static Gen<T> Pick<T>(params T[] values) => Gen.Int[0, values.Length - 1].Select(i => values[i]);

    static readonly Board Board = new() { WanDevice = "wan0", LanPorts = ["lan1", "lan2"] };

    static readonly string[] Documents =
    [
        RouterJson.WriteSettings(FirstBoot.Settings(Board, _ => "hash")),
        """{"schemaVersion":2,"lan":{"address":"10.0.0.1/24","staticLeases":[{"mac":"02:00:00:00:01:01","address":"10.0.0.9","hostname":"phone"}]},"wan":{"mode":"pppoe","device":"wan0","pppoe":{"username":"u","password":"p"},"static":{"address":"203.0.113.2/24","gateway":"203.0.113.1","dns":["1.1.1.1"]},"dnsOverride":["9.9.9.9"]},"devices":[{"mac":"02:00:00:00:01:02","name":"tv","priority":true,"priorityUntil":"2030-01-01T00:00:00Z"}],"qos":{"uploadKbit":1000}}""",
    ];

    [Fact]
    public void Settings_bodies_are_a_result_or_a_400_naming_the_field()
    {
        Target(() =>
        {
            var seeds = Documents.Select(Encoding.UTF8.GetBytes).ToArray();
            var text = Gen.OneOf(Mutations(seeds).Select(b => Encoding.UTF8.GetString(b)), Gen.String);
            text.Sample(json =>
            {
                Count();
                foreach (bool migrate in new[] { true, false })
                {
                    try
                    {
                        var s = RouterJson.ReadSettings(json, migrate);
                        DesiredStateBuilder.Validate(s, Board, new SystemFacts(null));
                        SettingsSecrets.Redact(s);
                    }
                    catch (SettingsDocumentException) { }
                }
            }, iter: Iterations, threads: 1);
        });
    }

    [Fact]
    public void Netlink_messages_are_decoded_or_skipped_never_thrown()
    {
        Target(() =>
        {
            Bytes(GoldenMessages.NewLink, GoldenMessages.NewNeighbour, GoldenMessages.NewAddressV4, GoldenMessages.NewAddressV6,
                    GoldenMessages.NewDefaultRoute, GoldenMessages.NewConnectedRoute, GoldenMessages.NewRootHtbQdisc, GoldenMessages.NewLeafQdisc)
                .Sample(datagram =>
                {
                    Count();
                    var reader = new NetlinkMessageReader(datagram);
                    while (reader.TryRead(out var header, out var payload)) RtnlDecoders.DecodeEvent(header.nlmsg_type, payload);
                    foreach (ushort type in new ushort[] { 16, 20, 24, 28, 36 }) RtnlDecoders.DecodeEvent(type, datagram);
                }, iter: Iterations, threads: 1);
        });
    }

    [Fact]
    public void Pppoe_discovery_frames_are_an_offer_or_nothing()
    {
        Target(() =>
        {
            byte[] us = [0x02, 0x00, 0x00, 0x00, 0x00, 0x10], hostUniq = [0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04];
            Bytes(DiscoveryFrameTests.Pado()).Sample(frame =>
            {
                Count();
                PppoeOfferParser.TryParse(frame, us, hostUniq);
                if (PppoeFrameReader.TryOpen(frame, out var reader))
                    while (reader.TryReadTag(out _, out _)) { }
            }, iter: Iterations, threads: 1);
        });
    }

    static readonly byte[][] HostapdSeeds =
    [
        "<3>AP-STA-CONNECTED 02:00:00:00:01:01"u8.ToArray(),
        "<3>AP-STA-DISCONNECTED 02:00:00:00:01:01"u8.ToArray(),
        "02:00:00:00:01:01\nflags=[AUTH][ASSOC][AUTHORIZED]\nsignal=-52\nrx_bytes=100\n"u8.ToArray(),
        "state=ENABLED\nssid[0]=home\nchannel=6\n"u8.ToArray(),
    ];

    [Fact]
    public void Hostapd_events_and_replies_are_parsed_or_ignored()
    {
        Target(() =>
        {
            Bytes(HostapdSeeds).Select(b => Encoding.UTF8.GetString(b)).Sample(text =>
            {
                Count();
                StationEvent.Parse(text);
                StationEvent.ParseSta(text);
                HostapdText.Fields(text);
            }, iter: Iterations, threads: 1);
        });
    }

    [Fact]
    public void Lease_files_and_hook_reports_are_parsed_or_refused()
    {
        Target(() =>
        {
            byte[][] leases = ["1767225600 02:00:00:00:01:01 192.168.1.100 phone 01:02:00:00:00:01:01\n1767225600 02:00:00:00:01:02 192.168.1.101 * *\n"u8.ToArray()];
            Bytes(leases).Select(b => Encoding.UTF8.GetString(b)).Sample(text =>
            {
                Count();
                DnsmasqLeases.Parse(text);
            }, iter: Iterations, threads: 1);

            var field = Gen.OneOf(Gen.Const((string?)null), Gen.String.Select(s => (string?)s),
                Pick<string?>("203.0.113.10", "255.255.255.0", "203.0.113.1", "1.1.1.1 8.8.8.8", "3600", "24", "0", "-1", "999999999999"));
            Gen.Select(Pick("bound", "renew", "deconfig", "nak", "leasefail"), field, field, field, field, field)
                .Sample((ev, ip, subnet, router, dns, lease) =>
                {
                    Count();
                    try { WanLeaseParser.Parse(new DhcpHookReport(ev, "wan0", ip, subnet, router, dns, lease, DateTimeOffset.UnixEpoch)); }
                    catch (FormatException) { } // the reconciler logs it and keeps its lease
                }, iter: Iterations, threads: 1);
        });
    }
}

/// <summary>`./build.sh bench hardening` collects figures from the unit tier through the file
/// ROUTERD_BENCH_OUT names (key=value lines, summed per key); without it nothing is written.</summary>
public static class BenchFigures
{
    static readonly Lock Gate = new();

    public static void Add(string key, double value)
    {
        if (Environment.GetEnvironmentVariable("ROUTERD_BENCH_OUT") is { Length: > 0 } file)
            lock (Gate) File.AppendAllText(file, FormattableString.Invariant($"{key}={value}\n"));
    }
}
