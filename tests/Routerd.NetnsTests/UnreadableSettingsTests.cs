using System.Security.Cryptography;
using Xunit;

namespace Routerd.NetnsTests;

/// <summary>A settings file routerd cannot read must stop it: starting with first-boot settings
/// instead would silently throw the user's configuration away, and overwriting it would make
/// that permanent.</summary>
public sealed class UnreadableSettingsTests(LabWithoutRouterdFixture fixture) : IClassFixture<LabWithoutRouterdFixture>
{
    readonly Lab.Lab lab = fixture.Lab;

    [Fact]
    public void Routerd_refuses_to_start_names_the_file_and_leaves_it_untouched()
    {
        string file = Path.Combine(lab.StateDir, "settings.db");
        var garbage = new byte[8192];
        new Random(2).NextBytes(garbage);
        File.WriteAllBytes(file, garbage);

        var run = Lab.CommandResult.Run(lab.RouterdServeCommand(), TimeSpan.FromSeconds(30));

        Assert.False(run.TimedOut, $"routerd kept running on an unreadable settings file: {run}");
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains(file, run.Stderr);
        Assert.True(run.Stderr.Length > file.Length + 20, $"stderr must also say why: {run}");
        Assert.Equal(SHA256.HashData(garbage), SHA256.HashData(File.ReadAllBytes(file)));
        // Refusing to start means touching nothing: no ruleset, no dnsmasq.
        Assert.False(lab.RunIn(lab.RouterNs, "nft list table inet routerd").Ok, "a ruleset was loaded");
        Assert.Empty(lab.PidsOf(lab.RouterNs, "dnsmasq"));
    }
}
