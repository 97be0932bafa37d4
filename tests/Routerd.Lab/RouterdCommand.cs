namespace Routerd.Lab;

/// <summary>How to launch routerd: the NativeAOT binary (what `./build.sh lab` uses, as shipped)
/// or the framework-dependent debug build (what the namespace tests use: `dotnet test` builds it
/// in seconds, where an AOT publish takes over a minute).</summary>
public sealed record RouterdCommand(string Binary, IReadOnlyList<string> Argv, string HowToBuild)
{
    public const string AotRelative = "artifacts/bin/routerd-linux-x64/routerd";
    public const string DebugRelative = "artifacts/bin/Routerd/debug/routerd.dll";

    /// <summary>A path to either build: a .dll runs under `dotnet`, anything else directly.</summary>
    public static RouterdCommand FromPath(string path)
    {
        string full = Path.GetFullPath(path);
        return full.EndsWith(".dll", StringComparison.Ordinal)
            ? new(full, ["dotnet", full], "build it with `dotnet build firmware/Routerd`")
            : new(full, [full], "build it with `./build.sh build`");
    }

    /// <summary>$ROUTERD if set, else the debug build in this checkout's artifacts.</summary>
    public static RouterdCommand Default() =>
        FromPath(Environment.GetEnvironmentVariable("ROUTERD") is { Length: > 0 } env ? env : Path.Combine(RepoRoot(), DebugRelative));

    /// <summary>The checkout this assembly was built from (the folder holding Router.sln).</summary>
    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Router.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no Router.sln above {AppContext.BaseDirectory}");
    }
}
