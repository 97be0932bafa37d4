using System.Text;
using Routerd.Core.Logs;

namespace Routerd.Platform.Logs;

/// <summary>The lines the log viewer reads: routerd's own from memory, each daemon's from the end
/// of its log file in the log directory (Processes/Supervisor writes them). Only the last
/// <see cref="LogRules.TailBytes"/> of a file are read, so a large file costs no more than a small one.</summary>
public sealed class LogFiles(string logDir, RecentLines own) : ILogSource
{
    public IReadOnlyList<LogEntry> Read(IReadOnlyList<string> sources)
    {
        var entries = new List<LogEntry>();
        foreach (var source in sources)
        {
            if (source == "routerd")
            {
                entries.AddRange(own.Snapshot().Select(l => LogRules.Routerd(l.At, l.Line)));
                continue;
            }
            foreach (var line in Tail(Path.Combine(logDir, source + ".log")))
                if (LogRules.Daemon(source, line) is { } e) entries.Add(e);
        }
        return entries;
    }

    static IEnumerable<string> Tail(string path)
    {
        byte[] bytes;
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            long start = Math.Max(0, file.Length - LogRules.TailBytes);
            file.Seek(start, SeekOrigin.Begin);
            bytes = new byte[file.Length - start];
            int read = 0;
            while (read < bytes.Length && file.Read(bytes, read, bytes.Length - read) is var n and > 0) read += n;
            if (read < bytes.Length) Array.Resize(ref bytes, read);
            var text = Encoding.UTF8.GetString(bytes);
            var lines = text.Split('\n');
            // A tail that starts inside a line drops that partial line.
            return (start > 0 ? lines.Skip(1) : lines).Where(l => l.Length > 0).Select(l => l.TrimEnd('\r')).ToList();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or IOException)
        {
            return []; // a daemon that never ran here has no file
        }
    }
}
