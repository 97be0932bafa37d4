namespace Routerd.Tests.Netlink;

/// <summary>Kernel messages as they arrive on a little-endian machine (x86-64, arm64), written
/// out field by field from the uapi layouts so a reader can check each byte.</summary>
internal static class GoldenMessages
{
    /// <summary>ip neigh: 192.168.1.100 dev ifindex 3 lladdr 02:00:00:00:00:01 REACHABLE.</summary>
    public static readonly byte[] NewNeighbour = Hex(
        "4c000000 1c00 0000 00000000 00000000", // nlmsghdr: len 76, RTM_NEWNEIGH, no flags, seq 0, pid 0
        "02 00 0000 03000000 0200 00 01",       // ndmsg: AF_INET, pad, pad, ifindex 3, NUD_REACHABLE, flags 0, RTN_UNICAST
        "0800 0100 c0a80164",                   // NDA_DST 192.168.1.100
        "0a00 0200 020000000001 0000",          // NDA_LLADDR 02:00:00:00:00:01 + 2 padding
        "1400 0300 10000000 20000000 30000000 01000000", // NDA_CACHEINFO (confirmed, used, updated, refcnt)
        "0800 0400 00000000");                  // NDA_PROBES 0

    /// <summary>A veth "lan0" (ifindex 4), up with carrier, enslaved to ifindex 5.</summary>
    public static readonly byte[] NewLink = Hex(
        "60000000 1000 0000 00000000 00000000", // nlmsghdr: len 96, RTM_NEWLINK
        "00 00 0100 04000000 43100100 ffffffff", // ifinfomsg: AF_UNSPEC, ARPHRD_ETHER, index 4, UP|BROADCAST|RUNNING|MULTICAST|LOWER_UP, change
        "0900 0300 6c616e3000 000000",          // IFLA_IFNAME "lan0\0" + 3 padding
        "0800 0400 dc050000",                   // IFLA_MTU 1500
        "0a00 0100 020000000002 0000",          // IFLA_ADDRESS 02:00:00:00:00:02
        "0800 0a00 05000000",                   // IFLA_MASTER 5
        "1000 1200",                            // IFLA_LINKINFO, 16 bytes, nesting:
        "  0900 0100 7665746800 000000",        //   IFLA_INFO_KIND "veth\0"
        "0500 1000 06 000000");                 // IFLA_OPERSTATE IF_OPER_UP (u8) + padding: not ours to read

    /// <summary>ip addr: 192.168.1.1/24 brd 192.168.1.255 on ifindex 4, scope global.</summary>
    public static readonly byte[] NewAddressV4 = Hex(
        "44000000 1400 0000 00000000 00000000", // nlmsghdr: len 68, RTM_NEWADDR
        "02 18 80 00 04000000",                 // ifaddrmsg: AF_INET, /24, IFA_F_PERMANENT, RT_SCOPE_UNIVERSE, index 4
        "0800 0100 c0a80101",                   // IFA_ADDRESS 192.168.1.1
        "0800 0200 c0a80101",                   // IFA_LOCAL 192.168.1.1
        "0800 0400 c0a801ff",                   // IFA_BROADCAST 192.168.1.255
        "0900 0300 6c616e3000 000000",          // IFA_LABEL "lan0\0"
        "0800 0800 80000000");                  // IFA_FLAGS IFA_F_PERMANENT

    /// <summary>ip addr: fe80::ff:fe00:2/64 on ifindex 4, scope link.</summary>
    public static readonly byte[] NewAddressV6 = Hex(
        "48000000 1400 0000 00000000 00000000", // nlmsghdr: len 72, RTM_NEWADDR
        "0a 40 80 fd 04000000",                 // ifaddrmsg: AF_INET6, /64, IFA_F_PERMANENT, RT_SCOPE_LINK, index 4
        "1400 0100 fe800000000000000000 00fffe000002", // IFA_ADDRESS fe80::ff:fe00:2
        "1400 0600 ffffffff ffffffff 64000000 64000000", // IFA_CACHEINFO (prefered, valid, cstamp, tstamp)
        "0800 0800 80000000");                  // IFA_FLAGS

