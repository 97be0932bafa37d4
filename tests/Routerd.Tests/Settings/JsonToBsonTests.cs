using LiteDB;
using Routerd.Core.Settings;
using Routerd.Platform.Store;
using Xunit;

namespace Routerd.Tests.Settings;

/// <summary>The store's JSON reader makes the very document LiteDB's own reader makes (the digest
/// in stored documents is taken over LiteDB's serialization of it, so a type that came out
/// differently would read as damage).</summary>
public sealed class JsonToBsonTests
{
    static void SameAsLiteDb(string json)
    {
        var theirs = LiteDB.JsonSerializer.Deserialize(json).AsDocument;
        var ours = JsonToBson.Document(json);
        Assert.Equal(LiteDB.JsonSerializer.Serialize(theirs), LiteDB.JsonSerializer.Serialize(ours));
    }

    [Fact]
    public void Numbers_at_every_width_strings_and_nesting_read_as_LiteDB_reads_them() =>
        SameAsLiteDb("""
            { "a": 0, "b": -1, "c": 2147483647, "d": 2147483648, "e": -2147483648, "f": -2147483649,
              "g": 9223372036854775807, "h": 1.5, "i": -2.25e3, "j": 1e2, "k": "text \" \\ \u00e9 \ud83d\ude00 \n",
              "l": [1, "x", null, true, false, [], {}], "m": { "n": { "o": [ { "p": 3 } ] } }, "q": null }
            """);

    [Fact]
    public void A_whole_settings_document_reads_as_LiteDB_reads_it()
    {
        var settings = FirstBoot.Settings(new Board { LanPorts = ["eth1", "eth2"] }, _ => "pbkdf2-sha256$1$c2FsdA==$aGFzaA==") with
        {
            Forwards = [.. Enumerable.Range(1, 50).Select(i => new PortForward
            {
                Id = i, Protocol = "tcp", WanPort = 20000 + i, Mac = "02:00:00:00:01:01", LanPort = 80, Enabled = i % 2 == 0, Description = $"forward {i} «ü»",
            })],
        };
        SameAsLiteDb(RouterJson.WriteSettings(settings));
    }

    [Fact]
    public void A_key_LiteDB_would_take_for_extended_JSON_is_refused() =>
        Assert.Throws<FormatException>(() => JsonToBson.Document("""{ "when": { "$date": "2026-01-01" } }"""));
}
