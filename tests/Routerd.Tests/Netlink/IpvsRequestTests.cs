using System.Net;
using Routerd.Core.VirtualServers;
using Routerd.Platform.Ipvs;
using Routerd.Platform.Netlink;
using Xunit;
using static Routerd.Tests.Netlink.GoldenMessages;

namespace Routerd.Tests.Netlink;

/// <summary>IPVS's generic netlink requests, byte for byte (include/uapi/linux/ip_vs.h).</summary>
public class IpvsRequestTests
{
    [Fact]
    public void A_new_destination_names_the_fwmark_service_and_a_masqueraded_backend()
    {
        var buffer = new byte[256];
        int n = IpvsNetlink.Message(buffer, 42, 0x25, 5, 0x05, (ref NetlinkRequestWriter w) =>
            IpvsNetlink.Destination(ref w, 0x52440001, new IpvsDestination(IPAddress.Parse("192.168.1.21"), 80, 3), full: true));
        Assert.Equal(Convert.ToHexString(Hex(
            "70000000 2500 0500 2a000000 00000000", // nlmsghdr: len 112, the IPVS family (37 here), NLM_F_REQUEST|NLM_F_ACK, seq 42
            "05 01 0000",                           // genlmsghdr: IPVS_CMD_NEW_DEST, version 1
            "1400 0100",                            // IPVS_CMD_ATTR_SERVICE, 20 bytes:
            "  0600 0100 0200 0000",                //   IPVS_SVC_ATTR_AF AF_INET + padding
            "  0800 0500 01004452",                 //   IPVS_SVC_ATTR_FWMARK 0x52440001
            "4800 0200",                            // IPVS_CMD_ATTR_DEST, 72 bytes:
            "  1400 0100 c0a80115 000000000000000000000000", // IPVS_DEST_ATTR_ADDR 192.168.1.21 in union nf_inet_addr
            "  0600 0200 0050 0000",                //   IPVS_DEST_ATTR_PORT 80, network order
            "  0800 0300 00000000",                 //   IPVS_DEST_ATTR_FWD_METHOD IP_VS_CONN_F_MASQ
            "  0800 0400 03000000",                 //   IPVS_DEST_ATTR_WEIGHT 3
            "  0800 0500 00000000",                 //   IPVS_DEST_ATTR_U_THRESH none
            "  0800 0600 00000000",                 //   IPVS_DEST_ATTR_L_THRESH none
            "  0600 0b00 0200 0000")),              //   IPVS_DEST_ATTR_ADDR_FAMILY AF_INET
            Convert.ToHexString(buffer, 0, n));
    }
}
