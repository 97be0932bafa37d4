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
        Ipv6 = new Ipv6Settings { Ula = "fd12:3456:789a::/48" },
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
    public void A_file_that_is_not_a_settings_database_is_moved_aside_unchanged_and_without_a_good_copy_the_store_starts_empty_in_rescue()
    {
        var garbage = new byte[20000];
        new Random(7).NextBytes(garbage);
        File.WriteAllBytes(DbFile, garbage);
        using var store = new LiteDbSettingsStore(DbFile);
        Assert.Equal(StoreHealth.Rescue, store.Health?.Code);
        Assert.Contains(DbFile, store.Health!.Message);
        Assert.Equal(garbage, File.ReadAllBytes(store.Health.DamagedCopy!));
        Assert.Null(store.Load());
    }

    [Fact]
    public void An_empty_file_is_damage_not_a_first_boot()
    {
        var saved = Sample();
        using (var store = new LiteDbSettingsStore(DbFile)) store.Save(saved);
        File.WriteAllBytes(DbFile, []);
        using var again = new LiteDbSettingsStore(DbFile);
        Assert.Equal(StoreHealth.Restored, again.Health?.Code);
        Assert.Equal(RouterJson.WriteSettings(saved), RouterJson.WriteSettings(again.Load()!));
        Assert.Empty(File.ReadAllBytes(again.Health!.DamagedCopy!));
    }

    [Fact]
    public void Damaged_files_moved_aside_again_and_again_keep_only_the_newest_three()
    {
        var saved = Sample();
        using (var store = new LiteDbSettingsStore(DbFile)) store.Save(saved);
        // Four copies from earlier starts (one with LiteDB's log beside it), one named as if by a clock set ahead.
        string[] earlier = ["20261101T000000Z", "20261102T000000Z", "20261102T000000Z-1", "20991231T000000Z"];
        foreach (var stamp in earlier) File.WriteAllText($"{DbFile}.damaged-{stamp}", stamp);
        File.WriteAllText($"{DbFile}.damaged-20261101T000000Z-log", "log");
        File.WriteAllBytes(DbFile, []);

        using var again = new LiteDbSettingsStore(DbFile);

        Assert.Equal(StoreHealth.Restored, again.Health?.Code);
        var left = Directory.GetFiles(dir, "settings.db.damaged-*").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        // The one just moved aside (today's name) and the two newest names before it; the oldest two and the log are gone.
        Assert.Equal(3, left.Length);
        Assert.Contains(Path.GetFileName(again.Health!.DamagedCopy), left);
        Assert.Contains("settings.db.damaged-20991231T000000Z", left);
        Assert.Contains("settings.db.damaged-20261102T000000Z-1", left);
        Assert.Equal(RouterJson.WriteSettings(saved), RouterJson.WriteSettings(again.Load()!));
    }

    [Fact]
    public void Store_files_are_private_to_root()
    {
        using var store = new LiteDbSettingsStore(DbFile);
        store.Save(Sample());
        Assert.True(store.Settle(TimeSpan.FromSeconds(10)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(DbFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.GoodCopyPath));
    }

    /// <summary>The fresh file that replaces the one read at start is written by the first commit:
    /// an everyday start writes nothing and waits for no disk flush.</summary>
    [Fact]
    public void A_healthy_start_writes_nothing_and_the_first_commit_after_it_is_stored()
    {
        var saved = Sample();
        using (var store = new LiteDbSettingsStore(DbFile)) store.Save(saved);
        var bytes = File.ReadAllBytes(DbFile);
        var written = File.GetLastWriteTimeUtc(DbFile);
        var next = saved with { Qos = new QosSettings { UploadKbit = 1000 } };
        using (var again = new LiteDbSettingsStore(DbFile))
        {
            Assert.Null(again.Health);
            Assert.Equal(bytes, File.ReadAllBytes(DbFile));
            Assert.Equal(written, File.GetLastWriteTimeUtc(DbFile));
            Assert.Equal(RouterJson.WriteSettings(saved), RouterJson.WriteSettings(again.Load()!));
            again.Save(next);
        }
        using var third = new LiteDbSettingsStore(DbFile);
        Assert.Null(third.Health);
        Assert.Equal(RouterJson.WriteSettings(next), RouterJson.WriteSettings(third.Load()!));
    }

    [Fact]
    public void Every_commit_leaves_a_last_good_copy()
    {
        var saved = Sample();
        using var store = new LiteDbSettingsStore(DbFile);
        store.Save(saved);
        Assert.Equal(RouterJson.WriteSettings(saved), RouterJson.WriteSettings(RouterJson.ReadSettings(File.ReadAllText(store.GoodCopyPath))));
    }

    /// <summary>The corruption corpus on a copy of a real store: cut at every page boundary (and
    /// between), every page zeroed, every page random, empty, a wrong header; each with and
    /// without the last good copy. Not one may crash the store or change a byte of the damaged
    /// file (checked through a hard link to it, whatever the store does with the name).</summary>
    [Fact]
    public void Corruption_corpus_never_crashes_and_never_writes_into_the_damaged_file()
    {
        var report = StoreCorpus.Run(dir, Sample());
        Fuzz.BenchFigures.Add("corrupt_store_cases", report.Cases);
        Fuzz.BenchFigures.Add("corrupt_store_crashes", report.Crashes.Count);
        Fuzz.BenchFigures.Add("corrupt_store_writes", report.Writes.Count);
        Assert.True(report.Cases >= 40, $"only {report.Cases} cases");
        Assert.True(report.Crashes.Count == 0, string.Join("\n", report.Crashes));
        Assert.True(report.Writes.Count == 0, string.Join("\n", report.Writes));
        Assert.True(report.Wrong.Count == 0, string.Join("\n", report.Wrong));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_document_with_the_older_sha256_digest_loads_and_its_damage_is_still_found(bool damaged)
    {
        using (var store = new LiteDbSettingsStore(DbFile)) store.Save(Sample());
        // Rewrite the document as a routerd before the XXH128 digest stored it: a SHA-256 of the
        // document without _id and the digest, in "_sha256".
        using (var db = new LiteDB.LiteDatabase($"Filename={DbFile};Connection=direct"))
        {
            var col = db.GetCollection("settings");
            var doc = col.FindById("router");
            doc.Remove("_id");
            doc.Remove("_xxh128");
            string sha = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(LiteDB.JsonSerializer.Serialize(doc))));
            doc["_sha256"] = damaged ? sha.Replace(sha[0], sha[0] == 'A' ? 'B' : 'A') : sha;
            doc["_id"] = "router";
            col.Upsert(doc);
            db.Checkpoint();
        }
        if (damaged)
            Assert.Throws<SettingsFileException>(() => LiteDbSettingsStore.ReadOnly(DbFile));
        else
            Assert.Equal("10.1.0.1/24", LiteDbSettingsStore.ReadOnly(DbFile)!.Lan.Address);
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
        Assert.Equal("schemaVersion", Assert.Throws<SettingsDocumentException>(() => RouterJson.ReadSettings("""{ "schemaVersion": 999 }""")).Field);

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
