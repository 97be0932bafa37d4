using LiteDB;
using Routerd.Core.Settings;
using Routerd.Core.Firewall;
using Routerd.Core.Qos;
using Routerd.Core.Wan;

namespace Routerd.Platform.Store;

/// <summary>Settings in LiteDB through its BsonDocument API only: LiteDB's typed mapper relies on
/// reflection and silently stores empty documents under NativeAOT (LAB.md). The document is
/// our source-generated JSON turned into BSON, so there is one mapping, and it stays queryable.</summary>
public sealed class LiteDbSettingsStore : ISettingsStore
{
    const string Collection = "settings";
    const string DocumentId = "router";
    readonly LiteDatabase db;

    public string FilePath { get; }

    /// <exception cref="SettingsFileException">the file exists but cannot be read as a settings database.</exception>
    public LiteDbSettingsStore(string path)
    {
        FilePath = path;
        try
        {
            // Check the header ourselves first: opened for writing, LiteDB "repairs" a damaged file
            // in place, and a file we cannot read may be the user's only copy of their settings.
            if (File.Exists(path) && new FileInfo(path).Length > 0 && HeaderProblem(path) is { } problem)
                throw new SettingsFileException(path, problem);
            db = new LiteDatabase(Connect(path, readOnly: false));
        }
        catch (Exception e) when (e is LiteException or IOException or InvalidCastException or IndexOutOfRangeException or ArgumentException or InvalidOperationException or NullReferenceException)
        {
            throw new SettingsFileException(path, e.Message);
        }
    }

    // Direct mode: routerd is the only process that opens the file.
    static ConnectionString Connect(string path, bool readOnly) =>
        new() { Filename = path, Connection = ConnectionType.Direct, Upgrade = false, ReadOnly = readOnly };

    // LiteDB 5's data file starts with an 8 KiB header page holding this text at offset 32 and
    // the file format version (8) right after it.
    const string HeaderText = "** This is a LiteDB file **";
    const int HeaderOffset = 32, FormatVersion = 8, PageSize = 8192;

    static string? HeaderProblem(string path)
    {
        var head = new byte[HeaderOffset + HeaderText.Length + 1];
        using (var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            if (f.Length < PageSize) return $"it is {f.Length} bytes long, shorter than one LiteDB page";
            f.ReadExactly(head);
        }
        if (System.Text.Encoding.ASCII.GetString(head, HeaderOffset, HeaderText.Length) != HeaderText)
            return "it is not a LiteDB database (header missing)";
        if (head[^1] != FormatVersion)
            return $"it is a LiteDB file of format {head[^1]}, this routerd reads format {FormatVersion}";
        return null;
    }

    public RouterSettings? Load()
    {
        var doc = db.GetCollection(Collection).FindById(DocumentId);
        if (doc is null) return null;
        doc.Remove("_id");
        try
        {
            return RouterJson.ReadSettings(LiteDB.JsonSerializer.Serialize(doc));
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidDataException)
        {
            throw new SettingsFileException(FilePath, e.Message);
        }
    }

    public void Save(RouterSettings settings)
    {
        var doc = LiteDB.JsonSerializer.Deserialize(RouterJson.WriteSettings(settings)).AsDocument;
        doc["_id"] = DocumentId;
        db.GetCollection(Collection).Upsert(doc);
        db.Checkpoint(); // the change is in the data file before we report success
    }

    public void Dispose() => db.Dispose();
}

/// <summary>The settings file is there but unreadable: routerd refuses to start rather than
/// overwrite what may be the user's only copy of their settings.</summary>
public sealed class SettingsFileException(string path, string reason)
    : Exception($"cannot read the settings file {path}: {reason}")
{
    public string FilePath { get; } = path;
}
