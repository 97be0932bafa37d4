using System.Text.Json;
using System.Text.Json.Serialization;

namespace Routerd.Core.Upgrade;

/// <summary>One root slot as the owner sees it: its boot name (A, B), what it holds and whether
/// the boot loader considers it good.</summary>
public sealed record SlotView(string Slot, string? Version, bool Booted, string? BootStatus, string? Installed);

/// <summary>GET /api/firmware: the running version and slot, whether this boot passed its health
/// check and marked its slot good ("pending", "good", or why not), the other slot, and the last
/// upload's verdict and install progress, and what became of the last installed update.
/// <see cref="Available"/> false (with <see cref="Unavailable"/> saying why) on a system that cannot
/// be updated in place: the labs, a dev machine.</summary>
public sealed record FirmwareStatus(string RunningVersion, string? BootedSlot, string BootCheck, SlotView? Other, FirmwareJob Job, UpdateOutcome? LastUpdate = null)
{
    public bool Available { get; init; } = true;
    public string? Unavailable { get; init; }

    /// <summary>What a system without an updater answers: its version, and why it cannot be updated.</summary>
    public static FirmwareStatus None(string runningVersion, string why) =>
        new(runningVersion, null, "none", null, FirmwareJob.Idle) { Available = false, Unavailable = why };
}

/// <summary>This boot: the root slot it runs from (A, B: the boot loader's rauc.slot= on the kernel
/// command line) and the kernel's boot id.</summary>
public sealed record BootIdentity(string Slot, string Id);

/// <summary>The one upload/install at a time: idle, checking, installing, installed (reboot to
/// run it), refused or failed, with a code and a sentence; while installing, <see cref="Progress"/>
/// says how far.</summary>
public sealed record FirmwareJob(string State, string? Version = null, string? Code = null, string? Message = null, InstallProgress? Progress = null)
{
    public static readonly FirmwareJob Idle = new("idle");
    [JsonIgnore] public bool Busy => State is "receiving" or "checking" or "installing";
}

public static class RaucStatusJson
{
    /// <summary>Reads <c>rauc status --output-format=json</c>: the booted slot's boot name and every
    /// root slot. Empty when it is not that shape.</summary>
    /// <summary>The device of the root slot that is not booted (where an install writes), from
    /// the same JSON; null when there is not exactly one.</summary>
    public static string? OtherDevice(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var devices = new List<string>();
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("slots", out var list) && list.ValueKind == JsonValueKind.Array)
                foreach (var entry in list.EnumerateArray())
                    if (entry.ValueKind == JsonValueKind.Object)
                        foreach (var named in entry.EnumerateObject())
                            if (BundleInfoJson.Text(named.Value, "bootname") is not null && BundleInfoJson.Text(named.Value, "state") != "booted"
                                && BundleInfoJson.Text(named.Value, "device") is { } device)
                                devices.Add(device);
            return devices.Count == 1 ? devices[0] : null;
        }
        catch (JsonException) { return null; }
    }

    public static (string? Booted, IReadOnlyList<SlotView> Slots) Parse(string json)
    {
        var slots = new List<SlotView>();
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return (null, slots);
            string? booted = BundleInfoJson.Text(root, "booted");
            if (root.TryGetProperty("slots", out var list) && list.ValueKind == JsonValueKind.Array)
                foreach (var entry in list.EnumerateArray())
                {
                    if (entry.ValueKind != JsonValueKind.Object) continue;
                    foreach (var named in entry.EnumerateObject())
                    {
                        var s = named.Value;
                        string? bootname = BundleInfoJson.Text(s, "bootname");
                        if (bootname is null) continue;
                        s.TryGetProperty("slot_status", out var status);
                        string? version = null, installed = null;
                        if (status.ValueKind == JsonValueKind.Object)
                        {
                            if (status.TryGetProperty("bundle", out var b)) version = BundleInfoJson.Text(b, "version");
                            if (status.TryGetProperty("installed", out var i)) installed = BundleInfoJson.Text(i, "timestamp");
                        }
                        slots.Add(new SlotView(bootname, version, bootname == booted, BundleInfoJson.Text(s, "boot_status"), installed));
                    }
                }
            return (booted, slots);
        }
        catch (JsonException) { return (null, slots); }
    }
}
