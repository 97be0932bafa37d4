using System.IO.Hashing;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Routerd.Core.Settings;
using Routerd.Platform.Processes;

namespace Routerd.Platform.Store;

/// <summary>The last-known-good copy of the settings beside the database: the whole settings as
/// JSON (<see cref="Path"/>: written to a new file, flushed, renamed into place), plus a journal of
/// the port-forward changes committed since (<see cref="JournalPath"/>): one line per change,
/// appended and flushed, so adding one forward beside a thousand writes that forward, not the
/// thousand again. Reading takes the whole copy and replays the journal's lines onto it.
///
/// A journal line is <c>&lt;XXH128 of the JSON&gt; &lt;JSON&gt;</c>, the JSON one splice of the forward
/// list (<see cref="ListSplice{T}"/>); a line cut short by a power cut (never acknowledged) fails its
/// digest and ends the replay. The journal's first line names the whole copy it continues (its
/// XXH128): a journal left behind by a whole copy written since is ignored. It is folded into a
/// new whole copy when it grows longer than the copy itself.</summary>
sealed class GoodCopy(string path)
{
    public string Path { get; } = path;
    public const string JournalSuffix = ".journal";
    public string JournalPath => Path + JournalSuffix;
    const string Header = "routerd-good-copy-journal 1 base ";
    const UnixFileMode OwnerOnly = FileModes.OwnerOnly;
    /// <summary>A journal shorter than this is never folded, however small the whole copy.</summary>
    const long JournalFloor = 16 * 1024;

    /// <summary>The whole copy's text as it is on the disk (null: unknown or none).</summary>
    string? wholeText;
    /// <summary>The journal's length on the disk; null: there is none that continues <see cref="wholeText"/>.</summary>
    long? journalLength;

    /// <summary>The settings the copy holds (null: none, or unreadable) and, when the journal added
    /// nothing, the whole copy's text (for comparing without serializing again).</summary>
    public (RouterSettings? Settings, string? Text) Read()
    {
        try
        {
            if (!File.Exists(Path)) return (null, null);
            string text = File.ReadAllText(Path);
            var settings = RouterJson.ReadSettings(text);
            wholeText = text;
            int replayed = Replay(ref settings, text);
            return (settings, replayed == 0 ? text : null);
        }
        catch (Exception e) when (e is IOException or FormatException or JsonException or InvalidDataException or InvalidOperationException) { return (null, null); }
    }

    /// <summary>Applies the journal's good lines in order; the count applied. The journal stays
    /// usable for appending only when every line in it was good.</summary>
    int Replay(ref RouterSettings settings, string whole)
    {
        journalLength = null;
        if (!File.Exists(JournalPath)) return 0;
        byte[] bytes;
        try { bytes = File.ReadAllBytes(JournalPath); }
        catch (IOException)
        {
            // An unreadable journal must not cost the whole copy: what it held is lost, the copy is
            // the best there is, and the next change writes the copy whole.
            wholeText = null;
            return 0;
        }
        var lines = Encoding.UTF8.GetString(bytes).Split('\n');
        if (lines[0] != Header + Digest(whole)) return 0;
        int applied = 0;
        var forwards = settings.Forwards;
        bool clean = true;
        // The last element is what follows the last newline: empty when the journal ends whole.
        // A line counts only with its newline: the append that wrote it in one piece had not reached
        // the disk whole (never acknowledged), and the next line must not be written onto its end.
        for (int i = 1; i < lines.Length; i++)
        {
            if (i == lines.Length - 1 && lines[i].Length == 0) break;
            if (i == lines.Length - 1 || ParseLine(lines[i]) is not { } splice || splice.At + splice.Remove > forwards.Count)
            {
                clean = false;
                break;
            }
            forwards = splice.ApplyTo(forwards);
            applied++;
        }
        settings = settings with { Forwards = forwards };
        // A bad line (the tail of an unacknowledged change) must not sit between what was replayed
        // and the next line, nor may a new journal drop the good lines: the next change writes the
        // copy whole.
        if (clean) journalLength = bytes.Length;
        else wholeText = null;
        return applied;
    }

