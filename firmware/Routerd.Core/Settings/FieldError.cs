namespace Routerd.Core.Settings;

/// <summary>One refused value: <see cref="Field"/> is the JSON path the user wrote it at
/// ("lan.staticLeases[2].mac") so the UI can show the message next to the input.</summary>
public sealed record FieldError(string Field, string Message)
{
    public override string ToString() => $"{Field}: {Message}";
}

/// <summary>Thrown where a caller cannot return errors (start-up, CLI); carries every field error.</summary>
public sealed class SettingsRejectedException(IReadOnlyList<FieldError> errors)
    : Exception("settings refused: " + string.Join("; ", errors))
{
    public IReadOnlyList<FieldError> Errors { get; } = errors;
}
