using System.Text;
using Routerd.Core.Wan;
using Xunit;

namespace Routerd.Tests.Wan;

/// <summary>The quoting must keep any value one word of its option. The reader below follows
/// pppd(8) OPTIONS FILES (whitespace splits words, double quotes group, backslash quotes the
/// next character, '#' comments outside quotes): what it reads back must be what we wrote.</summary>
public class PppdOptionsTests
{
    [Theory]
    [InlineData("plain")]
    [InlineData("with space")]
    [InlineData("quote\"inside")]
    [InlineData("back\\slash\\n")]
    [InlineData("#not-a-comment")]
    [InlineData("ends with backslash\\")]
    [InlineData("'single' quotes")]
    [InlineData("ümlaut ✓")]
    [InlineData("")]
    public void A_value_reads_back_as_one_word(string value)
    {
        string line = "user " + PppdOptions.Word(value) + " # trailing comment\n";
        Assert.Equal(["user", value], Words(line));
    }

    [Theory]
    [InlineData("a\nb")]
    [InlineData("a\rb")]
    [InlineData("a\0b")]
    [InlineData("a\u2028b")]
    public void Control_characters_are_refused(string value) =>
        Assert.Throws<ArgumentException>(() => PppdOptions.Word(value));

    [Fact]
    public void Random_printable_values_always_read_back()
    {
        var random = new Random(4638);
        const string alphabet = " \"'\\#abcXYZ019-_.@ä€\t";
        for (int i = 0; i < 2000; i++)
        {
            var b = new StringBuilder();
            for (int n = random.Next(0, 24); n > 0; n--) b.Append(alphabet[random.Next(alphabet.Length - 1)]); // no tab
            Assert.Equal(["password", b.ToString()], Words("password " + PppdOptions.Word(b.ToString()) + "\n"));
        }
    }

    /// <summary>pppd's word splitting, as its manual describes it (and its C-style escapes: an
    /// unescaped backslash before 'n' would turn into a newline).</summary>
    static List<string> Words(string text)
    {
        var words = new List<string>();
        int i = 0;
        while (i < text.Length)
        {
            if (char.IsWhiteSpace(text[i])) { i++; continue; }
            if (text[i] == '#') { while (i < text.Length && text[i] != '\n') i++; continue; }
            var w = new StringBuilder();
            char quote = '\0';
            for (; i < text.Length; i++)
            {
                char c = text[i];
                if (c == '\\' && i + 1 < text.Length)
                {
                    char e = text[++i];
                    w.Append(e switch { 'n' => '\n', 'r' => '\r', 't' => '\t', 's' => ' ', 'a' => '\a', 'b' => '\b', 'f' => '\f', 'v' => '\v', _ => e });
                    continue;
                }
                if (quote != '\0') { if (c == quote) quote = '\0'; else w.Append(c); continue; }
                if (c is '"' or '\'') { quote = c; continue; }
                if (char.IsWhiteSpace(c) || c == '#') break;
                w.Append(c);
            }
            words.Add(w.ToString());
        }
        return words;
    }
}
