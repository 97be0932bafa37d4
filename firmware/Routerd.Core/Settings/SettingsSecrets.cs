namespace Routerd.Core.Settings;

/// <summary>Secrets (the PPPoE password, the Wi-Fi passphrases (main and guest), the admin password hash) never
/// leave the router through the API or an export, and a client that sends settings back
/// without them keeps the stored ones: "not sent" means "unchanged", never "erase".</summary>
public static class SettingsSecrets
{
    public static RouterSettings Redact(RouterSettings s) => s with
    {
        Admin = s.Admin with { PasswordHash = "" },
        Wan = s.Wan with { Pppoe = s.Wan.Pppoe is { } p ? p with { Password = null } : null },
        Wifi = s.Wifi with { Passphrase = null, Guest = (s.Wifi.Guest ?? new()) with { Passphrase = null } },
    };

    /// <summary>Takes the secrets the incoming settings leave out from the stored ones. The admin
    /// account is never changed through settings: only the password change does that.</summary>
    public static RouterSettings KeepStored(RouterSettings incoming, RouterSettings stored) => incoming with
    {
        Admin = stored.Admin,
        Wan = incoming.Wan with
        {
            Pppoe = incoming.Wan.Pppoe is { Password: null } p ? p with { Password = stored.Wan.Pppoe?.Password } : incoming.Wan.Pppoe,
        },
        Wifi = incoming.Wifi with
        {
            Passphrase = incoming.Wifi.Passphrase ?? stored.Wifi.Passphrase,
            Guest = (incoming.Wifi.Guest ?? new()) is var g && g.Passphrase is null ? g with { Passphrase = stored.Wifi.Guest?.Passphrase } : g,
        },
    };
}
