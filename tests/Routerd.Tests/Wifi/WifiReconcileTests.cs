using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Routerd.Core.Devices;
using Routerd.Core.Net;
using Routerd.Core.Loop;
using Routerd.Core.Settings;
using Routerd.Core.Wifi;
using Routerd.Tests.Loop;
using Xunit;
using Routerd.Core.Qos;
using Routerd.Core.Wan;

namespace Routerd.Tests.Wifi;

sealed class FakeWifi : IWifiAccessPoint
{
    public HostapdConfig? Applied;
    public int Applies;
    public WifiApplied? Apply(HostapdConfig? config)
    {
        Applied = config;
        Applies++;
        return new WifiApplied(config, Restarted: false);
    }
    /// <summary>How often every station was sent away (a LAN move).</summary>
    public int Disconnects;
    public void DisconnectStations() => Disconnects++;
}

public class WifiReconcileTests
{
    static readonly Board Board = new() { WanDevice = "wan0", LanPorts = ["lan1"], WifiDevice = "wlan0", RunDir = "/run/r" };
    readonly FakeWifi wifi = new();
    readonly MemoryStore store = new();
    readonly DeviceRegistry registry = new(TimeProvider.System);
    readonly Router reconciler;

    public WifiReconcileTests()
    {
        reconciler = TestRouter.New(Board, store, wifi: wifi, registry: registry, clock: TimeProvider.System);
        reconciler.Start(p => "hash:" + p);
    }

    [Fact]
    public void A_key_change_reaches_hostapd_and_a_refused_one_changes_nothing()
    {
        Assert.Equal("wlan0", wifi.Applied!.Interface);
        var status = reconciler.Status("t", default);
        Assert.Equal((WifiStatus.Applying, true), (status.Wifi.Code, status.Wifi.Radio));

        var ok = reconciler.TryChange(SettingsSecrets.Redact(reconciler.Settings) with { Wifi = reconciler.Settings.Wifi with { Passphrase = "new-key-1234" } });
        Assert.True(ok.Succeeded);
        Assert.Contains("wpa_passphrase=new-key-1234\n", wifi.Applied.Text);

        int applies = wifi.Applies;
        var before = wifi.Applied;
        var bad = reconciler.TryChange(reconciler.Settings with { Wifi = reconciler.Settings.Wifi with { Ssid = "evil\nwpa=0" } });
        Assert.Equal("wifi.ssid", Assert.Single(bad.Errors).Field);
        Assert.Equal((applies, before), (wifi.Applies, wifi.Applied));
        Assert.Equal("new-key-1234", store.Load()!.Wifi.Passphrase);

        // The key never leaves through the API's settings.
        Assert.DoesNotContain("new-key-1234", RouterJson.WriteSettings(SettingsSecrets.Redact(reconciler.Settings)));
    }

    static Dictionary<string, string> Fields(string state, string ssid) => new() { ["state"] = state, ["ssid[0]"] = ssid };

    [Fact]
    public void Hostapds_reports_reach_the_status_through_the_loop_and_stale_ones_are_ignored()
    {
        var config = wifi.Applied!;
        Assert.Equal(WifiStatus.Applying, reconciler.Status("t", default).Wifi.Code);

        // An answer about settings that are no longer the applied ones (an apply came in meanwhile).
        reconciler.Post(new WifiObserved(new WifiAnswered(config with { }, Fields("ENABLED", config.Ssid), config.Ssid, 7)));
        reconciler.Sync();
        Assert.Equal(WifiStatus.Applying, reconciler.Status("t", default).Wifi.Code);

        reconciler.Post(new WifiObserved(new WifiAnswered(config, Fields("ENABLED", config.Ssid), config.Ssid, 7)));
        reconciler.Sync();
        Assert.Equal(new WifiStatus(WifiStatus.Up, true, true), reconciler.Status("t", default).Wifi);

        // The same process, slow to answer: still up. Gone: failed, in hostapd's own words.
        reconciler.Post(new WifiObserved(new WifiUnreachable(7)));
        reconciler.Post(new WifiObserved(new WifiErrorLine("Could not set channel for kernel driver")));
        reconciler.Sync();
        Assert.Equal(WifiStatus.Up, reconciler.Status("t", default).Wifi.Code);
        reconciler.Post(new WifiObserved(new WifiUnreachable(null)));
        reconciler.Sync();
        Assert.Equal(new WifiStatus(WifiStatus.Failed, true, false, "Could not set channel for kernel driver"), reconciler.Status("t", default).Wifi);
    }

