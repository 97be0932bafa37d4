namespace Routerd.Core.Wan;

/// <summary>How a daemon's hook script reaches the running routerd: the command that starts
/// routerd (the AOT binary, or `dotnet routerd.dll` for a development build) and its control socket.</summary>
public sealed record HookTarget(IReadOnlyList<string> Command, string Socket)
{
    /// <summary>The routerd command as a /bin/sh word list, every word single-quoted.</summary>
    public string ShellCommand => string.Join(' ', Command.Select(ShellQuote));

    /// <summary>Single-quotes a word for /bin/sh. Paths come from the board configuration.</summary>
    public static string ShellQuote(string value) => "'" + value.Replace("'", "'\\''") + "'";
}
