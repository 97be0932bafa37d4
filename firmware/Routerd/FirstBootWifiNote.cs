using Routerd.Core.Settings;

namespace Routerd;

/// <summary>A board without a key printed on its label gets a random Wi-Fi key at first boot.
/// Its owner reads it from this root-only file (console or SSH: `cat /var/lib/routerd/wifi-first-boot.txt`)
/// or joins by cable and sets a new key in the web UI. The key is never logged and never
/// returned by the API.</summary>
static class FirstBootWifiNote
{
    public const string FileName = "wifi-first-boot.txt";

    public static void Write(Board board, WifiSettings wifi)
    {
        if (board.WifiDevice is null || board.Defaults.WifiPassphrase is not null || wifi.Passphrase is null) return;
        string path = Path.Combine(board.StateDir, FileName);
        using var f = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        File.SetUnixFileMode(f.SafeFileHandle, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using var w = new StreamWriter(f);
        w.Write($"The Wi-Fi network this router started with (change it in the web UI):\nnetwork name: {wifi.Ssid}\nkey: {wifi.Passphrase}\n");
    }
}
