using System.Net;
using Microsoft.Extensions.Configuration;

namespace Routerd.WebUi;

/// <summary>Kestrel's TCP endpoints as configuration that follows the router's LAN address: when
/// it changes (and while a change waits for confirmation, both the old and the new one), the
/// endpoint list is replaced and Kestrel binds and unbinds accordingly (reloadOnChange). Only LAN
/// addresses are ever listened on, never the wildcard.</summary>
public sealed class LanListener(int port) : ConfigurationProvider, IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => this;

    /// <summary>Replaces the endpoints; true if they changed. Keys are per address, so an address
    /// that stays keeps its socket while another one comes or goes.</summary>
    public bool Follow(IEnumerable<IPAddress> addresses)
    {
        lock (following) return FollowLocked(addresses);
    }

    // routerd follows once when its first apply is done and then after each snapshot the loop
    // publishes with other LAN addresses (from a task of its own, not the loop's thread).
    readonly Lock following = new();

    bool FollowLocked(IEnumerable<IPAddress> addresses)
    {
        var next = addresses.Distinct().ToDictionary(
            a => $"Endpoints:lan-{a.ToString().Replace('.', '-')}:Url",
            a => (string?)$"http://{a}:{port}", StringComparer.OrdinalIgnoreCase);
        if (next.Count == Data.Count && next.All(kv => Data.TryGetValue(kv.Key, out var v) && v == kv.Value)) return false;
        Data = next;
        OnReload();
        return true;
    }
}
