using System.Net;
using System.Net.Sockets;
using Routerd.Core.Net;

namespace Routerd.Core.Settings;

/// <summary>Address fields of the settings document, parsed once with the refusal naming the
/// field: used by the LAN's rules and by the WAN protocols' own (Wan/Static, ...).</summary>
public static class AddressFields
{
    /// <summary>An IPv4 address; inside <paramref name="subnet"/> and not its network or broadcast address when one is given.</summary>
    public static bool Host(string field, string text, Ipv4Network? subnet, List<FieldError> errors, out uint address)
    {
        if (!Ipv4Network.TryParseAddress(text, out address))
        {
            errors.Add(new(field, $"'{text}' is not an IPv4 address"));
            return false;
        }
        if (subnet is { } net && (!net.Contains(address) || !net.IsHostAddress(address)))
        {
            errors.Add(new(field, $"{text} is outside the subnet {net.Network}/{net.PrefixLength}"));
            return false;
        }
        return true;
    }

    /// <summary>DNS servers, IPv4 or IPv6 (no scope), added to <paramref name="into"/> in their usual spelling.</summary>
    public static void DnsList(string field, IReadOnlyList<string> servers, List<string> into, List<FieldError> errors)
    {
        for (int i = 0; i < servers.Count; i++)
        {
            var text = servers[i];
            bool v4 = Ipv4Network.TryParseAddress(text, out _);
            bool v6 = !v4 && text.Contains(':') && IPAddress.TryParse(text, out var a) && a.AddressFamily == AddressFamily.InterNetworkV6 && a.ScopeId == 0;
            if (v4 || v6) into.Add(v6 ? IPAddress.Parse(text).ToString() : text);
            else errors.Add(new($"{field}[{i}]", $"'{text}' is not an IP address"));
        }
    }
}
