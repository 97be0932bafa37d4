namespace Routerd.Core.Firewall;

/// <summary>The change from one set-elements script to the next as the elements that left and
/// the ones that came, instead of the whole content again. A script here is what
/// <see cref="DeviceSets.ToNft"/> and <see cref="ForwardMap.ToNft"/> write: per set or map a
/// <c>flush</c> line, then at most one <c>add element</c> line. Loading the whole content costs
/// time in proportion to its size (10,000 forwarded ports: ~350 ms in nft), the difference in
/// proportion to the change: adding one forward is one element.
///
/// A map's element is deleted by its key (<c>tcp . 8080</c>); a key whose value changed is
/// deleted and added again in the same transaction, so no packet sees it missing. Scripts of
/// another shape give no delta (null): the caller loads the whole script.</summary>
public static class SetElementsDelta
{
    public static string? Between(string from, string to) =>
        Parsed.From(from) is { } before && Parsed.From(to) is { } after ? before.DeltaTo(after) : null;

    /// <summary>A script taken apart: container ("set inet routerd vip_v4", "map inet routerd
    /// forward_v4") → its elements as the script wrote them ("a, b, c"), in order of appearance. The
    /// firewall keeps the last loaded one, so each change parses only the new script.
    ///
    /// Elements are not split up front: the renderers write them in a stable order, so a change
    /// (one forward more among 10,000 ports) differs from the last script in one stretch. Only that
    /// stretch — what lies between the longest common beginning and end, cut at element
    /// boundaries — is split and compared; a container whose text is unchanged costs one
    /// comparison of memory.</summary>
    public sealed class Parsed
    {
        readonly List<(string Container, string Elements)> contents;
        readonly Dictionary<string, int> index;

        Parsed(List<(string, string)> contents)
        {
            this.contents = contents;
            index = new(StringComparer.Ordinal);
            for (int i = 0; i < contents.Count; i++) index[contents[i].Item1] = i;
        }

        public string? DeltaTo(Parsed next)
        {
            if (contents.Count != next.contents.Count || next.contents.Any(c => !index.ContainsKey(c.Container))) return null;
            var b = new System.Text.StringBuilder();
            foreach (var (container, elements) in next.contents)
            {
                string old = contents[index[container]].Elements;
                if (string.Equals(old, elements, StringComparison.Ordinal)) continue;
                var (gone, come) = Difference(old, elements);
                // "set inet routerd vip_v4" → "inet routerd vip_v4": what the element commands name.
                string target = container[(container.IndexOf(' ') + 1)..];
                if (gone.Count > 0) b.Append($"delete element {target} {{ {string.Join(", ", gone.Select(KeyOf))} }}\n");
                if (come.Count > 0) b.Append($"add element {target} {{ {string.Join(", ", come)} }}\n");
            }
            return b.ToString();
        }

        /// <summary>Null when a line is not of the two known kinds.</summary>
        public static Parsed? From(string script)
        {
            var contents = new List<(string Container, List<string> Adds)>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var line in script.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                if (line.StartsWith("flush ", StringComparison.Ordinal))
                {
                    string container = line["flush ".Length..];
                    if (!seen.Add(container)) return null;
                    contents.Add((container, []));
                    continue;
                }
                const string Add = "add element ";
                if (contents.Count == 0 || !line.StartsWith(Add, StringComparison.Ordinal) || !line.EndsWith(" }", StringComparison.Ordinal)) return null;
                string current = contents[^1].Container;
                int open = line.IndexOf(" { ", StringComparison.Ordinal);
                // The add names the container its flush named (without the "set "/"map " word).
                if (open < 0 || line.AsSpan(Add.Length, open - Add.Length).SequenceEqual(current.AsSpan(current.IndexOf(' ') + 1)) is false) return null;
                contents[^1].Adds.Add(line[(open + 3)..^2]);
            }
            return new Parsed(contents.Select(c => (c.Container, string.Join(Separator, c.Adds))).ToList());
        }
    }

    const string Separator = ", ";

    /// <summary>The elements of <paramref name="old"/> that <paramref name="next"/> lacks and the
    /// ones it adds. Both are split only between their common beginning and end (each cut back to
    /// an element boundary); an element that leaves that stretch is checked against the whole new
    /// text, so an element written twice is never deleted while it is still wanted.</summary>
    static (List<string> Gone, List<string> Come) Difference(string old, string next)
    {
        int common = old.AsSpan().CommonPrefixLength(next);
        int start = common < Separator.Length ? -1 : old.AsSpan(0, common).LastIndexOf(Separator);
        start = start < 0 ? 0 : start + Separator.Length;
        int tail = CommonSuffixLength(old.AsSpan(start), next.AsSpan(start));
        // The common end begins at a separator in both (or is nothing).
        int cut = old.AsSpan(old.Length - tail).IndexOf(Separator);
        int oldEnd = cut < 0 ? old.Length : old.Length - tail + cut;
        int nextEnd = next.Length - (old.Length - oldEnd);
        var before = Elements(old[start..oldEnd]);
        var after = Elements(next[start..nextEnd]);
        var beforeSet = before.ToHashSet(StringComparer.Ordinal);
        var afterSet = after.ToHashSet(StringComparer.Ordinal);
        var gone = before.Where(e => !afterSet.Contains(e)).ToList();
        var come = after.Where(e => !beforeSet.Contains(e)).ToList();
        // Outside the stretch both texts are the same: an element found there is still wanted.
        gone.RemoveAll(e => Holds(next.AsSpan(0, start), e) || Holds(next.AsSpan(nextEnd), e));
        return (gone, come);
    }

    /// <summary>How many characters at the end the two have in common: compared in blocks (vectorized), then one by one.</summary>
    static int CommonSuffixLength(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        const int Block = 256;
        int n = Math.Min(a.Length, b.Length), same = 0;
        while (same + Block <= n && a.Slice(a.Length - same - Block, Block).SequenceEqual(b.Slice(b.Length - same - Block, Block))) same += Block;
        while (same < n && a[a.Length - 1 - same] == b[b.Length - 1 - same]) same++;
        return same;
    }

    static List<string> Elements(string text) => text.Split(Separator, StringSplitOptions.RemoveEmptyEntries).ToList();

    /// <summary><paramref name="element"/> is one of the elements in <paramref name="text"/>, a run of
    /// elements that may begin or end with a separator.</summary>
    static bool Holds(ReadOnlySpan<char> text, string element) =>
        text.SequenceEqual(element) || text.StartsWith(element + Separator, StringComparison.Ordinal)
        || text.EndsWith(Separator + element, StringComparison.Ordinal) || text.IndexOf(Separator + element + Separator, StringComparison.Ordinal) >= 0;

    /// <summary>A map element's key: what comes before " : ".</summary>
    static string KeyOf(string element) => element.IndexOf(" : ", StringComparison.Ordinal) is var i and >= 0 ? element[..i] : element;
}
