using System.Net;
using Routerd.Core.Diagnostics;
using Xunit;

namespace Routerd.Tests.Diagnostics;

/// <summary>A device's connections from the conntrack table: only its own, from its side, bounded.</summary>
public class DeviceConnectionsTests
{
    static readonly IPAddress Phone = IPAddress.Parse("192.168.1.77"), PhoneV6 = IPAddress.Parse("2001:db8:1::77"),
        Laptop = IPAddress.Parse("192.168.1.78"), Internet = IPAddress.Parse("198.51.100.10"), Wan = IPAddress.Parse("203.0.113.10");

    static ConntrackEntry Out(IPAddress from, int port, uint status = ConntrackEntry.SeenReply | ConntrackEntry.Assured) =>
        new(6, new(from, Internet, port, 80), new(Internet, Wan, 80, port), status, 3, 120);

    static readonly ConntrackEntry Forwarded =
        new(6, new(Internet, Wan, 40000, 8080), new(Phone, Internet, 7100, 40000), ConntrackEntry.SeenReply | ConntrackEntry.DestinationNat, 3, 431999);

    [Fact]
    public void Outgoing_and_forwarded_connections_are_shown_from_the_devices_side()
    {
        var view = DeviceConnections.For("02:00:00:00:01:01", [Out(Phone, 50000), Forwarded, Out(Laptop, 50001)], [Phone, PhoneV6]);

        Assert.Equal(2, view.Total);
        Assert.False(view.Truncated);
        Assert.Equal(new ConnectionView("tcp", "out", "192.168.1.77", 50000, "198.51.100.10", 80, "established", true, 120, null, null), view.Connections[0]);
        Assert.Equal(new ConnectionView("tcp", "in", "192.168.1.77", 7100, "198.51.100.10", 40000, "established", true, 431999, 8080, null), view.Connections[1]);
    }

    [Fact]
    public void At_most_the_bound_is_listed_and_the_rest_counted()
    {
        var entries = Enumerable.Range(1, 25).Select(i => Out(PhoneV6, 40000 + i)).ToList();
        var view = DeviceConnections.For("m", entries, [PhoneV6], max: 10);
        Assert.Equal(25, view.Total);
        Assert.True(view.Truncated);
        Assert.Equal(10, view.Connections.Count);
    }

    [Fact]
    public void A_device_without_addresses_has_no_connections_and_the_table_is_not_read()
    {
        var view = DeviceConnections.Read("m", new Throwing(), []);
        Assert.Equal(0, view.Total);
        Assert.Empty(view.Connections);
    }

    [Fact]
    public void The_reader_is_asked_to_keep_only_the_devices_entries()
    {
        var reader = new ConntrackTable([Out(Phone, 1), Out(Laptop, 2), Forwarded]);
        var view = DeviceConnections.Read("m", reader, [Laptop]);
        Assert.Equal(1, view.Total);
        Assert.Equal(1, reader.Kept);
    }

    [Theory]
    [InlineData(3, "established")]
    [InlineData(1, "syn-sent")]
    [InlineData(7, "time-wait")]
    [InlineData(42, "state 42")]
    public void Tcp_states_in_conntracks_words(byte state, string words) => Assert.Equal(words, DeviceConnections.TcpState(state));

    sealed class Throwing : IConntrackReader
    {
        public IReadOnlyList<ConntrackEntry> Dump(Func<ConntrackEntry, bool> keep) => throw new InvalidOperationException("must not be read");
    }

}
