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

    /// <summary>The same between two contents kept in memory (the firewall's last loaded one and
    /// the next): per container, the groups that differ between the longest run of equal groups
    /// at the beginning and at the end are written out and compared, the rest not at all. One
    /// forward added among a thousand: that forward's elements. Null when the containers are not
    /// the same ones (the caller loads the whole content).</summary>
    public static string? Between(SetElements from, SetElements to)
    {
        if (from.Containers.Count != to.Containers.Count) return null;
        var b = new System.Text.StringBuilder();
        for (int i = 0; i < to.Containers.Count; i++)
        {
            var (old, next) = (from.Containers[i].Groups, to.Containers[i].Groups);
            if (from.Containers[i].Name != to.Containers[i].Name) return null;
            int head = 0;
            while (head < old.Count && head < next.Count && old[head].Equals(next[head])) head++;
            if (head == old.Count && head == next.Count) continue;
            int tail = 0;
            while (tail < old.Count - head && tail < next.Count - head && old[^(tail + 1)].Equals(next[^(tail + 1)])) tail++;
            // The groups outside the stretch are the same in both, and hold none of its elements (SetElements.Container).
            var before = GroupElements(old, head, old.Count - tail);
            var after = GroupElements(next, head, next.Count - tail);
            var beforeSet = before.ToHashSet(StringComparer.Ordinal);
            var afterSet = after.ToHashSet(StringComparer.Ordinal);
            Append(b, to.Containers[i].Target, before.Where(e => !afterSet.Contains(e)).ToList(), after.Where(e => !beforeSet.Contains(e)).ToList());
        }
        return b.ToString();
    }

    /// <summary>A script of the known shape followed by changes to it (the firewall's record: the
    /// whole content when it was loaded whole, then each delta appended) as the content it leaves,
    /// in the known shape. Null when a line is of another kind, is cut short, or names a container
    /// the script did not flush.</summary>
    public static string? Replayed(string script)
    {
        if (script.Length > 0 && !script.EndsWith('\n')) return null;
        var contents = new List<(string Container, List<string> Elements)>();
        var byTarget = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var line in script.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("flush ", StringComparison.Ordinal))
            {
                string container = line["flush ".Length..];
                string target = container[(container.IndexOf(' ') + 1)..];
                if (byTarget.ContainsKey(target)) return null;
                contents.Add((container, byTarget[target] = []));
                continue;
            }
            bool delete = line.StartsWith("delete element ", StringComparison.Ordinal);
            if (!delete && !line.StartsWith("add element ", StringComparison.Ordinal) || !line.EndsWith(" }", StringComparison.Ordinal)) return null;
            int name = delete ? "delete element ".Length : "add element ".Length, open = line.IndexOf(" { ", StringComparison.Ordinal);
            if (open < name || !byTarget.TryGetValue(line[name..open], out var elements)) return null;
            var listed = line[(open + 3)..^2].Split(Separator, StringSplitOptions.RemoveEmptyEntries);
            if (!delete) elements.AddRange(listed);
            else
            {
                var keys = listed.ToHashSet(StringComparer.Ordinal);
                elements.RemoveAll(e => keys.Contains(KeyOf(e)));
            }
        }
        var b = new System.Text.StringBuilder();
        foreach (var (container, elements) in contents)
        {
            b.Append("flush ").Append(container).Append('\n');
            if (elements.Count > 0) b.Append($"add element {container[(container.IndexOf(' ') + 1)..]} {{ {string.Join(Separator, elements)} }}\n");
        }
        return b.ToString();
    }

    static List<string> GroupElements(IReadOnlyList<ElementGroup> groups, int from, int to)
    {
        var list = new List<string>();
        for (int i = from; i < to; i++) list.AddRange(groups[i].Text.Split(Separator, StringSplitOptions.RemoveEmptyEntries));
        return list;
    }

    /// <summary>The commands for what left (by key) and what came, deletes first: a key whose
    /// value changed is deleted and added again in the same transaction.</summary>
    static void Append(System.Text.StringBuilder b, string target, List<string> gone, List<string> come)
    {
        if (gone.Count > 0) b.Append($"delete element {target} {{ {string.Join(", ", gone.Select(KeyOf))} }}\n");
        if (come.Count > 0) b.Append($"add element {target} {{ {string.Join(", ", come)} }}\n");
    }

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

        /// <summary>Each container with its elements as the script wrote them ("a, b, c").</summary>
        public IReadOnlyList<(string Container, string Elements)> Contents => contents;

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
                Append(b, container[(container.IndexOf(' ') + 1)..], gone, come);
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
