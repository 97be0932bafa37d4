namespace Routerd.Lab;

/// <summary>A LAN client's DHCP: busybox udhcpc in the client's namespace with a hook script of
/// our own that applies the lease there and records it in a small key=value file the lab reads;
/// or dhcpcd (<see cref="PrepareDhcpcd"/>), which records into the same file.</summary>
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

    // dhcpcd configures the address and route itself; its hook only records the lease, under the
    // same keys as udhcpc's. The reasons are dhcpcd-run-hooks(8)'s that carry a lease.
    const string DhcpcdHookTemplate = """
        #!/bin/sh
        # dhcpcd hook written by the routerd lab for one client: it only records the lease.
        lease_file='@LEASE@'
        case "$reason" in
          BOUND|RENEW|REBIND|REBOOT)
            prev=$(sed -n 's/^count=//p' "$lease_file" 2>/dev/null)
            printf 'address=%s\nprefix=%s\nrouter=%s\ndns=%s\nseconds=%s\nevent=%s\ncount=%s\n' \
              "$new_ip_address" "$new_subnet_cidr" "$new_routers" "$new_domain_name_servers" "$new_dhcp_lease_time" \
              "$(echo "$reason" | tr A-Z a-z)" $(( ${prev:-0} + 1 )) > "$lease_file.new"
            mv "$lease_file.new" "$lease_file"
            ;;
        esac
        exit 0
        """;

    /// <summary>Writes dhcpcd's configuration and hook and returns its command line for
    /// <paramref name="client"/>: a client that, like a desktop's, drops its lease when the link
    /// goes and asks for it again (INIT-REBOOT) when the link comes back; udhcpc ignores the link.
    /// dhcpcd keeps its control socket and leases in /run/dhcpcd and /var/lib/dhcpcd, which every
    /// namespace shares, so it runs in a private mount namespace with the lab's directories bound
    /// onto both: nothing of the host's is read or written.</summary>
    public static string[] PrepareDhcpcd(string dir, LabClient client)
    {
        string own = Path.Combine(dir, $"{client.Name}.dhcpcd");
        string run = Path.Combine(own, "run"), state = Path.Combine(own, "state");
        Directory.CreateDirectory(run);
        Directory.CreateDirectory(state);
        string hook = Path.Combine(own, "hook.sh");
        File.WriteAllText(hook, DhcpcdHookTemplate.Replace("@LEASE@", LeaseFile(dir, client)) + "\n");
        File.SetUnixFileMode(hook, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string conf = Path.Combine(own, "dhcpcd.conf");
        // noarp: no address probe (a second's wait); noipv4ll: no 169.254 address while it asks.
        File.WriteAllText(conf, $"""
            allowinterfaces eth0
            ipv4only
            noipv4ll
            noarp
            hostname {client.Hostname ?? client.Name}
            script {hook}

            """);
        return ["ip", "netns", "exec", client.Namespace, "unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c",
                "mkdir -p /run/dhcpcd /var/lib/dhcpcd && mount --bind \"$1\" /run/dhcpcd && mount --bind \"$2\" /var/lib/dhcpcd && exec dhcpcd -B -f \"$3\" eth0",
                "lab-dhcpcd", run, state, conf];
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
