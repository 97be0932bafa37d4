namespace Routerd.Lab;

/// <summary>The lab's fixed numbers. They exist only inside the lab's own namespaces; the
/// documentation ranges (RFC 5737) stand in for the ISP and the internet.</summary>
public static class LabAddresses
{
    /// <summary>The ISP's side of the WAN link: gateway, DHCP server and DNS server for the router.</summary>
    public const string Isp = "203.0.113.1";
    public const int IspPrefix = 24;
    public const string WanPoolStart = "203.0.113.10";
    public const string WanPoolEnd = "203.0.113.50";

    /// <summary>The "internet host", on the ISP namespace's loopback.</summary>
    public const string InternetHost = "198.51.100.10";
    /// <summary>A name the ISP's DNS resolves to <see cref="InternetHost"/>.</summary>
    public const string InternetName = "internet.test";
    public const int HttpPort = 80;
    /// <summary>A TCP service on the internet host that answers with the caller's address as it sees it.</summary>
    public const int WhoamiPort = 7000;
    public const int IperfPort = 5201;
    /// <summary>The file the internet host serves at /hello.txt, and its content.</summary>
    public const string HelloPath = "/hello.txt";
    public const string HelloText = "hello from the internet host";

    /// <summary>routerd's first-boot LAN address (board defaults).</summary>
    public const string RouterLan = "192.168.1.1";
    public const string LanSubnet = "192.168.1.0/24";
}

/// <summary>A LAN client: its own namespace with <c>eth0</c>, cabled to the router's
/// <paramref name="RouterPort"/>, with a MAC the lab fixes so tests can name it.
/// <paramref name="Hostname"/> is what its DHCP client calls it (null: the name).</summary>
public sealed record LabClient(string Name, string Namespace, string Mac, string RouterPort, string? Hostname = null);

/// <summary>What the client's DHCP hook last applied. <paramref name="Event"/> is udhcpc's
/// (bound or renew) or dhcpcd's reason in lower case (bound, renew, rebind, reboot), <paramref name="Count"/> how many leases it has applied so far, so a test
/// can tell that a renewal happened.</summary>
public sealed record ClientLease(string Address, int Prefix, string Router, string Dns, int Seconds, string Event, int Count);
