using Routerd.Core.Net;
using Routerd.Core.Settings;

namespace Routerd.Core.Wan;

/// <summary>Validates the static WAN block (wan.static) and builds <see cref="StaticPlan"/>.</summary>
public static class StaticRules
{
    /// <param name="active">static is the WAN's mode: the block is required, its DNS servers are
    /// used and its address must not overlap the LAN. An inactive block is checked the same.</param>
    public static StaticPlan? Build(StaticWanSettings? st, bool active, LanPlan? lan, List<string> dns, List<FieldError> errors)
    {
        if (st is null)
        {
            if (active) errors.Add(new("wan.static", "static mode needs an address and a gateway"));
            return null;
        }
        int before = errors.Count;
        Ipv4Network address = default;
        uint gateway = 0;
        if (!Ipv4Network.TryParse(st.Address, out address) || address.PrefixLength is < 1 or > 32 || !address.IsHostAddress(address.Address))
            errors.Add(new("wan.static.address", $"'{st.Address}' is not an IPv4 host address with prefix, e.g. 203.0.113.2/24"));
        else
        {
            AddressFields.Host("wan.static.gateway", st.Gateway, address, errors, out gateway);
            if (active && lan is not null && lan.Address.Overlaps(address))
                errors.Add(new("wan.static.address", $"{address} overlaps the LAN subnet {lan.Address.Network}/{lan.Address.PrefixLength}"));
        }
        var servers = new List<string>();
        AddressFields.DnsList("wan.static.dns", st.Dns, servers, errors);
        if (!active || errors.Count != before) return null;
        dns.AddRange(servers);
        return new StaticPlan(address, gateway);
    }
}
