using Microsoft.Extensions.Logging;
using Routerd.Core.Lan;
using Routerd.Core.Net;
using Routerd.Core.Settings;
using Routerd.Core.Wan;

namespace Routerd.Core.Loop;

// A WAN lease inside the LAN's subnet (issue 18, 9b): the LAN moves to the next free private /24
// (LanConflict decides where) through the apply-with-rollback machinery: the new address is
// applied with the old one kept on the bridge, so a browser in the old subnet still reaches the
// router (and, through it as its gateway, the new address) and is shown why (the pending view's
// reason, status "lan/MOVED"), and the LAN's devices are made to take new addresses at once
// (Lan/LanReconnect.cs). Unlike an owner's change it is not rolled back at the deadline:
// the old address just goes (sooner, when confirmed from the new one). Meanwhile the lease is
// held, not applied: the old subnet on the bridge is the modem's subnet, often its very address.
public sealed partial class Router
{
    /// <summary>A DHCP lease that overlaps an address on the bridge, waiting for that address to go.</summary>
    WanLease? heldLease;

    IEnumerable<Ipv4Network> OnBridge() =>
        state.Lan.Fallback is { } old ? [state.Lan.Address, old] : [state.Lan.Address];

    /// <summary>True when <paramref name="next"/> was taken care of here: held while it overlaps a
    /// LAN address on the bridge, and the LAN moved away from it unless a change is already under way.</summary>
    bool HoldForLanMove(WanLease? next)
    {
        if (next is null || !OnBridge().Any(a => LanConflict.Conflicts(a, next.Address)))
        {
            heldLease = null;
            return false;
        }
        // A LAN that cannot move (no free /24 passes validation) gets the lease as before.
        if (pending is null && retiring is null)
        {
            if (!StartLanMove(next))
            {
                heldLease = null;
                return false;
            }
        }
        else if (lease is not null)
        {
            lease = null; // a previous lease is over: the client took this one instead
            Reapply();
        }
        heldLease = next;
        return true;
    }

    bool StartLanMove(WanLease wan)
    {
        var guest = settings.Wifi.Guest is { Enabled: true } g && Ipv4Network.TryParse(g.Address, out var subnet) ? subnet : (Ipv4Network?)null;
        if (LanConflict.Resolve(settings.Lan, wan.Address, guest) is not { } moved) return false;
        var next = settings with { Lan = moved };
        if (DesiredStateBuilder.TryBuild(next, board, Facts(), out var errors) is not { } built)
        {
            LogLanMoveFailed(log, wan.Address.ToString(), string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")));
            return false;
        }
        lease = null; // a previous lease is over: the client took this one instead
        var ports = appliers.Carrier is null ? [] : built.Lan.Ports;
        bool stations = appliers.Wifi is not null && built.Wifi is { Enabled: true, Device: not null };
        string why = LanConflict.Explain(wan.Address, state.Lan.Address, Ipv4Network.Parse(moved.Address), LanReconnect.Explain(ports, stations));
        pending = PendingChange.Begin(settings.Lan, moved, monotonic.Now, TimeSpan.FromSeconds(board.RollbackSeconds), why);
        var result = Commit(next, built);
        if (!result.Succeeded)
        {
            pending = null;
            LogLanMoveFailed(log, wan.Address.ToString(), result.FailureCode + ": " + result.FailureMessage);
            return false;
        }
        subsystems["lan"] = new SubsystemStatus("lan", LanConflict.MovedCode, why);
        LogLanMoved(log, why);
        // dnsmasq hands out the new subnet now (applied above): the devices are made to ask for it (Lan/LanReconnect.cs).
        if (ports.Count > 0) appliers.Carrier!.Bounce(ports, LanReconnect.CarrierDown);
        if (stations) appliers.Wifi!.DisconnectStations();
        return true;
    }

    /// <summary>An automatic move's deadline: the move is stored, the old address goes, the held lease comes in.</summary>
    void KeepLanMove()
    {
        Store(settings); // a failure is logged; the move stays applied and is stored by the next change
        state = state with { Lan = state.Lan with { Fallback = null } };
        ReleaseHeldLease();
        Reapply();
    }

    /// <summary>The old address left the bridge: a held lease is applied now (or, still
    /// overlapping the LAN, moves it).</summary>
    void ReleaseHeldLease()
    {
        if (heldLease is not { } held) return;
        heldLease = null;
        if (!HoldForLanMove(held)) lease = held;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Why}")]
    static partial void LogLanMoved(ILogger log, string why);
    [LoggerMessage(Level = LogLevel.Error, Message = "the WAN lease {Wan} overlaps the LAN, and the LAN could not be moved: {Reason}")]
    static partial void LogLanMoveFailed(ILogger log, string wan, string reason);
}
