namespace Routerd.Core.Wan;

/// <summary>Why pppd heard no access concentrator although one may be on the cable. pppd's
/// discovery drops offers of another service or from another AC without a word, so its exit
/// status 8 reads as "nobody answered". A probe for any service (<see cref="WanDetection"/>)
/// tells the cases apart: nobody there, the wrong AC name, or the wrong service name.</summary>
public static class DiscoveryExplanation
{
    /// <returns>a more precise code and sentence, or null when the probe adds nothing (nobody
    /// answered, or an answer matches the settings and the dial failed for another reason).</returns>
    public static (string Code, string Message)? Explain(PppoePlan plan, WanDetection probe)
    {
        var offers = probe.Offers;
        if (offers.Count == 0) return null;
        if (plan.AcName is { } ac && !offers.Any(o => o.AcName == ac))
            return (WanCodes.WrongAc,
                $"the access concentrator {Quote(ac)} does not answer; {Names(offers)} {(offers.Count == 1 ? "answers" : "answer")} instead");
        var fromAc = plan.AcName is { } wanted ? offers.Where(o => o.AcName == wanted).ToList() : offers.ToList();
        if (plan.ServiceName is { } service && !fromAc.Any(o => o.Services.Contains(service, StringComparer.Ordinal)))
        {
            var offered = fromAc.SelectMany(o => o.Services).Where(s => s.Length > 0).Distinct().ToList();
            string what = offered.Count == 0 ? "no named service" : $"the service {string.Join(" or ", offered.Take(4).Select(Quote))}";
            return (WanCodes.WrongService, $"{Names(fromAc)} {(fromAc.Count == 1 ? "answers" : "answer")} but {(fromAc.Count == 1 ? "offers" : "offer")} {what}, not {Quote(service)}");
        }
        return null;
    }

    static string Names(IReadOnlyList<PppoeOffer> offers) =>
        string.Join(", ", offers.Take(3).Select(o => o.AcName is { Length: > 0 } n ? Quote(n) : $"an access concentrator ({o.AcMac})"));

    static string Quote(string s) => $"\"{s}\"";
}
