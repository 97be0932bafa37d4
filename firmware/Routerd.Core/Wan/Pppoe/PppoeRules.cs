using System.Globalization;
using System.Text;
using Routerd.Core.Settings;

namespace Routerd.Core.Wan;

/// <summary>Validates the PPPoE settings and builds the typed plan. The account names reach
/// pppd's options file: control characters (a newline would start a new option) are refused
/// here, and <see cref="PppdOptions.Word"/> quotes what is left.</summary>
public static class PppoeRules
{
    /// <summary>pppd keeps names and secrets in 256-byte buffers (MAXNAMELEN, MAXSECRETLEN).</summary>
    public const int MaxAccountBytes = 255;
    /// <summary>RFC 2516 tag values carry a 16-bit length; real names are short.</summary>
    public const int MaxTagText = 64;

    /// <param name="active">false for the block of a mode not in use: checked the same, but the
    /// account may still be empty.</param>
    public static PppoePlan? Build(PppoeSettings? p, List<FieldError> errors, bool active = true, string wanDevice = "")
    {
        if (p is null)
        {
            errors.Add(new("wan.pppoe", "PPPoE mode needs the username and password from the ISP"));
            return null;
        }
        int before = errors.Count;
        Account("wan.pppoe.username", p.Username, required: active, errors);
        Account("wan.pppoe.password", p.Password, required: active, errors);
        string? service = TagText("wan.pppoe.serviceName", p.ServiceName, errors);
        string? ac = TagText("wan.pppoe.acName", p.AcName, errors);
        if (p.Mtu is < 1280 or > 1500)
            errors.Add(new("wan.pppoe.mtu", "must be between 1280 and 1500 (above 1492 only where the WAN port carries MTU + 8 bytes, RFC 4638)"));
        if (p.LcpEchoIntervalSeconds is < 1 or > 60)
            errors.Add(new("wan.pppoe.lcpEchoIntervalSeconds", "must be between 1 and 60 seconds"));
        if (p.LcpEchoFailures is < 1 or > 20)
            errors.Add(new("wan.pppoe.lcpEchoFailures", "must be between 1 and 20"));
        if (p.RedialInitialSeconds is < 1 or > 300)
            errors.Add(new("wan.pppoe.redialInitialSeconds", "must be between 1 and 300 seconds"));
        if (p.RedialMaxSeconds < p.RedialInitialSeconds || p.RedialMaxSeconds > 3600)
            errors.Add(new("wan.pppoe.redialMaxSeconds", $"must be between redialInitialSeconds ({p.RedialInitialSeconds}) and 3600 seconds"));
        TimeOnly? reconnect = null;
        if (p.ReconnectAt is { } at)
        {
            if (TimeOnly.TryParseExact(at, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)) reconnect = t;
            else errors.Add(new("wan.pppoe.reconnectAt", $"'{TextRules.Printable(at)}' is not a time of day as HH:mm, e.g. 04:30"));
        }
        if (p.VlanId is { } vlan) Vlan(vlan, wanDevice, errors);
        if (errors.Count != before || !active) return null;
        return new PppoePlan(p.Username, new Secret(p.Password!), service, ac, p.Mtu, p.LcpEchoIntervalSeconds, p.LcpEchoFailures,
            TimeSpan.FromSeconds(p.RedialInitialSeconds), TimeSpan.FromSeconds(p.RedialMaxSeconds), reconnect, p.VlanId);
    }

    /// <summary>0 means "priority tag only" and 4095 is reserved (802.1Q), so neither names a VLAN.
    /// The VLAN device is named after the port (eth1.7), and the kernel refuses names past 15 bytes.</summary>
    static void Vlan(int id, string wanDevice, List<FieldError> errors)
    {
        if (id is < 1 or > 4094)
            errors.Add(new("wan.pppoe.vlanId", $"The VLAN ID must be between 1 and 4094 (your provider names it, e.g. 7); {id} is not."));
        else if (PppoePlan.VlanDevice(wanDevice, id) is { Length: > PppoePlan.MaxInterfaceName } name)
            errors.Add(new("wan.pppoe.vlanId", $"The VLAN device '{TextRules.Printable(name)}' would have a name longer than {PppoePlan.MaxInterfaceName} characters, which Linux refuses."));
    }

    static void Account(string field, string? value, bool required, List<FieldError> errors)
    {
        if (string.IsNullOrEmpty(value))
        {
            if (required) errors.Add(new(field, "is required for PPPoE (the ISP gives it)"));
        }
        else if (Encoding.UTF8.GetByteCount(value) > MaxAccountBytes)
            errors.Add(new(field, $"must be at most {MaxAccountBytes} bytes"));
        else if (TextRules.HasControlCharacter(value))
            errors.Add(new(field, "must not contain control characters such as a newline"));
    }

    /// <summary>Empty means "not set" (an empty Service-Name tag asks for any service).</summary>
    static string? TagText(string field, string? value, List<FieldError> errors)
    {
        if (string.IsNullOrEmpty(value)) return null;
        if (Encoding.UTF8.GetByteCount(value) > MaxTagText || TextRules.HasControlCharacter(value))
        {
            errors.Add(new(field, $"must be at most {MaxTagText} bytes without control characters"));
            return null;
        }
        return value;
    }
}
