using System.Text.Json.Nodes;

namespace Routerd.Core.Settings;

/// <summary>One step per schema version, applied in order to a stored or imported document
/// (as JSON, before it is read into records) so old documents never lose a field silently.</summary>
public static class SettingsMigrations
{
    /// <summary>Step i brings a document from version i to i+1. Version 0 is a document
    /// without a schemaVersion (hand-written or from before versioning): it gains one.</summary>
    static readonly Func<JsonObject, JsonObject>[] Steps =
    [
        doc => doc,
        // 1 → 2: the VIP lane. New sections start empty: no shaper, no device settings.
        doc => doc,
        // 2 → 3: port forwards. The list starts empty: nothing is forwarded.
        doc => doc,
        // 3 → 4: pausing a device. Devices gain paused, pausedUntil and pauseSchedule, whose
        // defaults (not paused, no schedule) are what an older router did: nobody is paused.
        doc => doc,
        // 4 → 5: virtual servers (load-balanced forwards). The list starts empty, as an older
        // router had none.
        doc => doc,
        // 5 → 6: the time zone. UTC, the zone an older router's schedules used on the images
        // (their read-only /etc/localtime is UTC).
        doc => doc,
        // 6 → 7: a static IPv6 WAN. An older router took IPv6 from the ISP automatically: its
        // document says so explicitly, and has no static block.
        doc =>
        {
            if (doc["ipv6"] is JsonObject v6) v6["mode"] ??= "automatic";
            return doc;
        },
        // 7 → 8: PPPoE over a VLAN and the WAN MAC clone. Both absent mean what an older router
        // did: untagged PPPoE on the port's own address.
        doc => doc,
        // 8 → 9: the store keeps each port forward in a document of its own (LiteDbSettingsStore),
        // so adding one beside a thousand writes one. The JSON (export, import, the good copy) is
        // unchanged; the version moves so that an older routerd, which would find no forwards in
        // the new layout, refuses the file instead of starting without them.
        doc => doc,
        // 9 → 10: the guest Wi-Fi. Absent means what an older router had: no guest network.
        doc => doc,
    ];

    public static int Current => Steps.Length;

    public static JsonObject Migrate(JsonObject document)
    {
        int version = document["schemaVersion"] switch
        {
            null => 0,
            JsonValue v when v.TryGetValue(out int n) && n >= 0 => n,
            _ => throw new InvalidDataException("schemaVersion must be a whole number from 0 up"),
        };
        if (version > Current)
            throw new InvalidDataException($"settings schema version {version} is newer than this routerd understands ({Current})");
        for (; version < Current; version++)
        {
            document = Steps[version](document);
            document["schemaVersion"] = version + 1;
        }
        return document;
    }

    static SettingsMigrations()
    {
        // A new version adds a step here and bumps RouterSettings.CurrentSchemaVersion: both must move together.
        if (Current != RouterSettings.CurrentSchemaVersion)
            throw new InvalidOperationException("SettingsMigrations and RouterSettings.CurrentSchemaVersion disagree");
    }
}
