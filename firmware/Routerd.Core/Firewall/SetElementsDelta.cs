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
    /// forward_v4") → its elements, in order of appearance. The firewall keeps the last loaded
    /// one, so each change parses only the new script, and each script's lookup sets are built
    /// once (as the new side of one change and the old side of the next).</summary>
    public sealed class Parsed
    {
        readonly Dictionary<string, List<string>> contents;
        readonly Dictionary<string, HashSet<string>> lookups = new(StringComparer.Ordinal);

        Parsed(Dictionary<string, List<string>> contents) => this.contents = contents;

        HashSet<string> Lookup(string container)
        {
            if (!lookups.TryGetValue(container, out var set))
                lookups[container] = set = contents[container].ToHashSet(StringComparer.Ordinal);
            return set;
        }

        public string? DeltaTo(Parsed next)
        {
            if (!contents.Keys.Order(StringComparer.Ordinal).SequenceEqual(next.contents.Keys.Order(StringComparer.Ordinal))) return null;
            var b = new System.Text.StringBuilder();
            foreach (var (container, elements) in next.contents)
            {
                var old = contents[container];
                var (oldSet, newSet) = (Lookup(container), next.Lookup(container));
                var gone = old.Where(e => !newSet.Contains(e)).Select(KeyOf).ToList();
                var come = elements.Where(e => !oldSet.Contains(e)).ToList();
                // "set inet routerd vip_v4" → "inet routerd vip_v4": what the element commands name.
                string target = container[(container.IndexOf(' ') + 1)..];
                if (gone.Count > 0) b.Append($"delete element {target} {{ {string.Join(", ", gone)} }}\n");
                if (come.Count > 0) b.Append($"add element {target} {{ {string.Join(", ", come)} }}\n");
            }
            return b.ToString();
        }

        /// <summary>Null when a line is not of the two known kinds.</summary>
        public static Parsed? From(string script)
        {
            var contents = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            string? current = null;
            foreach (var line in script.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                if (line.StartsWith("flush ", StringComparison.Ordinal))
                {
                    current = line["flush ".Length..];
                    if (!contents.TryAdd(current, [])) return null;
                    continue;
                }
                const string Add = "add element ";
                if (current is null || !line.StartsWith(Add, StringComparison.Ordinal) || !line.EndsWith(" }", StringComparison.Ordinal)) return null;
                int open = line.IndexOf(" { ", StringComparison.Ordinal);
                // The add names the container its flush named (without the "set "/"map " word).
                if (open < 0 || line.AsSpan(Add.Length, open - Add.Length).SequenceEqual(current.AsSpan(current.IndexOf(' ') + 1)) is false) return null;
                contents[current].AddRange(line[(open + 3)..^2].Split(", "));
            }
            return new Parsed(contents);
        }
    }

    /// <summary>A map element's key: what comes before " : ".</summary>
    static string KeyOf(string element) => element.IndexOf(" : ", StringComparison.Ordinal) is var i and >= 0 ? element[..i] : element;
}
