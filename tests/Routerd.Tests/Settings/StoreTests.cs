using Routerd.Core.Settings;
using Routerd.Platform.Store;
using Xunit;
using Routerd.Core.Net;
using Routerd.Core.Qos;

namespace Routerd.Tests.Settings;

public sealed class StoreTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("routerd-store-").FullName;
    string DbFile => Path.Combine(dir, "settings.db");

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static RouterSettings Sample() => FirstBoot.Settings(new Board { LanPorts = ["eth1", "eth2"] }, _ => "pbkdf2-sha256$1$c2FsdA==$aGFzaA==") with
    {
        Lan = new LanSettings
        {
            Address = "10.1.0.1/24",
            Ports = ["eth1", "eth2"],
            StaticLeases = [new StaticLease { Mac = "02:00:00:00:01:01", Address = "10.1.0.9", Hostname = "phone" }],
        },
        Wan = new WanSettings { Mode = "pppoe", Device = "eth0", Pppoe = new PppoeSettings { Username = "user@isp", Password = "s3cret", Mtu = 1492 } },
    };

    [Fact]
    public void First_boot_store_is_empty()
    {
        using var store = new LiteDbSettingsStore(DbFile);
        Assert.Null(store.Load());
    }

    [Fact]
    public void Settings_survive_reopening_field_by_field()
    {
        var saved = Sample();
        using (var store = new LiteDbSettingsStore(DbFile)) store.Save(saved);
        using (var store = new LiteDbSettingsStore(DbFile))
        {
            var loaded = store.Load()!;
            // Records compare lists by reference: compare the JSON, which covers every field.
            Assert.Equal(RouterJson.WriteSettings(saved), RouterJson.WriteSettings(loaded));
            Assert.Equal("s3cret", loaded.Wan.Pppoe!.Password);
            Assert.Equal("phone", loaded.Lan.StaticLeases[0].Hostname);
        }
    }

    [Fact]
    public void A_file_that_is_not_a_settings_database_is_refused_and_left_unchanged()
    {
        var garbage = new byte[20000];
        new Random(7).NextBytes(garbage);
        File.WriteAllBytes(DbFile, garbage);
        var ex = Assert.Throws<SettingsFileException>(() => new LiteDbSettingsStore(DbFile));
        Assert.Contains(DbFile, ex.Message);
        Assert.Equal(garbage, File.ReadAllBytes(DbFile));
    }

    [Fact]
    public void A_document_without_a_schema_version_is_migrated()
    {
        var settings = RouterJson.ReadSettings("""{ "lan": { "address": "10.9.0.1/24" } }""");
        Assert.Equal(RouterSettings.CurrentSchemaVersion, settings.SchemaVersion);
        Assert.Equal("10.9.0.1/24", settings.Lan.Address);
        Assert.Equal("192.168.1.100", new RouterSettings().Lan.Dhcp.Start);
    }

    [Fact]
    public void A_document_from_a_newer_routerd_is_refused() =>
        Assert.Throws<InvalidDataException>(() => RouterJson.ReadSettings("""{ "schemaVersion": 999 }"""));

    [Fact]
    public void Secrets_are_redacted_and_kept_when_not_sent_back()
    {
        var stored = Sample() with { Wifi = new WifiSettings { Ssid = "home", Passphrase = "wifi-pass-123" } };
        var shown = SettingsSecrets.Redact(stored);
        string json = RouterJson.WriteSettings(shown);
        Assert.DoesNotContain("s3cret", json);
        Assert.DoesNotContain("wifi-pass-123", json);
        Assert.DoesNotContain("pbkdf2", json);

        var back = SettingsSecrets.KeepStored(RouterJson.ReadSettings(json), stored);
        Assert.Equal("s3cret", back.Wan.Pppoe!.Password);
        Assert.Equal("wifi-pass-123", back.Wifi.Passphrase);
        Assert.Equal(stored.Admin, back.Admin);
    }
}
