using System.Diagnostics;

namespace Routerd.Platform.Processes;

public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;
}

/// <summary>Runs a short-lived tool (nft, ip) to completion. Arguments go through the argv list,
/// never a shell, and larger inputs (rulesets, batches) through standard input.</summary>
public static class ProcessRunner
{
    /// <param name="outputLine">Called with each line of standard output as it comes (a long
    /// tool's progress); the whole output is still returned.</param>
    public static ProcessResult Run(string file, IEnumerable<string> arguments, string? standardInput = null, TimeSpan? timeout = null, Action<string>? outputLine = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardInput = standardInput is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = outputLine is null ? p.StandardOutput.ReadToEndAsync() : ReadLines(p.StandardOutput, outputLine);
        var stderr = p.StandardError.ReadToEndAsync();
        if (standardInput is not null)
        {
            p.StandardInput.Write(standardInput);
            p.StandardInput.Close();
        }
        if (!p.WaitForExit(timeout ?? TimeSpan.FromSeconds(30)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} did not finish within {(timeout ?? TimeSpan.FromSeconds(30)).TotalSeconds:0} s");
        }
        return new ProcessResult(p.ExitCode, stdout.Result, stderr.Result);
    }

    static async Task<string> ReadLines(StreamReader reader, Action<string> each)
    {
        var all = new System.Text.StringBuilder();
        while (await reader.ReadLineAsync() is { } line)
        {
            all.Append(line).Append('\n');
            each(line);
        }
        return all.ToString();
    }
}