    /// <summary>A point-to-point address (as pppd sets it): IFA_ADDRESS is the peer.</summary>
    public static readonly byte[] NewAddressPointToPoint = Hex(
        "28000000 1400 0000 00000000 00000000", // nlmsghdr: len 40, RTM_NEWADDR
        "02 20 80 00 07000000",                 // ifaddrmsg: AF_INET, /32, permanent, universe, index 7
        "0800 0100 0a000002",                   // IFA_ADDRESS 10.0.0.2 (the peer)
        "0800 0200 0a000001");                  // IFA_LOCAL 10.0.0.1 (ours)

    /// <summary>ip route: default via 192.168.0.254 dev ifindex 2 proto dhcp metric 100.</summary>
    public static readonly byte[] NewDefaultRoute = Hex(
        "3c000000 1800 0000 00000000 00000000", // nlmsghdr: len 60, RTM_NEWROUTE
        "02 00 00 00 fe 10 00 01 00000000",     // rtmsg: AF_INET, dst /0, src /0, tos 0, main, RTPROT_DHCP, universe, RTN_UNICAST, flags
        "0800 0f00 fe000000",                   // RTA_TABLE 254
        "0800 0600 64000000",                   // RTA_PRIORITY 100
        "0800 0500 c0a800fe",                   // RTA_GATEWAY 192.168.0.254
        "0800 0400 02000000");                  // RTA_OIF 2

    /// <summary>ip route: 192.168.0.0/24 dev ifindex 2 proto kernel scope link src 192.168.0.10.</summary>
    public static readonly byte[] NewConnectedRoute = Hex(
        "3c000000 1800 0000 00000000 00000000", // nlmsghdr: len 60, RTM_NEWROUTE
        "02 18 00 00 fe 02 fd 01 00000000",     // rtmsg: AF_INET, dst /24, main, RTPROT_KERNEL, RT_SCOPE_LINK, RTN_UNICAST
        "0800 0f00 fe000000",                   // RTA_TABLE 254
        "0800 0100 c0a80000",                   // RTA_DST 192.168.0.0
        "0800 0700 c0a8000a",                   // RTA_PREFSRC 192.168.0.10
        "0800 0400 02000000");                  // RTA_OIF 2

    /// <summary>tc qdisc: htb 1: root on ifindex 3 (the options and statistics that follow are
    /// not read, so only the start of TCA_OPTIONS is kept).</summary>
    public static readonly byte[] NewRootHtbQdisc = Hex(
        "40000000 2400 0200 2a000000 00000000", // nlmsghdr: len 64, RTM_NEWQDISC, NLM_F_MULTI, seq 42
        "00 00 0000 03000000 00000100 ffffffff 02000000", // tcmsg: AF_UNSPEC, ifindex 3, handle 1:, parent TC_H_ROOT, refcnt 2
        "0800 0100 68746200",                   // TCA_KIND "htb\0"
        "0800 0f00 00000000",                   // TCA_HW_OFFLOAD 0
        "0c00 0200 0800 0200 01000000");        // TCA_OPTIONS, nesting TCA_HTB_INIT's start

    /// <summary>tc qdisc: pfifo 10: parent 1:10 on ifindex 3.</summary>
    public static readonly byte[] NewLeafQdisc = Hex(
        "30000000 2400 0200 2a000000 00000000", // nlmsghdr: len 48, RTM_NEWQDISC, NLM_F_MULTI
        "00 00 0000 03000000 00000a00 0a000100 01000000", // tcmsg: ifindex 3, handle 10:, parent 1:10, refcnt 1
        "0a00 0100 706669666f00 0000");         // TCA_KIND "pfifo\0" + 2 padding

    public static byte[] Hex(params string[] fields) =>
        Convert.FromHexString(string.Concat(fields).Replace(" ", "", StringComparison.Ordinal));

    public static IEnumerable<byte[]> All =>
        [NewNeighbour, NewLink, NewAddressV4, NewAddressV6, NewAddressPointToPoint, NewDefaultRoute, NewConnectedRoute, NewRootHtbQdisc, NewLeafQdisc];
}