    [Fact]
    public void Station_events_through_the_loop_show_in_the_device_list()
    {
        var phone = MacAddress.Parse("02:00:00:00:02:01");
        reconciler.Post(new StationsChanged([(phone, -50)], connected: true));
        reconciler.Sync();
        Assert.True(reconciler.KnowsDevice(phone));
        reconciler.Post(new StationsChanged([], connected: null));
        reconciler.Sync();
        Assert.False(registry.Snapshot().Single(d => d.Mac == phone.ToString()).Online);
    }

    [Fact]
    public void Status_json_has_the_wifi_object()
    {
        var json = System.Text.Json.JsonSerializer.Serialize(reconciler.Status("t", default), RouterJsonContext.Default.RouterStatus);
        Assert.Contains("\"wifi\": {", json);
        Assert.Contains("\"code\": \"wifi/APPLYING\"", json);
        Assert.Contains("\"radio\": true", json);
        Assert.Contains("\"live\": false", json);
    }

    [Fact]
    public void Stations_mark_devices_as_wifi_and_online_while_associated()
    {
        var registry = new DeviceRegistry(TimeProvider.System);
        var phone = MacAddress.Parse("02:00:00:00:02:01");
        var laptop = MacAddress.Parse("02:00:00:00:01:02");
        registry.Apply(new NeighbourInfo(5, IPAddress.Parse("192.168.1.20"), laptop, NeighbourState.Reachable), deleted: false);
        registry.SetWifiStations([(phone, -40)]);
        var view = registry.Snapshot().ToDictionary(d => d.Mac);
        Assert.Equal((DeviceView.Wifi, true, (int?)-40), (view[phone.ToString()].Connection, view[phone.ToString()].Online, view[phone.ToString()].SignalDbm));
        Assert.Equal((DeviceView.Wired, true), (view[laptop.ToString()].Connection, view[laptop.ToString()].Online));

        // Left the AP: offline at once, even while the neighbour table still calls it reachable.
        registry.Apply(new NeighbourInfo(5, IPAddress.Parse("192.168.1.30"), phone, NeighbourState.Reachable), deleted: false);
        registry.SetWifiStation(phone, false, null);
        var gone = registry.Snapshot().Single(d => d.Mac == phone.ToString());
        Assert.Equal((DeviceView.Wifi, false, (int?)null), (gone.Connection, gone.Online, gone.SignalDbm));

        registry.SetWifiStation(phone, true, null);
        registry.SetWifiStations([]);
        Assert.False(registry.Snapshot().Single(d => d.Mac == phone.ToString()).Online);
    }

    [Fact]
    public void The_guest_network_goes_on_in_one_change_and_its_address_follows_its_interface()
    {
        var redacted = SettingsSecrets.Redact(reconciler.Settings);
        var on = redacted with { Wifi = redacted.Wifi with { Guest = new() { Enabled = true, Ssid = "visitors", Passphrase = "guest-key-123" } } };
        Assert.True(reconciler.TryChange(on).Succeeded);
        Assert.Contains("bss=wlan-guest\n", wifi.Applied!.Text);
        Assert.Contains("ap_isolate=1\n", wifi.Applied.Text);
        Assert.Contains("addr replace 192.168.2.1/24 dev wlan-guest", reconciler.Snapshot.State is var st ? NetworkPlanRenderer.Render(st, null).ToIpBatch() : "");

        // hostapd made the interface: the network step runs again although its plan is the same
        // (the address goes onto the new interface), and so does the qos step (the redirect into a
        // shared download tree goes onto it: the tc adapter adds only what is missing); another
        // link's event does not.
        int before = reconciler.Applies["network"], qos = reconciler.Applies["qos"];
        reconciler.Post(new CarrierChanged("wlan-guest", true));
        reconciler.Sync();
        Assert.Equal((before + 1, qos + 1), (reconciler.Applies["network"], reconciler.Applies["qos"]));
        reconciler.Post(new CarrierChanged("lan2", true));
        reconciler.Sync();
        Assert.Equal((before + 1, qos + 1), (reconciler.Applies["network"], reconciler.Applies["qos"]));

        // Off again: no guest BSS, and its interface's events are a link like any other.
        var off = SettingsSecrets.Redact(reconciler.Settings);
        Assert.True(reconciler.TryChange(off with { Wifi = off.Wifi with { Guest = off.Wifi.Guest with { Enabled = false } } }).Succeeded);
        Assert.DoesNotContain("bss=", wifi.Applied.Text);
        Assert.Equal("guest-key-123", store.Load()!.Wifi.Guest.Passphrase);
        before = reconciler.Applies["network"];
        reconciler.Post(new CarrierChanged("wlan-guest", true));
        reconciler.Sync();
        Assert.Equal(before, reconciler.Applies["network"]);
    }
}
