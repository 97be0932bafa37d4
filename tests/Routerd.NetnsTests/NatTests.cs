using Routerd.Lab;
using Xunit;

namespace Routerd.NetnsTests;

/// <summary>LAN clients get addresses from routerd and reach the internet through its NAT.</summary>
public sealed class NatTests(LabFixture fixture) : IClassFixture<LabFixture>
{
    readonly Lab.Lab lab = fixture.Lab;

    [Fact]
    public void Phone_and_laptop_get_leases_from_routerds_dnsmasq()
    {
        string leases = lab.RouterLeases();
        foreach (var client in lab.Clients)
        {
            var lease = lab.LeaseOf(client);
            Assert.NotNull(lease);
            Assert.StartsWith("192.168.1.", lease.Address);
            Assert.Equal(24, lease.Prefix);
            Assert.Equal(LabAddresses.RouterLan, lease.Router);
            Assert.Equal(LabAddresses.RouterLan, lease.Dns);
            // The lease is in routerd's own lease file, so it was routerd's dnsmasq that gave it.
            Assert.Contains($"{client.Mac} {lease.Address} {client.Name}", leases);
        }
    }

    [Fact]
    public void Both_clients_fetch_a_file_from_the_internet_host_through_nat()
    {
        foreach (var client in lab.Clients)
        {
            var fetch = lab.FetchHello(client);
            Assert.True(fetch.Ok, $"{client.Name}: {fetch}\n{lab.Describe()}");
            Assert.Equal(LabAddresses.HelloText, fetch.Stdout.Trim());
        }
    }

    [Fact]
    public void The_internet_host_sees_the_routers_wan_address_as_the_source()
    {
        string wan = lab.WanIp();
        foreach (var client in lab.Clients)
        {
            // The whoami service answers with the peer address it accepted the connection from.
            var seen = lab.RunIn(client.Namespace, $"socat -T 5 - TCP:{LabAddresses.InternetHost}:{LabAddresses.WhoamiPort} </dev/null");
            Assert.True(seen.Ok, seen.ToString());
            Assert.Equal(wan, seen.Stdout.Trim());
        }
    }

    [Fact]
    public void Conntrack_in_the_router_holds_the_translated_flow()
    {
        var phone = lab.LeaseOf(lab.Phone)!;
        Assert.True(lab.FetchHello(lab.Phone).Ok);
        // The closed connection stays in TIME_WAIT for two minutes: original direction from the
        // phone, reply direction to the WAN address (that is the masquerade).
        var flows = lab.RunIn(lab.RouterNs, $"conntrack -L -p tcp -s {phone.Address} -d {LabAddresses.InternetHost} --dport {LabAddresses.HttpPort}");
        Assert.True(flows.Ok, flows.ToString());
        Assert.Contains($"src={LabAddresses.InternetHost} dst={lab.WanIp()} sport={LabAddresses.HttpPort}", flows.Stdout);
    }
}
