using Microsoft.Extensions.Logging.Abstractions;
using Routerd.Core.Ipv6;
using Routerd.Platform.Dhcp;
using Xunit;

namespace Routerd.Tests.Processes;

/// <summary>dhcpcd takes link-local addressing off the kernel on its interface (addr_gen_mode 1)
/// and removes its own fe80:: address when it stops: the adapter gives the interface back to the
/// kernel then, or a static IPv6 WAN on it would have no neighbour discovery. A stand-in process
/// plays dhcpcd (its last argument is the interface, as in dhcpcd's real command line), and a
/// script plays ip, writing down what it was asked.</summary>
public sealed class DhcpcdClientTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("rd-dhcpcd-").FullName;
    string Mode(string device) => Path.Combine(dir, "sys", "net", "ipv6", "conf", device, "addr_gen_mode");
    string Ip => Path.Combine(dir, "ip");
    string IpCalls => Path.Combine(dir, "ip-calls");
    string Calls() => File.Exists(IpCalls) ? File.ReadAllText(IpCalls) : "";

    public DhcpcdClientTests()
    {
        foreach (var device in new[] { "wan0", "lan1" })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Mode(device))!);
            File.WriteAllText(Mode(device), "1\n"); // as dhcpcd leaves it
        }
        File.WriteAllText(Ip, $"#!/bin/sh\necho \"$*\" >> '{IpCalls}'\ncat >> '{IpCalls}'\n");
        File.SetUnixFileMode(Ip, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    Dhcp6ClientPlan On(string device, string config = "c") => new("/bin/sh", ["-c", "exec sleep 30", device], config, "#!/bin/sh\n");

    [Fact]
    public void Stopping_gives_the_link_local_back_and_a_restart_on_the_same_interface_does_not()
    {
        using var client = new DhcpcdClient(dir, dir, dir, Ip, NullLogger.Instance, Path.Combine(dir, "sys"));
        client.Apply(On("wan0"));
        client.Apply(On("wan0", "changed")); // restarted on the same port: dhcpcd keeps it
        Assert.Equal("1", File.ReadAllText(Mode("wan0")).Trim());
        client.Apply(On("lan1"));            // moved to another interface: the old one is the kernel's again
        Assert.Equal("0", File.ReadAllText(Mode("wan0")).Trim());
        Assert.Equal("1", File.ReadAllText(Mode("lan1")).Trim());
        client.Apply(null);                  // stopped (a static IPv6 WAN)
        Assert.Equal("0", File.ReadAllText(Mode("lan1")).Trim());
        client.Apply(null);                  // nothing ran: nothing to give back, no failure
    }

    [Fact]
    public void Leaving_an_interface_takes_away_the_addresses_and_routes_a_killed_dhcpcd_would_leave()
    {
        using var client = new DhcpcdClient(dir, dir, dir, Ip, NullLogger.Instance, Path.Combine(dir, "sys"));
        client.Apply(On("wan0"));
        client.Apply(On("wan0", "changed")); // the next dhcpcd takes over what the last one held
        Assert.Equal("", Calls());
        client.Apply(null);                  // IPv6 switched off
        Assert.Equal("""
            -6 -force -batch -
            address flush dev wan0 scope global dynamic
            route flush dev wan0 proto ra
            route flush dev wan0 proto dhcp

            """, Calls());
    }

    [Fact]
    public void An_interface_that_went_has_nothing_to_give_back()
    {
        using var client = new DhcpcdClient(dir, dir, dir, Ip, NullLogger.Instance, Path.Combine(dir, "sys"));
        client.Apply(On("ppp-wan"));
        client.Apply(null);
        Assert.False(File.Exists(Mode("ppp-wan")));
        Assert.Equal("", Calls());
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);
}
