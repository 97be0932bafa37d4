using System.Text.Json.Nodes;
using LiteDB;
using Routerd.Core.Settings;
using Routerd.Core.Firewall;
using Routerd.Core.Qos;
using Routerd.Core.Wan;
using Routerd.Platform.Processes;

namespace Routerd.Platform.Store;

/// <summary>Settings in LiteDB through its BsonDocument API only: LiteDB's typed mapper relies on
/// reflection and silently stores empty documents under NativeAOT (LAB.md). The document is
/// our source-generated JSON turned into BSON, so there is one mapping, and it stays queryable.
///
/// The port forwards are not in that document but one document each in their own collection
/// (schema 9; up to 8 they were a list inside it, which is still read): a change of the forward list
/// alone — one forward added, changed or deleted, the API's everyday edit — writes those documents
/// and one line of the good copy's journal (<see cref="GoodCopy"/>), not a thousand forwards again.
/// Each document carries its own digest; their order is their <c>_id</c>.
///
/// A change is acknowledged once it is on the disk in the last-known-good copy
/// (<see cref="GoodCopySuffix"/>: JSON, written to a new file, flushed to disk, renamed into place;
/// a change of the forwards alone is a flushed line appended to its journal instead): one disk
/// flush on a request's path. The LiteDB data file follows on a thread of its own
/// (<see cref="LatestWriter{T}"/>: commit, checkpoint, flush; changes that came meanwhile in one
/// commit), so at any moment it holds the acknowledged settings or, for the milliseconds it lags,
/// the ones before. Start takes the copy wherever the two differ (<see cref="StoreHealth.Behind"/>),
/// and the data file stays the copy's backup (the copy unreadable: the file is used).
///
/// A damaged file never stops the router and is never written to:
/// <list type="bullet">
/// <item>at start the file is only read (read-only, header first, then the document), and the
/// store continues in a freshly written file that replaces it by rename: LiteDB never opens
/// for writing a file whose every page it has not just written itself (opened for writing, LiteDB
/// "repairs" a damaged file in place). When the file read well, that rewrite waits for the first
/// commit (an everyday start writes nothing and waits for no disk flush); after damage, a
/// missing file or one behind its copy, it happens at start;</item>
/// <item>a file that cannot be read (empty, truncated, foreign header, damaged pages) is moved
/// aside and kept for diagnosis (the newest <see cref="KeptDamagedCopies"/> of them), and the last good copy comes back (<see cref="StoreHealth.Restored"/>);
/// without one the router starts from the board's defaults and says so (<see cref="StoreHealth.Rescue"/>),
/// never silently as a first boot.</item>
/// </list>
/// Files are 0600: they hold the admin hash, the Wi-Fi key and the PPPoE password.</summary>
public sealed class LiteDbSettingsStore : ISettingsStore
{
    const string Collection = "settings";
    const string DocumentId = "router";
    /// <summary>One document per port forward, <c>_id</c> its place in the list (ascending, with gaps).</summary>
    const string ForwardsCollection = "forwards";
    const string ForwardsField = "forwards";
    public const string GoodCopySuffix = ".good.json";
    public const string GoodCopyJournalSuffix = GoodCopySuffix + GoodCopy.JournalSuffix;
    const UnixFileMode OwnerOnly = FileModes.OwnerOnly;

    /// <summary>Null after a failed commit: LiteDB stays broken after a write error (a full disk),
    /// so the next write starts over from a freshly written file. Used by the writer's thread alone
    /// (and by the constructor and <see cref="Dispose"/>, before and after it).</summary>
    LiteDatabase? db;
    /// <summary>What the store holds: the last acknowledged settings, which the good copy holds.</summary>
    RouterSettings? current;
    /// <summary>What <see cref="db"/> holds (the writer's thread alone).</summary>
    RouterSettings? written;
    /// <summary>The <c>_id</c> of each of <see cref="written"/>'s forwards in <see cref="db"/> (which
    /// is only ever open on a file this store wrote).</summary>
    List<int> forwardIds = [];
    readonly GoodCopy goodCopy;
    readonly LatestWriter<RouterSettings> writer;

    /// <summary>Told when the data file could not follow the good copy (the settings are safe in
    /// the copy; the next change tries again from a freshly written file).</summary>
    public Action<StoreException>? DataFileFailed { get; set; }

