namespace Routerd.Lab;

/// <summary>A LAN client's DHCP: busybox udhcpc in the client's namespace with a hook script of
/// our own that applies the lease there and records it in a small key=value file the lab reads.</summary>
static class DhcpClient
{
    // udhcpc runs the hook inside the client's namespace, so plain `ip` changes that namespace.
    // A renewal that hands back the same address must not flush it: open connections survive.
    const string HookTemplate = """
        #!/bin/sh
        # udhcpc hook written by the routerd lab for one client.
        lease_file='@LEASE@'
        case "$1" in
          deconfig)
            ip -4 addr flush dev "$interface"
            ip link set "$interface" up
            ;;
          bound|renew)
            if ! ip -4 addr show dev "$interface" | grep -q " inet $ip/$mask "; then
              ip -4 addr flush dev "$interface"
              ip addr add "$ip/$mask" dev "$interface"
            fi
            [ -n "$router" ] && ip route replace default via "${router%% *}" dev "$interface"
            prev=$(sed -n 's/^count=//p' "$lease_file" 2>/dev/null)
            printf 'address=%s\nprefix=%s\nrouter=%s\ndns=%s\nseconds=%s\nevent=%s\ncount=%s\n' \
              "$ip" "$mask" "$router" "$dns" "$lease" "$1" $(( ${prev:-0} + 1 )) > "$lease_file.new"
            mv "$lease_file.new" "$lease_file"
            ;;
        esac
        exit 0
        """;

    public static string LeaseFile(string dir, LabClient client) => Path.Combine(dir, $"{client.Name}.lease");

    /// <summary>Writes the hook and returns the udhcpc command line for <paramref name="client"/>.</summary>
    public static string[] Prepare(string dir, LabClient client)
    {
        Directory.CreateDirectory(dir);
        string hook = Path.Combine(dir, $"{client.Name}.udhcpc.sh");
        File.WriteAllText(hook, HookTemplate.Replace("@LEASE@", LeaseFile(dir, client)) + "\n");
        File.SetUnixFileMode(hook, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        // -T 1 -t 3 -A 1: discover every second and retry at once, so a client started before
        // routerd gets its lease as soon as routerd's dnsmasq answers (default waits 20 s).
        return ["ip", "netns", "exec", client.Namespace, "udhcpc", "-f", "-i", "eth0",
                "-x", $"hostname:{client.Hostname ?? client.Name}", "-s", hook, "-T", "1", "-t", "3", "-A", "1"];
    }

    public static ClientLease? ReadLease(string dir, LabClient client)
    {
        string file = LeaseFile(dir, client);
        if (!File.Exists(file)) return null;
        var kv = File.ReadAllLines(file).Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        string Get(string key) => kv.GetValueOrDefault(key, "");
        return new ClientLease(Get("address"), int.TryParse(Get("prefix"), out int p) ? p : 0, Get("router"), Get("dns"),
            int.TryParse(Get("seconds"), out int s) ? s : 0, Get("event"), int.TryParse(Get("count"), out int c) ? c : 0);
    }
}
