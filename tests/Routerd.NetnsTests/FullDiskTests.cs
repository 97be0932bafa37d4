using System.Text.Json.Nodes;
using Routerd.Lab;
using Xunit;

namespace Routerd.NetnsTests;

/// <summary>Store, then apply, on a full disk (issue 18, item 4): with the state directory on a
/// small tmpfs filled to the last page, a change answers 507 naming the full disk, and neither
/// the queues, the ruleset nor the stored settings move; once there is room again the next change
/// goes through without a restart.</summary>
public sealed class FullDiskTests(LabWithoutRouterdFixture fixture) : IClassFixture<LabWithoutRouterdFixture>
{
    readonly Lab.Lab lab = fixture.Lab;
    string Filler => Path.Combine(lab.StateDir, "filler");

    /// <summary>Every qdisc and class in the router, without counters.</summary>
    string Queues() => lab.RunIn(lab.RouterNs, "tc qdisc show; for d in wan0 br-lan lan1 lan2; do tc class show dev $d; done").EnsureOk().Stdout;

    static async Task<HttpResponseMessage> PutUpload(RouterdApi api, long kbit)
    {
        var settings = await api.Settings();
        settings["qos"] = new JsonObject { ["uploadKbit"] = kbit, ["downloadKbit"] = 20000 };
        return await api.Put("/api/settings", settings);
    }

    string ForwardMap() => lab.RunIn(lab.RouterNs, "nft list map inet routerd forward_v4").EnsureOk().Stdout;

    JsonObject Forward(int port) => new() { ["protocol"] = "tcp", ["wanPort"] = port, ["mac"] = lab.Phone.Mac, ["description"] = "full disk" };

    [Fact]
    public async Task A_change_on_a_full_disk_is_refused_naming_it_and_applies_nothing_then_works_once_there_is_room()
    {
        Directory.CreateDirectory(lab.StateDir);
        // A tmpfs of our own under the lab's temp dir: nothing else sees or shares it.
        CommandResult.Run(["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "routerd-full-disk", lab.StateDir], TimeSpan.FromSeconds(10)).EnsureOk();
        try
        {
            await lab.StartRouterdAndWaitForStatus();
            using var api = new RouterdApi(lab.ControlSocket);
            using (var shaped = await PutUpload(api, 7250))
                Assert.True(shaped.IsSuccessStatusCode, await shaped.Content.ReadAsStringAsync());
            string queues = Queues(), ruleset = lab.Ruleset(), stored = (await api.Settings()).ToJsonString();

            // Fill the disk to the last page (dd stops at ENOSPC).
            CommandResult.Run(["dd", "if=/dev/zero", $"of={Filler}", "bs=4096"], TimeSpan.FromSeconds(30));
            using (var full = await PutUpload(api, 5003))
            {
                string body = await full.Content.ReadAsStringAsync();
                Assert.Equal(507, (int)full.StatusCode);
                Assert.Contains("store/FULL", body);
                Assert.Contains("is full", body);
            }
            Assert.Equal(queues, Queues());
            Assert.Equal(ruleset, lab.Ruleset());
            Assert.Equal(stored, (await api.Settings()).ToJsonString());
            // A forward more is one document and one journal line (schema 9): refused the same way,
            // its map element not loaded.
            string forwardMap = ForwardMap();
            using (var full = await api.Post("/api/forwards", Forward(8443)))
            {
                string body = await full.Content.ReadAsStringAsync();
                Assert.Equal(507, (int)full.StatusCode);
                Assert.Contains("store/FULL", body);
            }
            Assert.Equal(forwardMap, ForwardMap());
            Assert.Equal(stored, (await api.Settings()).ToJsonString());
            // Still serving, and still refusing while the disk stays full.
            using (var again = await PutUpload(api, 5003))
                Assert.Equal(507, (int)again.StatusCode);
            Assert.Equal(queues, Queues());

            File.Delete(Filler);
            using (var room = await PutUpload(api, 5003))
                Assert.True(room.IsSuccessStatusCode, await room.Content.ReadAsStringAsync());
            Assert.Contains("5003Kbit", Queues());
            Assert.Equal(5003, (long?)(await api.Settings())["qos"]!["uploadKbit"]);
            using (var added = await api.Post("/api/forwards", Forward(8443)))
                Assert.True((int)added.StatusCode == 201, await added.Content.ReadAsStringAsync());
            // (The phone holds no lease in this lab, so the forward leads nowhere yet: stored, no element.)
            Assert.Equal(8443, (int?)(await api.Settings())["forwards"]![0]!["wanPort"]);

            // What was acknowledged is what a restart finds.
            lab.StopRouterd();
            await lab.StartRouterdAndWaitForStatus();
            using var after = new RouterdApi(lab.ControlSocket);
            Assert.Equal(5003, (long?)(await after.Settings())["qos"]!["uploadKbit"]);
            Assert.Equal(8443, (int?)(await after.Settings())["forwards"]![0]!["wanPort"]);
        }
        finally
        {
            lab.StopRouterd();
            CommandResult.Run(["umount", "-l", lab.StateDir], TimeSpan.FromSeconds(10));
        }
    }
}