    public string FilePath { get; }
    public string GoodCopyPath => goodCopy.Path;
    /// <summary>The forward changes since the good copy was last written whole.</summary>
    public string GoodCopyJournalPath => goodCopy.JournalPath;
    /// <summary>What starting found: null when the file was fine (or this is a first boot).</summary>
    public StoreHealth? Health { get; }

    public LiteDbSettingsStore(string path)
    {
        FilePath = path;
        goodCopy = new GoodCopy(path + GoodCopySuffix);
        writer = new LatestWriter<RouterSettings>(Write);
        RouterSettings? settings = null;
        var (good, goodText) = goodCopy.Read();
        if (File.Exists(path))
        {
            try
            {
                settings = ReadOnly(path);
                if (good is not null && (settings is null || !Same(settings, good, goodText)))
                    // The copy is flushed to disk after every commit, LiteDB's pages may not be (a power cut).
                    Health = new StoreHealth(StoreHealth.Behind, $"the settings file {path} was behind its last good copy; the copy was used", null);
            }
            catch (SettingsFileException e)
            {
                string aside = MoveAside(path);
                Health = good is not null
                    ? new StoreHealth(StoreHealth.Restored, $"{e.Message}. It was moved to {aside} and the last good settings were restored", aside)
                    : new StoreHealth(StoreHealth.Rescue, $"{e.Message}. It was moved to {aside}; there is no good copy, so the router starts with the board's defaults (admin/admin)", aside);
            }
        }
        else if (good is not null)
            Health = new StoreHealth(StoreHealth.Restored, $"the settings file {path} was missing; the last good settings were restored", null);
        current = written = good ?? settings;
        // The file holds what the store goes on with: the first write makes the fresh file (db is
        // null until then). Otherwise the store's content is put right now.
        if (Health is null) return;
        Rewrite(path, current);
        db = Open(path);
    }

    /// <summary>The good copy is the JSON <see cref="RouterJson.WriteSettings"/> wrote: the same text
    /// is the same settings, without parsing both (a copy from an older schema, or one its journal
    /// added to, is compared field by field).</summary>
    static bool Same(RouterSettings settings, RouterSettings good, string? goodText)
    {
        string text = RouterJson.WriteSettings(settings);
        return text == goodText || text == RouterJson.WriteSettings(good);
    }

    static LiteDatabase Open(string path)
    {
        var db = new LiteDatabase(Connect(path, readOnly: false));
        File.SetUnixFileMode(path, OwnerOnly);
        return db;
    }

    // Direct mode: routerd is the only process that opens the file.
    static ConnectionString Connect(string path, bool readOnly) =>
        new() { Filename = path, Connection = ConnectionType.Direct, Upgrade = false, ReadOnly = readOnly };

    /// <summary>LiteDB keeps uncheckpointed pages in a second file beside the data file.</summary>
    static string LogFileOf(string path) =>
        Path.Combine(Path.GetDirectoryName(path) ?? ".", $"{Path.GetFileNameWithoutExtension(path)}-log{Path.GetExtension(path)}");

