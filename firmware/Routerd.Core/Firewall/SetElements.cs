using System.Text;

namespace Routerd.Core.Firewall;

/// <summary>What routerd's sets and maps hold, as one value: per container (a set or a map) its
/// elements in groups. The firewall keeps the last one it loaded, so a change is found by
/// comparing groups (<see cref="SetElementsDelta.Between(SetElements, SetElements)"/>), not by
/// writing out and reading back the whole text: adding one forward beside 10,000 forwarded ports
/// writes out that forward's elements only (the whole script was ~400 KB, made, compared, parsed
/// and stored at each change).
///
/// A group is compared by what it is made from (a forward and where it leads: value equality)
/// and its elements are written out only when someone needs them. <see cref="ToNft"/> is the
/// whole content as the nft script the renderers always wrote: flush, then at most one add.</summary>
public sealed class SetElements : IEquatable<SetElements>
{
    public static readonly SetElements Empty = new([]);

    public SetElements(IReadOnlyList<Container> containers) => Containers = containers;

    public IReadOnlyList<Container> Containers { get; }

    /// <summary>A set or map as its flush line names it ("map inet routerd forward_v4") and its
    /// groups. No two groups of a container hold the same element (for a map: the same key) —
    /// the forward map's groups are forwards, whose ports never overlap (ForwardRules) — so an
    /// element of a group that stayed is never one that a changed group lost.</summary>
    public sealed class Container(string name, IReadOnlyList<ElementGroup> groups) : IEquatable<Container>
    {
        public string Name { get; } = name;
        public IReadOnlyList<ElementGroup> Groups { get; } = groups;
        /// <summary>What the element commands name: "inet routerd forward_v4".</summary>
        public string Target => Name[(Name.IndexOf(' ') + 1)..];

        public bool Equals(Container? other) =>
            other is not null && Name == other.Name && Groups.Count == other.Groups.Count && Groups.SequenceEqual(other.Groups);
        public override bool Equals(object? obj) => Equals(obj as Container);
        public override int GetHashCode() => HashCode.Combine(Name, Groups.Count);

        public void AppendNft(StringBuilder b)
        {
            b.Append("flush ").Append(Name).Append('\n');
            string separator = $"add element {Target} {{ ";
            bool any = false;
            foreach (var g in Groups)
            {
                if (g.Text.Length == 0) continue;
                b.Append(separator).Append(g.Text);
                (separator, any) = (", ", true);
            }
            if (any) b.Append(" }\n");
        }
    }

    /// <summary>The containers of a script the renderers wrote (flush, then at most one add per
    /// container), each one group: for the small sets (the VIP lane, paused devices, pinholes,
    /// virtual servers' slots), whose change is found by comparing their text.</summary>
    /// <exception cref="ArgumentException">the script is of another shape.</exception>
    public static SetElements FromScript(string script) =>
        new((SetElementsDelta.Parsed.From(script) ?? throw new ArgumentException($"not a set-elements script: {script}"))
            .Contents.Select(c => new Container(c.Container, [ElementGroup.Of(c.Elements)])).ToList());

    public SetElements Concat(SetElements other) => new([.. Containers, .. other.Containers]);

    /// <summary>The whole content as one nft script: per container a flush, then its elements.
    /// Written once per value (a full load checks, loads and records the same text).</summary>
    public string ToNft()
    {
        if (nft is not null) return nft;
        var b = new StringBuilder();
        foreach (var c in Containers) c.AppendNft(b);
        return nft = b.ToString();
    }
    string? nft;

    public bool Equals(SetElements? other) =>
        other is not null && (ReferenceEquals(this, other) || Containers.Count == other.Containers.Count && Containers.SequenceEqual(other.Containers));
    public override bool Equals(object? obj) => Equals(obj as SetElements);
    public override int GetHashCode() => Containers.Count;
}

/// <summary>Some elements of one container, as one comma-separated text ("a, b"; empty: none),
/// equal to another when they are made from equal things.</summary>
public sealed class ElementGroup : IEquatable<ElementGroup>
{
    readonly object source;
    readonly Func<object, string>? render;
    string? text;

    ElementGroup(object source, Func<object, string>? render, string? text) => (this.source, this.render, this.text) = (source, render, text);

    /// <summary>Elements already written out: compared by their text.</summary>
    public static ElementGroup Of(string elements) => new(elements, null, elements);

    /// <summary>The elements made from <paramref name="source"/> (a record: compared by value),
    /// written out by <paramref name="render"/> (pure) the first time they are needed.</summary>
    public static ElementGroup Of<T>(T source, Func<T, string> render) where T : notnull => new(source, s => render((T)s), null);

    public string Text => text ??= render!(source);

    public bool Equals(ElementGroup? other) => other is not null && (ReferenceEquals(this, other) || source.Equals(other.source));
    public override bool Equals(object? obj) => Equals(obj as ElementGroup);
    public override int GetHashCode() => source.GetHashCode();
}
