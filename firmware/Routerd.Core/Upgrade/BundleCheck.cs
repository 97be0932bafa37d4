namespace Routerd.Core.Upgrade;

/// <summary>The verdict on an uploaded bundle before anything is written to a slot. Refused:
/// an unreadable file or a bad signature (RAUC's own check), another board's bundle, a version that
/// is not newer than the running one unless the owner forces it.</summary>
public sealed record BundleVerdict(bool Accepted, string Code, string Message, BundleInfo? Bundle)
{
    public static BundleVerdict Refuse(string code, string message, BundleInfo? bundle = null) => new(false, code, message, bundle);
}

public static class BundleCheck
{
    public const string Accepted = "firmware/ACCEPTED";
    public const string NotABundle = "firmware/NOT_A_BUNDLE";
    public const string BadSignature = "firmware/BAD_SIGNATURE";
    public const string WrongBoard = "firmware/WRONG_BOARD";
    public const string NotNewer = "firmware/NOT_NEWER";
    public const string BadVersion = "firmware/BAD_VERSION";

    /// <summary>The compatible string a board's bundles carry (image/rauc-bundle.sh).</summary>
    public static string Compatible(string boardName) => $"routerd-{boardName}";

    /// <summary>Decides on a bundle whose signature RAUC has verified.</summary>
    public static BundleVerdict Decide(BundleInfo bundle, string compatible, string runningVersion, bool force)
    {
        if (bundle.Compatible != compatible)
            return BundleVerdict.Refuse(WrongBoard, $"this update is for '{bundle.Compatible}', this router is '{compatible}'", bundle);
        if (!FirmwareVersion.IsValid(bundle.Version))
            return BundleVerdict.Refuse(BadVersion, $"the update's version '{bundle.Version}' is not a version", bundle);
        if (!force && FirmwareVersion.IsValid(runningVersion) && FirmwareVersion.Compare(bundle.Version, runningVersion) <= 0)
            return BundleVerdict.Refuse(NotNewer, $"the update's version {bundle.Version} is not newer than the running {runningVersion} (force to install it anyway)", bundle);
        return new BundleVerdict(true, Accepted, $"routerd {bundle.Version} for {compatible}, signature good", bundle);
    }

    /// <summary>RAUC could not read the bundle: its message says whether the signature failed
    /// (a tampered or foreign-signed bundle) or the file is not a bundle at all.</summary>
    public static BundleVerdict Unreadable(string raucError)
    {
        string reason = raucError.Trim().Split('\n').LastOrDefault(l => l.Length > 0)?.Trim() ?? "no reason given";
        bool signature = raucError.Contains("signature", StringComparison.OrdinalIgnoreCase) ||
            raucError.Contains("verif", StringComparison.OrdinalIgnoreCase) || raucError.Contains("certificate", StringComparison.OrdinalIgnoreCase);
        return signature
            ? BundleVerdict.Refuse(BadSignature, $"the update's signature is not valid for this router: {reason}")
            : BundleVerdict.Refuse(NotABundle, $"the file is not an update for this router: {reason}");
    }
}