    /// <summary>Reads the stored settings without writing a byte: null when the database holds none.</summary>
    /// <exception cref="SettingsFileException">the file is not a readable settings database.</exception>
    public static RouterSettings? ReadOnly(string path)
    {
        try
        {
            if (HeaderProblem(path) is { } problem) throw new SettingsFileException(path, problem);
            using var db = new LiteDatabase(Connect(path, readOnly: true));
            var doc = db.GetCollection(Collection).FindById(DocumentId);
            if (doc is null) return null;
            string json = Unsealed(path, doc, "settings");
            // Up to schema 8 the forwards were a list inside the settings document.
            if (doc.ContainsKey(ForwardsField)) return RouterJson.ReadSettings(json);
            var whole = (JsonObject)JsonNode.Parse(json)!;
            var forwards = new JsonArray();
            foreach (var f in db.GetCollection(ForwardsCollection).Find(Query.All("_id", Query.Ascending)))
                forwards.Add(JsonNode.Parse(Unsealed(path, f, $"port forward {f["_id"]}")));
            whole[ForwardsField] = forwards;
            return RouterJson.ReadSettings(whole.ToJsonString());
        }
        catch (SettingsFileException) { throw; }
        // LiteDB reports a damaged page with whatever exception the damage happens to cause.
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new SettingsFileException(path, e.Message);
        }
    }

    // LiteDB 5's data file starts with an 8 KiB header page holding this text at offset 32 and
    // the file format version (8) right after it.
    const string HeaderText = "** This is a LiteDB file **";
    const int HeaderOffset = 32, FormatVersion = 8, PageSize = 8192;

    static string? HeaderProblem(string path)
    {
        var head = new byte[HeaderOffset + HeaderText.Length + 1];
        using (var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            if (f.Length == 0) return "it is empty";
            if (f.Length % PageSize != 0) return $"it is {f.Length} bytes long, not a whole number of LiteDB pages (cut short?)";
            f.ReadExactly(head);
        }
        if (System.Text.Encoding.ASCII.GetString(head, HeaderOffset, HeaderText.Length) != HeaderText)
            return "it is not a LiteDB database (header missing)";
        if (head[^1] != FormatVersion)
            return $"it is a LiteDB file of format {head[^1]}, this routerd reads format {FormatVersion}";
        return null;
    }

    /// <summary>The damaged file (and LiteDB's log beside it) renamed, never changed: kept for
    /// diagnosis, with the <see cref="KeptDamagedCopies"/> − 1 kept before it (the rest are deleted).</summary>
    static string MoveAside(string path)
    {
        string stamped = $"{path}{DamagedInfix}{DateTime.UtcNow:yyyyMMdd'T'HHmmss'Z'}", aside = stamped;
        for (int i = 1; File.Exists(aside); i++) aside = $"{stamped}-{i}";
        File.Move(path, aside);
        if (File.Exists(LogFileOf(path))) File.Move(LogFileOf(path), aside + DamagedLogSuffix);
        DeleteOlderDamagedCopies(path, aside);
        return aside;
    }

    const string DamagedInfix = ".damaged-", DamagedLogSuffix = "-log";
    /// <summary>A box whose power is cut again and again must not fill its data partition with
    /// copies nobody reads: the newest few show what happened.</summary>
    public const int KeptDamagedCopies = 3;

    /// <summary>Keeps <paramref name="kept"/> and the newest others (by name: the time it was moved
    /// aside) up to <see cref="KeptDamagedCopies"/>; a clock set back at boot can only make an older
    /// one count as newer, never cost the one just moved aside.</summary>
    static void DeleteOlderDamagedCopies(string path, string kept)
    {
        string keptFull = Path.GetFullPath(kept);
        var older = Directory.GetFiles(StoreFiles.DirectoryOf(path), Path.GetFileName(path) + DamagedInfix + "*")
            .Where(f => !f.EndsWith(DamagedLogSuffix, StringComparison.Ordinal) && f != keptFull)
            .OrderByDescending(f => f, StringComparer.Ordinal)
            .Skip(KeptDamagedCopies - 1);
        foreach (var copy in older)
        {
            StoreFiles.DeleteQuietly(copy);
            StoreFiles.DeleteQuietly(copy + DamagedLogSuffix);
        }
    }

    /// <summary>A stored document as JSON, without its <c>_id</c> and digest, once the digest is checked.
    /// LiteDB's data pages carry no checksum: a flipped bit in a property's name reads as a
    /// valid document with that setting at its default. The digest written with the
    /// document (<see cref="Sealed"/>) tells such damage apart; documents from before it have none.</summary>
    static string Unsealed(string path, BsonDocument doc, string what)
    {
        doc.Remove("_id");
        string? digest = doc.TryGetValue(DigestField, out var d) && d.IsString ? d.AsString : null;
        string? sha256 = doc.TryGetValue(Sha256Field, out var s) && s.IsString ? s.AsString : null;
        doc.Remove(DigestField);
        doc.Remove(Sha256Field);
        string json = LiteDB.JsonSerializer.Serialize(doc);
        if (digest is not null && digest != Digest(json) || sha256 is not null && sha256 != Sha256(json))
            throw new SettingsFileException(path, $"the stored {what} do not match their checksum (damaged)");
        return json;
    }

    /// <summary>A new database file holding exactly <paramref name="settings"/> (none: empty),
    /// flushed to disk and renamed over <paramref name="path"/>.</summary>
    void Rewrite(string path, RouterSettings? settings)
    {
        string next = Path.Combine(Path.GetDirectoryName(path) ?? ".", Path.GetFileNameWithoutExtension(path) + ".next" + Path.GetExtension(path));
        File.Delete(next);
        File.Delete(LogFileOf(next));
        try
        {
            using var fresh = new LiteDatabase(Connect(next, readOnly: false));
            forwardIds = [];
            if (settings is not null) Commit(fresh, settings, ListSplice<PortForward>.Between([], settings.Forwards));
            fresh.Checkpoint();
        }
        catch
        {
            // A full disk: what was written of the new file only takes the room the next try needs.
            StoreFiles.DeleteQuietly(next);
            StoreFiles.DeleteQuietly(LogFileOf(next));
            throw;
        }
        File.Delete(LogFileOf(next));
        File.SetUnixFileMode(next, OwnerOnly);
        FileModes.FlushToDisk(next);
        // The old log's pages are in what was read above; left behind, LiteDB would replay them onto the new file.
        File.Delete(LogFileOf(path));
        File.Move(next, path, overwrite: true);
        FileModes.FlushToDisk(StoreFiles.DirectoryOf(path));
    }

    /// <summary>The XXH128 of the document as LiteDB gives it back (without _id and the digest itself).
    /// It finds damage, not tampering (whoever can write the file can write the digest), so a
    /// non-cryptographic hash serves: SHA-256 would load OpenSSL at every start (~2 MB resident).</summary>
    const string DigestField = "_xxh128";
    static string Digest(string json) => Convert.ToHexString(System.IO.Hashing.XxHash128.Hash(System.Text.Encoding.UTF8.GetBytes(json)));
    /// <summary>Documents written before XXH128 carry a SHA-256 instead: still checked when found.</summary>
    const string Sha256Field = "_sha256";
    static string Sha256(string json) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(json)));

    /// <summary>A document as stored: with its digest (over the document without <c>_id</c>) and its <c>_id</c>.</summary>
    static BsonDocument Sealed(BsonDocument doc, BsonValue id)
    {
        doc[DigestField] = Digest(LiteDB.JsonSerializer.Serialize(doc));
        doc["_id"] = id;
        return doc;
    }

    /// <summary>One transaction: the settings document (<paramref name="settings"/> null: it is
    /// unchanged, only the forwards moved) and the forwards <paramref name="splice"/> touches, then
    /// a checkpoint, so the change is in the data file before we report success. The splice's new
    /// forwards take the ids after the one before them; where they do not fit below the one after,
    /// the rest of the list is written again with new ids (only a list edited in its middle by a
    /// whole-settings change needs that).</summary>
    void Commit(LiteDatabase db, RouterSettings? settings, ListSplice<PortForward> splice)
    {
        int before = splice.At > 0 ? forwardIds[splice.At - 1] : 0;
        int after = splice.At + splice.Remove < forwardIds.Count ? forwardIds[splice.At + splice.Remove] : int.MaxValue;
        if ((long)before + splice.Insert.Count >= after)
        {
            var rest = written!.Forwards.Skip(splice.At + splice.Remove);
            splice = new(splice.At, forwardIds.Count - splice.At, [.. splice.Insert, .. rest]);
        }
        var ids = Enumerable.Range(before + 1, splice.Insert.Count).ToList();
        db.BeginTrans();
        if (settings is not null)
        {
            var doc = JsonToBson.Document(RouterJson.WriteSettings(settings with { Forwards = [] }));
            doc.Remove(ForwardsField);
            db.GetCollection(Collection).Upsert(Sealed(doc, DocumentId));
        }
        var forwards = db.GetCollection(ForwardsCollection);
        // A forward changed in place keeps its id: updated, not deleted and inserted again (fewer pages).
        foreach (int id in forwardIds.Skip(splice.At).Take(splice.Remove).Except(ids)) forwards.Delete(id);
        for (int i = 0; i < ids.Count; i++)
            forwards.Upsert(Sealed(JsonToBson.Document(System.Text.Json.JsonSerializer.Serialize(splice.Insert[i], RouterJsonContext.Default.PortForward)), ids[i]));
        db.Commit();
        db.Checkpoint();
        forwardIds = [.. forwardIds[..splice.At], .. ids, .. forwardIds[(splice.At + splice.Remove)..]];
    }

    /// <summary>What the constructor read (and rewrote); the store is the only writer afterwards,
    /// so this is what the file holds.</summary>
    public RouterSettings? Load() => current;

    /// <summary>Writes the last good copy (flushed; a new whole copy renamed into place, or one
    /// journal line for a change of the forwards alone): then the change is on the disk and is
    /// acknowledged. The data file follows on the writer's thread. After a failure nothing was
    /// stored: the copy holds the previous settings (a torn journal line fails its digest, and the
    /// next change writes the copy whole).</summary>
    /// <exception cref="StoreException"/>
    public void Save(RouterSettings settings)
    {
        var (forwardsOnly, splice) = Change(current, settings);
        if (forwardsOnly && splice.IsEmpty) return; // nothing changed: it is all on the disk
        try
        {
            if (forwardsOnly) goodCopy.Append(splice, () => RouterJson.WriteSettings(settings));
            else goodCopy.WriteWhole(RouterJson.WriteSettings(settings));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw Failure(e);
        }
        current = settings;
        writer.Post(settings);
    }

    /// <summary>Whether <paramref name="to"/> differs from <paramref name="from"/> in its forwards
    /// alone (compared as records: the loop's edits keep every other part the very same object),
    /// and the forwards' splice between them.</summary>
    static (bool ForwardsOnly, ListSplice<PortForward> Splice) Change(RouterSettings? from, RouterSettings to) =>
        (from is not null && to with { Forwards = from.Forwards } == from, ListSplice<PortForward>.Between(from?.Forwards ?? [], to.Forwards));

    /// <summary>On the writer's thread: the data file brought to <paramref name="settings"/> in one
    /// transaction, checkpointed into the data file, which is then flushed. A failure drops LiteDB
    /// (it stays broken after a write error) and the next write rewrites the file from scratch
    /// instead of trusting LiteDB's state.</summary>
    void Write(RouterSettings settings)
    {
        try
        {
            if (db is null)
            {
                Rewrite(FilePath, settings);
                db = Open(FilePath);
            }
            else
            {
                var (forwardsOnly, splice) = Change(written, settings);
                if (forwardsOnly && splice.IsEmpty) return;
                Commit(db, forwardsOnly ? null : settings, splice);
                FileModes.FlushToDisk(FilePath);
            }
            written = settings;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Drop();
            DataFileFailed?.Invoke(Failure(e));
        }
    }

    /// <summary>Waits until the data file holds the last acknowledged settings (or its write
    /// failed); false when <paramref name="timeout"/> passed first.</summary>
    public bool Settle(TimeSpan timeout) => writer.Settle(timeout);

    void Drop()
    {
        try { db?.Dispose(); }
        catch (Exception e) when (e is not OutOfMemoryException) { /* it failed already; the next Save starts over */ }
        db = null;
    }

    /// <summary>The failure as the API names it: a full disk is said to be one. LiteDB writes its
    /// pages on a thread of its own, and when that write fails on a full disk the commit sees only
    /// "Cannot access a closed file": so the free space decides too.</summary>
    StoreException Failure(Exception e)
    {
        string dir = StoreFiles.DirectoryOf(FilePath);
        bool full = false;
        for (var x = e; x is not null && !full; x = x.InnerException)
            full = x is IOException { HResult: Enospc or Edquot } || x.Message.Contains("No space left on device", StringComparison.Ordinal);
        full = full || FreeBytes(dir) < RoomForACommit;
        return full
            ? new StoreException(StoreException.Full, $"the settings were not stored: the disk holding {dir} is full; nothing was changed", e)
            : new StoreException(StoreException.WriteFailed, $"the settings were not stored ({e.Message}); nothing was changed", e);
    }

    /// <summary>Less than this free and a commit (a few LiteDB pages, the good copy) cannot fit.</summary>
    const long RoomForACommit = 64 * 1024;

    static long FreeBytes(string dir)
    {
        try { return new DriveInfo(dir).AvailableFreeSpace; }
        catch (Exception x) when (x is IOException or ArgumentException or UnauthorizedAccessException) { return long.MaxValue; }
    }

    // errno values .NET puts in an IOException's HResult on Linux.
    const int Enospc = 28, Edquot = 122;

    /// <summary>The data file is brought up to date first (a clean stop leaves it equal to the copy).</summary>
    public void Dispose()
    {
        if (writer.Stop(TimeSpan.FromSeconds(30))) Drop();
    }
}

/// <summary>The settings file is there but unreadable.</summary>
public sealed class SettingsFileException(string path, string reason)
    : Exception($"cannot read the settings file {path}: {reason}")
{
    public string FilePath { get; } = path;
}
