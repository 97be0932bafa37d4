using System.IO.Hashing;
using System.Text;
using LiteDB;
using Routerd.Core.Settings;
using Routerd.Platform.Store;
using Xunit;

namespace Routerd.Tests.Settings;

/// <summary>The forwards in the store one document each (schema 9): a change of one forward writes
/// that forward (a few database pages, one journal line), the list comes back whole and in order,
/// a store of schema 8 (forwards inside the settings document) is read and converted without
/// losing one, and the good copy's journal restores every acknowledged change.</summary>
public sealed class ForwardStoreTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("routerd-fwdstore-").FullName;
    string DbFile => Path.Combine(dir, "settings.db");
    public void Dispose() => Directory.Delete(dir, recursive: true);

    static PortForward Forward(int id, int port, string? description = null) =>
        new() { Id = id, Protocol = id % 3 == 0 ? "both" : "tcp", WanPort = port, Mac = "02:00:00:00:01:01", LanPort = port % 2 == 0 ? null : port + 1, Description = description };

    static RouterSettings WithForwards(int n) => FirstBoot.Settings(new Board { LanPorts = ["eth1"] }, _ => "sha256$x") with
    {
        Forwards = Enumerable.Range(1, n).Select(i => Forward(i, 10000 + 3 * i, $"forward {i}")).ToList(),
    };

    static string Json(RouterSettings s) => RouterJson.WriteSettings(s);

    static RouterSettings Reopened(string file)
    {
        using var store = new LiteDbSettingsStore(file);
        Assert.Null(store.Health);
        return store.Load()!;
    }

    /// <summary>8 KiB pages of <paramref name="after"/> that differ from <paramref name="before"/> (or are new).</summary>
    static int PagesChanged(byte[] before, byte[] after) =>
        Enumerable.Range(0, after.Length / 8192).Count(p => p * 8192 >= before.Length || !before.AsSpan(p * 8192, 8192).SequenceEqual(after.AsSpan(p * 8192, 8192)));

    [Fact]
    public void Adding_changing_and_deleting_one_forward_beside_a_thousand_writes_that_forward_alone()
    {
        var s = WithForwards(999);
        using var store = new LiteDbSettingsStore(DbFile);
        store.Save(s);
        Assert.True(store.Settle(TimeSpan.FromSeconds(10)));
        int wholePages = new FileInfo(DbFile).Length is var l ? (int)(l / 8192) : 0;
        var goodBytes = File.ReadAllBytes(store.GoodCopyPath);
        var edits = new List<(string What, RouterSettings Next)>
        {
            ("add", s = s with { Forwards = [.. s.Forwards, Forward(1000, 9000, "new")] }),
            ("change", s = s with { Forwards = s.Forwards.Select(f => f.Id == 500 ? f with { Enabled = false } : f).ToList() }),
            ("delete", s = s with { Forwards = s.Forwards.Where(f => f.Id != 10).ToList() }),
        };
        long journal = 0;
        foreach (var (what, next) in edits)
        {
            var before = File.ReadAllBytes(DbFile);
            store.Save(next);
            Assert.True(store.Settle(TimeSpan.FromSeconds(10)));
            int changed = PagesChanged(before, File.ReadAllBytes(DbFile));
            // The settings document with 1,000 forwards spans dozens of pages; one forward touches its
            // data page, the _id index's and the header/collection bookkeeping.
            Assert.True(changed <= 5, $"{what}: {changed} of {wholePages} pages written");
            Assert.Equal(goodBytes, File.ReadAllBytes(store.GoodCopyPath));
            long grown = new FileInfo(store.GoodCopyJournalPath).Length - journal;
            Assert.InRange(grown, 1, 600);
            journal += grown;
        }
        Assert.True(wholePages > 20, $"the whole store is only {wholePages} pages: the test proves nothing");
        // The journal holds forwards as the settings do: root's alone.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.GoodCopyJournalPath));
        store.Dispose();
        Assert.Equal(Json(s), Json(Reopened(DbFile)));
    }

    [Fact]
    public void Forwards_come_back_in_order_after_edits_anywhere_in_the_list_and_with_other_settings()
    {
        var s = WithForwards(20);
        using (var store = new LiteDbSettingsStore(DbFile))
        {
            store.Save(s);
            // Inserted in the middle (a whole-settings PUT can): the ids after it are renumbered.
            store.Save(s = s with { Forwards = [.. s.Forwards.Take(5), Forward(99, 5000), Forward(98, 5001), .. s.Forwards.Skip(5)] });
            store.Save(s = s with { Forwards = [.. s.Forwards.Skip(1).Take(10).Reverse(), .. s.Forwards.Skip(11)] });
            // Forwards and another part together: one transaction, the good copy written whole.
            store.Save(s = s with { Qos = new() { UploadKbit = 5000 }, Forwards = [Forward(7, 7000), .. s.Forwards] });
            Assert.False(File.Exists(store.GoodCopyJournalPath));
            store.Save(s = s with { Forwards = s.Forwards.Take(s.Forwards.Count - 1).ToList() });
        }
        Assert.Equal(Json(s), Json(Reopened(DbFile)));
    }

    [Fact]
    public void A_schema_8_store_with_forwards_inside_the_settings_is_read_whole_and_converted_on_the_first_commit()
    {
        var old = WithForwards(30) with { SchemaVersion = 8 };
        // Written as routerd up to schema 8 wrote it: one document, forwards inside, digest over it.
        using (var db = new LiteDatabase($"Filename={DbFile};Connection=direct"))
        {
            var doc = JsonToBson.Document(Json(old));
            doc["_xxh128"] = Convert.ToHexString(XxHash128.Hash(Encoding.UTF8.GetBytes(LiteDB.JsonSerializer.Serialize(doc))));
            doc["_id"] = "router";
            db.GetCollection("settings").Upsert(doc);
            db.Checkpoint();
        }
        File.WriteAllText(DbFile + LiteDbSettingsStore.GoodCopySuffix, Json(old));
        var expected = old with { SchemaVersion = RouterSettings.CurrentSchemaVersion };
        using (var store = new LiteDbSettingsStore(DbFile))
        {
            Assert.Null(store.Health);
            var loaded = store.Load()!;
            Assert.Equal(RouterSettings.CurrentSchemaVersion, loaded.SchemaVersion);
            Assert.Equal(Json(expected), Json(loaded));
            store.Save(expected = loaded with { Forwards = [.. loaded.Forwards, Forward(31, 20000)] });
        }
        using (var db = new LiteDatabase($"Filename={DbFile};Connection=direct;ReadOnly=true"))
        {
            Assert.False(db.GetCollection("settings").FindById("router").ContainsKey("forwards"));
            Assert.Equal(31, db.GetCollection("forwards").Count());
        }
        Assert.Equal(Json(expected), Json(Reopened(DbFile)));
    }

    [Fact]
    public void A_damaged_file_comes_back_from_the_good_copy_and_its_journal_with_every_acknowledged_forward()
    {
        var s = WithForwards(50);
        using (var store = new LiteDbSettingsStore(DbFile))
        {
            store.Save(s);
            for (int i = 0; i < 5; i++) store.Save(s = s with { Forwards = [.. s.Forwards, Forward(100 + i, 30000 + i)] });
            store.Save(s = s with { Forwards = s.Forwards.Where(f => f.Id != 3).ToList() });
            Assert.True(File.Exists(store.GoodCopyJournalPath));
        }
        File.WriteAllBytes(DbFile, []);
        using var again = new LiteDbSettingsStore(DbFile);
        Assert.Equal(StoreHealth.Restored, again.Health?.Code);
        Assert.Equal(Json(s), Json(again.Load()!));
    }

    /// <summary>A store of ten forwards whose eleventh was added as a journal line: the settings and the journal's path.</summary>
    (RouterSettings Settings, string Journal) TenForwardsAndOneJournalLine()
    {
        var s = WithForwards(10);
        using var store = new LiteDbSettingsStore(DbFile);
        store.Save(s);
        store.Save(s = s with { Forwards = [.. s.Forwards, Forward(11, 40000)] });
        return (s, store.GoodCopyJournalPath);
    }

    /// <summary>A power cut while a line was appended leaves its beginning: that change was never
    /// acknowledged and is dropped, every line before it is kept, and the next change does not
    /// write after the torn line (the copy is written whole).</summary>
    [Fact]
    public void A_torn_journal_line_ends_the_replay_and_the_next_change_does_not_build_on_it()
    {
        var (s, journal) = TenForwardsAndOneJournalLine();
        var acknowledged = s;
        File.AppendAllText(journal, "0123456789ABCDEF0123456789ABCDEF {\"at\":0,\"remo");
        File.WriteAllBytes(DbFile, []);
        using (var store = new LiteDbSettingsStore(DbFile))
        {
            Assert.Equal(Json(acknowledged), Json(store.Load()!));
            store.Save(s = s with { Forwards = [.. s.Forwards, Forward(12, 40001)] });
        }
        File.WriteAllBytes(DbFile, []);
        using var last = new LiteDbSettingsStore(DbFile);
        Assert.Equal(StoreHealth.Restored, last.Health?.Code);
        Assert.Equal(Json(s), Json(last.Load()!));
    }

    /// <summary>A power cut can keep an appended line whole but for its newline (its disk block
    /// reached the disk, the flush did not return): that change was not acknowledged either, is
    /// dropped, and the next change is not written onto the end of its line.</summary>
    [Fact]
    public void A_line_that_lost_only_its_newline_is_dropped_and_the_next_line_is_not_written_onto_it()
    {
        var (s, journal) = TenForwardsAndOneJournalLine();
        var acknowledged = s;
        // The very line the next add writes, made by a store on a copy of these files.
        string twin = Directory.CreateDirectory(Path.Combine(dir, "twin")).FullName;
        foreach (var f in Directory.GetFiles(dir)) File.Copy(f, Path.Combine(twin, Path.GetFileName(f)));
        using (var store = new LiteDbSettingsStore(Path.Combine(twin, "settings.db")))
        {
            var loaded = store.Load()!; // its other parts the same objects: a change of the forwards alone
            store.Save(loaded with { Forwards = [.. loaded.Forwards, Forward(12, 40001)] });
        }
        File.AppendAllText(journal, File.ReadAllLines(Path.Combine(twin, Path.GetFileName(journal)))[^1]);
        File.WriteAllBytes(DbFile, []);
        using (var store = new LiteDbSettingsStore(DbFile))
        {
            Assert.Equal(Json(acknowledged), Json(store.Load()!));
            store.Save(s = s with { Forwards = [.. s.Forwards, Forward(13, 40002)] });
        }
        File.WriteAllBytes(DbFile, []);
        using var last = new LiteDbSettingsStore(DbFile);
        Assert.Equal(Json(s), Json(last.Load()!));
    }

    /// <summary>A journal left by a crash after a new whole copy names the old copy: ignored.</summary>
    [Fact]
    public void A_journal_from_before_the_last_whole_copy_is_ignored()
    {
        var s = WithForwards(5);
        using (var store = new LiteDbSettingsStore(DbFile))
        {
            store.Save(s);
            store.Save(s with { Forwards = [.. s.Forwards, Forward(6, 50000)] });
            string stale = File.ReadAllText(store.GoodCopyJournalPath);
            store.Save(s = s with { Qos = new() { UploadKbit = 800 } });
            File.WriteAllText(store.GoodCopyJournalPath, stale);
        }
        File.WriteAllBytes(DbFile, []);
        using var again = new LiteDbSettingsStore(DbFile);
        Assert.Equal(Json(s), Json(again.Load()!));
    }

    /// <summary>The journal is folded into a whole copy once it is longer than the copy.</summary>
    [Fact]
    public void A_long_journal_is_folded_into_the_whole_copy()
    {
        var s = WithForwards(2);
        using var store = new LiteDbSettingsStore(DbFile);
        store.Save(s);
        bool folded = false;
        for (int i = 0; i < 200 && !folded; i++)
        {
            store.Save(s = s with { Forwards = s.Forwards.Select(f => f.Id == 1 ? f with { Description = $"edit {i}" } : f).ToList() });
            folded = !File.Exists(store.GoodCopyJournalPath) && File.ReadAllText(store.GoodCopyPath).Contains($"edit {i}");
        }
        Assert.True(folded, "the journal was never folded");
        Assert.Equal(Json(s), Json(RouterJson.ReadSettings(File.ReadAllText(store.GoodCopyPath))));
    }

    /// <summary>Factory reset and restore replace the whole settings: the forwards go with them,
    /// from the database, the good copy and its journal.</summary>
    [Fact]
    public void A_factory_reset_clears_the_forwards_and_a_restore_brings_them_back()
    {
        var s = WithForwards(40);
        string backup;
        using (var store = new LiteDbSettingsStore(DbFile))
        {
            store.Save(s);
            store.Save(s = s with { Forwards = [.. s.Forwards, Forward(41, 60000)] });
            backup = Json(store.Load()!);
            store.Save(FirstBoot.Settings(new Board { LanPorts = ["eth1"] }, _ => "sha256$y"));
            Assert.False(File.Exists(store.GoodCopyJournalPath));
        }
        Assert.Empty(Reopened(DbFile).Forwards);
        using (var db = new LiteDatabase($"Filename={DbFile};Connection=direct;ReadOnly=true"))
            Assert.Equal(0, db.GetCollection("forwards").Count());
        File.WriteAllBytes(DbFile, []);
        using (var store = new LiteDbSettingsStore(DbFile))
        {
            Assert.Empty(store.Load()!.Forwards);
            store.Save(RouterJson.ReadSettings(backup));
        }
        Assert.Equal(backup, Json(Reopened(DbFile)));
    }
}
