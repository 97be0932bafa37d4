using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Routerd.Core.Settings;
using Xunit;
using Routerd.Core.Firewall;
using Routerd.Core.Loop;
using Routerd.Core.Qos;
using Routerd.Core.Wan;

namespace Routerd.Tests.Rendering;

/// <summary>Config in, expected text out (like OpenWrt firewall4's tests). Each folder under
/// Golden/ holds description (one line: the behaviour it proves), input.json (board, settings
/// and optionally a WAN DHCP event, a DHCPv6 event or a PPP ip-up report) and expected/, one file per rendered
/// config. UPDATE_GOLDEN=1 rewrites expected/ from the renderers: review
/// the diff before committing it.</summary>
public class GoldenTests
{
    /// <summary>"Now" for the golden files: priorities that end before it have expired.</summary>
    static readonly DateTimeOffset Now = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
    static readonly HookTarget Hooks = new(["/usr/bin/routerd"], "/run/routerd/routerd.sock");

    public static TheoryData<string> Cases() => new(Names());

    /// <summary>The golden cases' folder names, in order.</summary>
    public static IEnumerable<string> Names() =>
        Directory.GetDirectories(Path.Combine(AppContext.BaseDirectory, "Golden")).Order().Select(dir => Path.GetFileName(dir));

    /// <summary>Each case says in one line, in its <c>description</c> file, which behaviour it
    /// proves (like firewall4's tests): a case without one fails here.</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_case_says_what_it_proves(string name)
    {
        var file = Path.Combine(AppContext.BaseDirectory, "Golden", name, "description");
        Assert.True(File.Exists(file), $"Golden/{name} has no description file: one line saying what behaviour the case proves");
        var lines = File.ReadAllLines(file).Where(l => l.Trim().Length > 0).ToList();
        Assert.True(lines.Count == 1 && lines[0].Length >= 20, $"Golden/{name}/description must be one line of at least 20 characters");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Renders_as_expected(string name)
    {
        var rendered = Render(Path.Combine(AppContext.BaseDirectory, "Golden", name, "input.json"));
        var expectedDir = Path.Combine(AppContext.BaseDirectory, "Golden", name, "expected");

        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            var sourceDir = Path.Combine(SourceDirectory(), "Golden", name, "expected");
            if (Directory.Exists(sourceDir)) Directory.Delete(sourceDir, recursive: true);
            Directory.CreateDirectory(sourceDir);
            foreach (var (file, text) in rendered) File.WriteAllText(Path.Combine(sourceDir, file), text);
            return;
        }

        var expectedFiles = Directory.GetFiles(expectedDir).Select(f => Path.GetFileName(f)).Order().ToList();
        Assert.Equal(expectedFiles, rendered.Keys.Order().ToList());
        foreach (var (file, text) in rendered)
            Assert.Equal(File.ReadAllText(Path.Combine(expectedDir, file)), text);
    }

    static Dictionary<string, string> Render(string inputFile)
    {
        var input = JsonNode.Parse(File.ReadAllText(inputFile))!.AsObject();
        var board = input["board"].Deserialize(RouterJsonContext.Default.Board)!;
        var settings = RouterJson.ReadSettings(input["settings"]!.ToJsonString());
        WanLease? lease = input["dhcpEvent"] is { } ev ? WanLeaseParser.Parse(ev.Deserialize(RouterJsonContext.Default.DhcpHookReport)!) : null;
        if (input["pppEvent"] is { } pe) lease = new Routerd.Core.Wan.PppSession(TimeProvider.System).Up(pe.Deserialize(RouterJsonContext.Default.PppHookReport)!);
        var state = DesiredStateBuilder.Build(settings, board, new SystemFacts(null, Now));
        var leaf = input["leafQdisc"] is { } l ? Enum.Parse<LeafQdisc>(l.GetValue<string>()) : LeafQdisc.Fifo;
        // A DHCPv6 report from dhcpcd's hook (the WAN's address and delegated prefix).
        var v6 = input["dhcp6Event"] is { } e6 ? Routerd.Core.Ipv6.Dhcp6LeaseParser.Parse(e6.Deserialize(RouterJsonContext.Default.Dhcp6HookReport)!, Now) : null;
        var files = Renderer.RenderAll(state, lease, Hooks, leaf, v6).Files().ToDictionary(f => f.Key, f => f.Value);
        // The VIP sets' elements: the VIP MACs with the addresses given in the input.
        var addresses = input["vipAddresses"]?.AsArray().Select(a => System.Net.IPAddress.Parse(a!.GetValue<string>())) ?? [];
        files["vip-sets.nft"] = VipSets.From(state.Qos.VipMacs, addresses).ToNft();
        // The forward map's elements: each forward's device at the address the input gives it (none: offline).
        var held = input["deviceAddresses"]?.AsObject().ToDictionary(kv => Routerd.Core.Net.MacAddress.Parse(kv.Key), kv => System.Net.IPAddress.Parse(kv.Value!.GetValue<string>())) ?? [];
        files["forward-map.nft"] = ForwardMap.From(state.Forwards, mac => held.GetValueOrDefault(mac)).ToNft();
        // The forwards' IPv6 pinholes (cases with forwards only): each device at the IPv6 addresses the input gives it.
        var heldV6 = input["deviceAddressesV6"]?.AsObject().ToDictionary(kv => Routerd.Core.Net.MacAddress.Parse(kv.Key),
            kv => kv.Value!.AsArray().Select(a => System.Net.IPAddress.Parse(a!.GetValue<string>())).ToList()) ?? [];
        if (state.Forwards.Count > 0)
            files["forward-pinholes.nft"] = ForwardPinholes.From(state.Forwards, mac => heldV6.GetValueOrDefault(mac) ?? []).ToNft();
        // The paused devices' elements: who is paused at Now (router time UTC), at the addresses the input gives them.
        var paused = state.Pause.BlockedAt(Now, TimeZoneInfo.Utc);
        files["pause-sets.nft"] = PauseSets.From(paused, paused.Select(mac => held.GetValueOrDefault(mac)).OfType<System.Net.IPAddress>()).ToNft();
        // The virtual servers' map elements (none without servers): which port leads to which server
        // (its chain or IPVS mark) and, on nftables, the slot maps: the backends' devices at the input's
        // addresses, those listed in downBackends ("server/backend key") out of the pool. IPVS's plan beside them.
        var down = input["downBackends"]?.AsArray().Select(d => d!.GetValue<string>()).ToHashSet() ?? [];
        var pool = Routerd.Core.VirtualServers.BackendPool.From(state.VirtualServers, mac => held.GetValueOrDefault(mac),
            (id, key) => down.Contains($"{id}/{key}") ? Routerd.Core.VirtualServers.BackendHealth.Down : Routerd.Core.VirtualServers.BackendHealth.Up);
        if (state.VirtualServers.Count > 0)
            files["virtual-servers.nft"] = Routerd.Core.VirtualServers.VirtualServerRenderer.Elements(state, pool);
        if (state.VirtualServers.Count > 0 && Routerd.Core.VirtualServers.VirtualServerRenderer.UsesIpvs(board))
            files["ipvs.plan"] = pool.ToIpvs().Describe();
        return files;
    }

    static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(Path.GetDirectoryName(path))!;
}
