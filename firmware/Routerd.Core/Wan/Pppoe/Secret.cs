namespace Routerd.Core.Wan;

/// <summary>A password on its way to a 0600 file. Its ToString never shows the value, so a
/// record that holds one can be logged or printed in a failure message without leaking it.</summary>
public readonly record struct Secret(string Value)
{
    public override string ToString() => "(secret)";
}
