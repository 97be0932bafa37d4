using System.Security.Cryptography;
using Routerd.Core.Settings;
using Routerd.Platform.Store;

namespace Routerd.Tests.Settings;

/// <summary>Damages a real store file in every way the corpus knows and opens each: counts crashes
/// (any exception), writes into the damaged file, and wrong outcomes (restored settings that are
/// not the last good ones). Shared by the unit test and the hardening benchmark.</summary>
public static class StoreCorpus
{
    public sealed record Report(int Cases, List<string> Crashes, List<string> Writes, List<string> Wrong);

    const int Page = 8192;

    public static Report Run(string workDir, RouterSettings sample)
    {
        string realDir = Directory.CreateDirectory(Path.Combine(workDir, "real")).FullName;
        string real = Path.Combine(realDir, "settings.db");
        // Forwards live in documents of their own, and the last change (one forward more) is a
        // line in the good copy's journal: the corpus damages their pages too, and restores need both files.
        sample = sample with
        {
            Forwards = Enumerable.Range(1, 40).Select(i => new PortForward { Id = i, WanPort = 20000 + i, Mac = "02:00:00:00:01:01", Description = $"forward {i}" }).ToList(),
        };
        string journal;
        using (var store = new LiteDbSettingsStore(real))
        {
            store.Save(sample with { Qos = new QosSettings { UploadKbit = 1000 } });
            store.Save(sample with { Forwards = sample.Forwards.SkipLast(1).ToList() });
            store.Save(sample);
            journal = File.ReadAllText(store.GoodCopyJournalPath);
        }
        byte[] good = File.ReadAllBytes(real);
        string goodCopy = File.ReadAllText(real + LiteDbSettingsStore.GoodCopySuffix);
        string expected = RouterJson.WriteSettings(sample);

        var cases = new List<(string Name, byte[] Bytes)> { ("empty", []) };
        for (int cut = 0; cut < good.Length; cut += Page)
        {
            if (cut > 0) cases.Add(($"cut at {cut}", good[..cut]));
            cases.Add(($"cut at {cut + Page / 2 + 1000}", good[..Math.Min(good.Length - 1, cut + Page / 2 + 1000)]));
        }
        var random = new Random(18);
        for (int p = 0; p < good.Length / Page; p++)
        {
            var zeroed = (byte[])good.Clone();
            Array.Clear(zeroed, p * Page, Page);
            cases.Add(($"page {p} zeroed", zeroed));
            var noise = (byte[])good.Clone();
            random.NextBytes(noise.AsSpan(p * Page, Page));
            cases.Add(($"page {p} random", noise));
            var flipped = (byte[])good.Clone();
            for (int k = 0; k < 16; k++) flipped[p * Page + random.Next(Page)] ^= (byte)(1 << random.Next(8));
            cases.Add(($"page {p} 16 bits flipped", flipped));
        }
        var header = (byte[])good.Clone();
        header[40] = (byte)'X';
        cases.Add(("wrong header text", header));
        var version = (byte[])good.Clone();
        version[59] = 7;
        cases.Add(("wrong format version", version));

        var report = new Report(0, [], [], []);
        int n = 0;
        foreach (var (name, bytes) in cases)
            foreach (bool withGoodCopy in new[] { true, false })
            {
                n++;
                string caseDir = Directory.CreateDirectory(Path.Combine(workDir, $"case-{n}")).FullName;
                string db = Path.Combine(caseDir, "settings.db"), link = Path.Combine(caseDir, "damaged.link");
                File.WriteAllBytes(db, bytes);
                HardLink(db, link);
                if (withGoodCopy)
                {
                    File.WriteAllText(db + LiteDbSettingsStore.GoodCopySuffix, goodCopy);
                    File.WriteAllText(db + LiteDbSettingsStore.GoodCopyJournalSuffix, journal);
                }
                string label = $"{name}, {(withGoodCopy ? "with" : "without")} good copy";
                var before = SHA256.HashData(bytes);
                try
                {
                    using var store = new LiteDbSettingsStore(db);
                    var loaded = store.Load();
                    string? got = loaded is null ? null : RouterJson.WriteSettings(loaded);
                    if (withGoodCopy && got != expected) report.Wrong.Add($"{label}: not the last good settings ({store.Health?.Code})");
                    if (!withGoodCopy && got is not null && got != expected) report.Wrong.Add($"{label}: settings that were never stored");
                    if (!withGoodCopy && got is null && store.Health?.Code != StoreHealth.Rescue) report.Wrong.Add($"{label}: empty without saying rescue ({store.Health?.Code ?? "no health"})");
                }
                catch (Exception e)
                {
                    report.Crashes.Add($"{label}: {e.GetType().Name}: {e.Message}");
                }
                if (!SHA256.HashData(File.ReadAllBytes(link)).AsSpan().SequenceEqual(before))
                    report.Writes.Add($"{label}: the damaged file was written to");
            }
        return report with { Cases = n };
    }

    static void HardLink(string target, string link)
    {
        if (Link(target, link) != 0) throw new IOException($"link {target} {link} failed");
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "link")]
    static extern int Link(string target, string link);
}
