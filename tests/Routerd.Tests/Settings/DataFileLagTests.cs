using Routerd.Core.Qos;
using Routerd.Core.Settings;
using Routerd.Platform.Store;
using Xunit;

namespace Routerd.Tests.Settings;

/// <summary>A change is acknowledged once the good copy holds it; the LiteDB data file follows on
/// the store's writer thread. These prove what that order promises: the data file catches up
/// (and a clean stop waits for it), a data file that lags at start loses no acknowledged change,
/// and a data file that cannot be written does not refuse the change, says so, and is rewritten
/// by the next change once it can be.</summary>
public sealed class DataFileLagTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("routerd-lag-").FullName;
    string DbFile => Path.Combine(dir, "settings.db");
    /// <summary>Where the store writes the fresh file that replaces the data file.</summary>
    string NextFile => Path.Combine(dir, "settings.next.db");
    public void Dispose() => Directory.Delete(dir, recursive: true);

    static RouterSettings Sample(int uploadKbit) => FirstBoot.Settings(new Board { LanPorts = ["eth1"] }, _ => "sha256$x") with
    {
        Qos = new QosSettings { UploadKbit = uploadKbit },
        Forwards = [new PortForward { Id = 1, Protocol = "tcp", WanPort = 8080, Mac = "02:00:00:00:01:01" }],
    };

    static string Json(RouterSettings s) => RouterJson.WriteSettings(s);

    [Fact]
    public void The_data_file_follows_each_change_and_a_clean_stop_leaves_it_equal_to_the_copy()
    {
        var s = Sample(1000);
        using (var store = new LiteDbSettingsStore(DbFile))
        {
            store.Save(s);
            Assert.True(store.Settle(TimeSpan.FromSeconds(10)));
            Assert.Equal(Json(s), Json(LiteDbSettingsStore.ReadOnly(DbFile)!));
            // Many changes in a row: each acknowledged at once, the file ends at the last.
            for (int i = 0; i < 30; i++)
                store.Save(s = s with { Forwards = [.. s.Forwards, new PortForward { Id = 2 + i, Protocol = "udp", WanPort = 9000 + i, Mac = "02:00:00:00:01:02" }] });
            store.Save(s = s with { Qos = new QosSettings { UploadKbit = 2000 } });
        }
        Assert.Equal(Json(s), Json(LiteDbSettingsStore.ReadOnly(DbFile)!));
        using var again = new LiteDbSettingsStore(DbFile);
        Assert.Null(again.Health);
        Assert.Equal(Json(s), Json(again.Load()!));
    }

    [Fact]
    public void A_data_file_left_behind_by_a_power_cut_loses_no_acknowledged_change()
    {
        var s = Sample(1000);
        using (var store = new LiteDbSettingsStore(DbFile)) store.Save(s);
        var older = File.ReadAllBytes(DbFile);
        var acknowledged = s with { Forwards = [.. s.Forwards, new PortForward { Id = 2, Protocol = "both", WanPort = 4000, Mac = "02:00:00:00:01:03" }] };
        using (var store = new LiteDbSettingsStore(DbFile)) store.Save(acknowledged);
        // The cut came after the acknowledgement, before the data file's commit reached the disk.
        File.WriteAllBytes(DbFile, older);

        using var again = new LiteDbSettingsStore(DbFile);
        Assert.Equal(StoreHealth.Behind, again.Health?.Code);
        Assert.Equal(Json(acknowledged), Json(again.Load()!));
        // ...and the file was put right at that start.
        Assert.Equal(Json(acknowledged), Json(LiteDbSettingsStore.ReadOnly(DbFile)!));
    }

    [Fact]
    public void A_data_file_that_cannot_be_written_does_not_refuse_the_change_and_the_next_change_rewrites_it()
    {
        var s = Sample(1000);
        using (var store = new LiteDbSettingsStore(DbFile)) store.Save(s);
        // The fresh file cannot be made (its name is taken by a directory): the data file's write fails.
        Directory.CreateDirectory(NextFile);
        var failures = new List<StoreException>();
        var changed = s with { Qos = new QosSettings { UploadKbit = 3000 } };
        using (var store = new LiteDbSettingsStore(DbFile))
        {
            Assert.Null(store.Health);
            store.DataFileFailed = failures.Add;
            store.Save(changed);
            Assert.True(store.Settle(TimeSpan.FromSeconds(10)));
            Assert.Equal(StoreException.WriteFailed, Assert.Single(failures).Code);
            Assert.Equal(Json(s), Json(LiteDbSettingsStore.ReadOnly(DbFile)!));
            Assert.Equal(Json(changed), Json(store.Load()!));

            Directory.Delete(NextFile);
            store.Save(changed = changed with { Qos = new QosSettings { UploadKbit = 4000 } });
            Assert.True(store.Settle(TimeSpan.FromSeconds(10)));
            Assert.Single(failures);
            Assert.Equal(Json(changed), Json(LiteDbSettingsStore.ReadOnly(DbFile)!));
        }
        using var again = new LiteDbSettingsStore(DbFile);
        Assert.Null(again.Health);
        Assert.Equal(Json(changed), Json(again.Load()!));
    }

    [Fact]
    public void After_a_clean_stop_an_unreadable_copy_leaves_the_data_file_to_start_from()
    {
        var s = Sample(1000);
        string copy;
        using (var store = new LiteDbSettingsStore(DbFile))
        {
            store.Save(s);
            copy = store.GoodCopyPath;
        }
        File.WriteAllText(copy, "{ not json");
        using var again = new LiteDbSettingsStore(DbFile);
        Assert.Equal(Json(s), Json(again.Load()!));
    }
}
