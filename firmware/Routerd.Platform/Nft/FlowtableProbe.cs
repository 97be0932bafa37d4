using Routerd.Core.Firewall;

namespace Routerd.Platform.Nft;

/// <summary>Whether this kernel can offload forwarded connections to an nftables flowtable
/// (nf_flow_table, nf_flow_table_inet, nft_flow_offload), asked the way IPVS is asked (IpvsNetlink.TryOpen):
/// by trying, not by reading a kernel version or a module list. A dry run (`nft -c`) of a
/// flowtable on loopback with a `flow add` rule in a forward chain: the kernel checks the whole
/// transaction, loads the modules it names if it can, and then throws it away, so nothing is
/// created and routerd's table, if any, is left as it is. Seen in the lab VM (Debian 6.1): passes;
/// on the development host's kernel, which has no nf_flow_table, the flowtable is refused ("No such
/// file or directory": the kernel finds no flowtable type for the family).</summary>
public static class FlowtableProbe
{
    /// <summary>Loopback always exists; a flowtable device must (it is refused otherwise).</summary>
    internal const string Ruleset = $$"""
        table inet {{NftRenderer.TableName}} {
        	flowtable probe {
        		hook ingress priority filter
        		devices = { "lo" }
        		counter
        	}

        	chain probe {
        		type filter hook forward priority filter; policy accept;
        		meta l4proto { tcp, udp } flow add @probe
        	}
        }

        """;

    public static bool KernelHasFlowtable()
    {
        using var nft = new Nftables();
        try { return nft.Run(Ruleset, dryRun: true).Succeeded; }
        catch (InvalidOperationException) { return false; } // no libnftables: no firewall at all, let alone this
    }
}
