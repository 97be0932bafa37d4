namespace Routerd.Core.Wan;

/// <summary>One access concentrator's answer to a PADI: its MAC, its name, the services it
/// offers, and an error tag's text if it sent one. Names are untrusted text from the cable,
/// already stripped of control characters and capped in length.</summary>
public sealed record PppoeOffer(string AcMac, string? AcName, IReadOnlyList<string> Services, string? Error);

/// <summary>What a PPPoE discovery probe on the WAN port found (GET /api/wan/detect, `routerd
/// probe-wan`): the access concentrators that answered, or wan/NO_SERVER when none did within
/// the time; and the WAN mode that suggests (PPPoE when one answered, else DHCP).</summary>
public sealed record WanDetection(string Device, string SuggestedMode, string? Code, IReadOnlyList<PppoeOffer> Offers,
    double WaitedMs, double? FirstAnswerMs);
