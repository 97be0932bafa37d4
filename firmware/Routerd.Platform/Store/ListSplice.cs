namespace Routerd.Platform.Store;

/// <summary>The change from one list to the next as one splice: at <see cref="At"/>, <see cref="Remove"/>
/// entries go and <see cref="Insert"/> come in their place. What stays equal at the front and at the
/// back is left out, so adding, changing or deleting one port forward is a splice of one entry
/// whatever the list's length: the store writes that entry alone.</summary>
public sealed record ListSplice<T>(int At, int Remove, IReadOnlyList<T> Insert) where T : class
{
    public bool IsEmpty => Remove == 0 && Insert.Count == 0;

    public static ListSplice<T> Between(IReadOnlyList<T> from, IReadOnlyList<T> to)
    {
        int front = 0, shorter = Math.Min(from.Count, to.Count);
        while (front < shorter && Same(from[front], to[front])) front++;
        int back = 0;
        while (back < shorter - front && Same(from[from.Count - 1 - back], to[to.Count - 1 - back])) back++;
        return new(front, from.Count - front - back, to.Skip(front).Take(to.Count - front - back).ToList());
    }

    // Most entries are the very same objects (the loop edits a copy of the list); records compare by value otherwise.
    static bool Same(T a, T b) => ReferenceEquals(a, b) || a.Equals(b);

    public List<T> ApplyTo(IReadOnlyList<T> list)
    {
        if (At < 0 || Remove < 0 || At + Remove > list.Count)
            throw new InvalidDataException($"a splice at {At} removing {Remove} does not fit a list of {list.Count}");
        var result = new List<T>(list.Count - Remove + Insert.Count);
        result.AddRange(list.Take(At));
        result.AddRange(Insert);
        result.AddRange(list.Skip(At + Remove));
        return result;
    }
}