    static ListSplice<PortForward>? ParseLine(string line)
    {
        int space = line.IndexOf(' ');
        if (space < 0 || line[..space] != Digest(line[(space + 1)..])) return null;
        try
        {
            if (JsonNode.Parse(line[(space + 1)..]) is not JsonObject o) return null;
            var insert = o["insert"]?.AsArray().Select(n => n.Deserialize(RouterJsonContext.Default.PortForward)
                ?? throw new InvalidDataException("a null forward")).ToList() ?? [];
            return new ListSplice<PortForward>((int)o["at"]!, (int)o["remove"]!, insert);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or InvalidDataException or NullReferenceException) { return null; }
    }

    static string Line(ListSplice<PortForward> splice)
    {
        var json = new JsonObject
        {
            ["at"] = splice.At,
            ["remove"] = splice.Remove,
            ["insert"] = new JsonArray(splice.Insert.Select(f => JsonSerializer.SerializeToNode(f, RouterJsonContext.Default.PortForward)).ToArray()),
        }.ToJsonString();
        return $"{Digest(json)} {json}\n";
    }

    static string Digest(string text) => Convert.ToHexString(XxHash128.Hash(Encoding.UTF8.GetBytes(text)));

    /// <summary>A change of the forward list alone: one journal line, unless the journal is due to
    /// be folded (or there is no whole copy it could continue): then the whole copy.</summary>
    public void Append(ListSplice<PortForward> splice, Func<string> whole)
    {
        if (wholeText is null || journalLength is { } n && n > Math.Max(JournalFloor, wholeText.Length))
        {
            WriteWhole(whole());
            return;
        }
        string line = Line(splice);
        if (journalLength is null) StartJournal(line);
        else if (!AppendLine(line)) WriteWhole(whole());
    }

    /// <summary>A new journal with its header and first line: written aside and renamed into place
    /// (flushed, and the directory too), so a journal is never found without its header.</summary>
    void StartJournal(string line)
    {
        string content = Header + Digest(wholeText!) + "\n" + line;
        WriteAndRename(JournalPath, content);
        journalLength = Encoding.UTF8.GetByteCount(content);
    }

    /// <summary>False, having written nothing, when the journal is not as this store left it.</summary>
    bool AppendLine(string line)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(line);
        try
        {
            using var f = new FileStream(JournalPath, FileMode.Open, FileAccess.Write, FileShare.None);
            // Only whole lines this store read or wrote are in it (a failed append makes the next
            // change write the copy whole), so nothing after them needs cutting off.
            if (f.Length != journalLength) return false;
            f.Seek(journalLength.Value, SeekOrigin.Begin);
            f.Write(bytes);
            f.Flush(flushToDisk: true);
            journalLength += bytes.Length;
            return true;
        }
        catch
        {
            // Whatever reached the file sits after the last good line: the next change writes the whole copy.
            journalLength = null;
            wholeText = null;
            throw;
        }
    }

    /// <summary>The whole settings, after a change of more than the forward list (or a fold). The
    /// journal goes once the new copy is in place; one left behind by a crash names the old copy and
    /// is ignored. A copy whose text has not changed stays: then the journal is removed and the
    /// directory flushed (what the copy says is then the settings being stored, or the ones before
    /// if the removal did not reach the disk).</summary>
    public void WriteWhole(string json)
    {
        if (json == wholeText)
        {
            if (journalLength is not null || File.Exists(JournalPath))
            {
                journalLength = null;
                File.Delete(JournalPath);
                FileModes.FlushToDisk(StoreFiles.DirectoryOf(Path));
            }
            return;
        }
        wholeText = null;
        journalLength = null;
        WriteAndRename(Path, json);
        wholeText = json;
        StoreFiles.DeleteQuietly(JournalPath);
    }

    static void WriteAndRename(string path, string content)
    {
        string tmp = path + ".tmp";
        try
        {
            using var f = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None);
            File.SetUnixFileMode(f.SafeFileHandle, OwnerOnly);
            f.Write(Encoding.UTF8.GetBytes(content));
            f.Flush(flushToDisk: true);
        }
        catch
        {
            StoreFiles.DeleteQuietly(tmp);
            throw;
        }
        File.Move(tmp, path, overwrite: true);
        FileModes.FlushToDisk(StoreFiles.DirectoryOf(path));
    }

}
