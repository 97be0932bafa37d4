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
    public void Apply(HostapdConfig? config)
    {
        Applied = config;
        Applies++;
    }
    public WifiStatus Status => Applied is null ? WifiStatus.NoRadio : new(WifiStatus.Applying, true, false);
}

public class WifiReconcileTests
{
    static readonly Board Board = new() { WanDevice = "wan0", LanPorts = ["lan1"], WifiDevice = "wlan0", RunDir = "/run/r" };
    readonly FakeWifi wifi = new();
    readonly MemoryStore store = new();
    readonly Router reconciler;

    public WifiReconcileTests()
    {
        reconciler = TestRouter.New(Board, store, wifi: wifi, clock: TimeProvider.System);
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
}
