using Routerd.Core.Firewall;
using Routerd.Core.Settings;
using Routerd.Core.Net;

namespace Routerd.Core.Loop;

// Port forwards: created, changed and deleted one at a time through the loop, so two edits never
// race on the list. A forward change moves only the forward map's elements (like a priority
// toggle moves the VIP sets): it is batched with the burst and never reloads the ruleset.
public sealed partial class Router
{
    /// <summary>Where each forward leads now, from the device registry's current addresses.</summary>
    ForwardMap ForwardMapOf(DesiredState s) => ForwardMap.From(s.Forwards, ForwardAddressIn(s));

    /// <summary>A device's current IPv4 address inside the LAN subnet of <paramref name="s"/>, or null.</summary>
    Func<MacAddress, System.Net.IPAddress?> ForwardAddressIn(DesiredState s) => mac => devices.Ipv4Of(mac, s.Lan.Address);

    /// <summary>The forwards' IPv6 pinholes: each device's global IPv6 addresses, from the same
    /// registry as the VIP lane's sets (neighbour table, privacy addresses included).</summary>
    ForwardPinholes PinholesOf(DesiredState s) => ForwardPinholes.From(s.Forwards, mac => devices.AddressesOf([mac]));

    /// <summary>The forwards' IPv6 pinholes as the last snapshot has them.</summary>
    public ForwardPinholes Pinholes() => PinholesOf(snapshot.State);

    /// <summary>The forwards as the last snapshot has them, each with where it leads right now.</summary>
    public ForwardMap Forwards() => ForwardMapOf(snapshot.State);

    /// <summary>One forward as the last snapshot has it, with where it leads right now and its IPv6
    /// pinholes' addresses (an edit's answer: the others are not looked at); null when none has this id.</summary>
    public (ForwardTarget Target, IReadOnlyList<System.Net.IPAddress> Ipv6)? Forward(int id)
    {
        var state = snapshot.State;
        if (state.Forwards.FirstOrDefault(f => f.Id == id) is not { } plan) return null;
        var one = state with { Forwards = [plan] };
        return (ForwardMapOf(one).Targets[0], PinholesOf(one).Holes[0].Addresses);
    }

    /// <summary>Creates (<paramref name="id"/> null), replaces or (<paramref name="forward"/> null)
    /// deletes a forward. The answer names the forward's id; <see cref="ForwardChange.NotFound"/>
    /// when <paramref name="id"/> names none.</summary>
    public Task<ForwardChange> EditForwardAsync(int? id, PortForward? forward)
    {
        var edit = new EditForward(id, forward);
        return EditAsync(edit, () => edit.AssignedId);
    }

    /// <summary>Sends an edit of a list by id (a forward, a virtual server); the answer names the id
    /// the loop gave it. A batched change is answered with the burst's ChangeResult (FlushSets).</summary>
    async Task<ForwardChange> EditAsync(RouterEvent edit, Func<int> assignedId) => await SendAsync(edit) switch
    {
        ForwardChange answer => answer,
        ChangeResult result => new ForwardChange(result, assignedId()),
        var other => throw new InvalidOperationException($"unexpected answer {other}"),
    };

    object OnEditForward(EditForward e)
    {
        if (EditById(settings.Forwards, e.Id, e.Forward, f => f.Id, (f, id) => f with { Id = id }) is not { } edit) return ForwardChange.Missing;
        var (list, newId) = edit;
        e.AssignedId = newId;
        // Checked here (not only in the commit) so an overlap is named at the edited forward.
        var errors = new List<FieldError>();
        if (CheckedEdit(list, newId, e.Forward is null, errors) is not { } plans) return new ChangeResult(errors);
        RefuseServerPorts(plans, newId, errors);
        if (errors.Count > 0) return new ChangeResult(errors);
        var next = settings with { Forwards = list };
        return DevicesOnly(next) ? CommitDevices(next, plans) : Commit(next);
    }

    /// <summary>The forwards' plans after an edit of forward <paramref name="id"/> (created,
    /// replaced or <paramref name="deleted"/>): only the edited forward is checked when the others
    /// are the state's plans (checked when they were stored: the same forwards in the same order),
    /// else the whole list.</summary>
    IReadOnlyList<ForwardPlan>? CheckedEdit(List<PortForward> list, int id, bool deleted, List<FieldError> errors)
    {
        var others = state.Forwards.Where(p => p.Id != id).ToList();
        bool aligned = list.Where(f => f.Id != id).Select(f => f.Id).SequenceEqual(others.Select(p => p.Id));
        var ownMacs = Facts().OwnMacs;
        return aligned ? ForwardRules.BuildEdit(list, deleted ? null : list.FindIndex(f => f.Id == id), others, ownMacs, errors)
            : ForwardRules.Build(list, ownMacs, errors, id);
    }

    /// <summary>One edit of a list of things named by id (forwards, virtual servers): create (no
    /// <paramref name="id"/>; the next id after the highest), replace, or delete (no <paramref name="item"/>).
    /// Null: <paramref name="id"/> names none.</summary>
    static (List<T> List, int Id)? EditById<T>(IReadOnlyList<T> items, int? id, T? item, Func<T, int> idOf, Func<T, int, T> withId) where T : class
    {
        var list = items.ToList();
        int at = id is { } wanted ? list.FindIndex(x => idOf(x) == wanted) : -1;
        if (id is not null && at < 0) return null;
        if (item is null)
        {
            list.RemoveAt(at);
            return (list, id!.Value);
        }
        if (at >= 0)
        {
            list[at] = withId(item, id!.Value);
            return (list, id!.Value);
        }
        int next = list.Count == 0 ? 1 : list.Max(idOf) + 1;
        list.Add(withId(item, next));
        return (list, next);
    }
}

/// <summary>A forward edit's answer: the change's result and the forward's id.</summary>
public sealed record ForwardChange(ChangeResult Result, int Id, bool NotFound = false)
{
    public static readonly ForwardChange Missing = new(ChangeResult.Applied, 0, true);
}
