using Routerd.Lab;

namespace Routerd.Bench;

/// <summary>Moves the lab's router between four set-ups of the same namespaces and measures in
/// each: <see cref="Routerd"/> as it runs (ruleset, NAT, conntrack and its queues),
/// <see cref="Ruleset"/> (routerd's ruleset without its queues), <see cref="Nat"/> (routerd
/// stopped; a table with nothing but conntrack's accept and masquerade: the floor any NAT router
/// has on this kernel) and <see cref="Bare"/> (no table, no qdiscs, a plain route back at the ISP
/// instead of NAT). `bench core` compares all four over IPv4; `bench ipv6` holds routerd against
/// <see cref="Nat"/> in both families: its table is of the inet family, so IPv6 crosses the same
/// forward chain (conntrack's accept, LAN → WAN accepted) and is routed, not translated, as
/// routerd routes it. Only routerd puts its own ruleset and queues back, so a set-up that needs
/// them after one that removed them restarts it.</summary>
/// <param name="settle">How long a restarted routerd settles before it is measured (<see cref="BenchLab.RestartRouterd"/>).</param>
/// <param name="restarted">What else a restart must wait for before routerd is measured (IPv6's
/// delegated prefix back on the LAN, for `bench ipv6`).</param>
sealed class NatPath(BenchLab bench, TimeSpan settle, Func<Task>? restarted = null)
{
    public const string Routerd = "routerd", Ruleset = "ruleset", Nat = "nat", Bare = "bare";

    readonly Lab.Lab lab = bench.Lab;
    bool running = true, queues = true;

    /// <summary>Puts the router in <paramref name="setup"/>, runs <paramref name="measure"/> (given
    /// the set-up's name in words, for its messages) and leaves the set-up as the next one needs it.</summary>
    public async Task<T> Measure<T>(string setup, Func<string, T> measure)
    {
        switch (setup)
        {
            case Routerd:
                if (!queues) await Restart();
                return measure("routerd");
            case Ruleset:
                if (!running) await Restart();
                RemoveQueues();
                return measure("ruleset only");
            case Nat:
                Stop();
                bench.InRouter($$"""
                    nft -f - <<'EOF'
                    table inet natonly {
                    	chain forward {
                    		type filter hook forward priority filter; policy drop;
                    		ct state established,related accept
                    		iifname "br-lan" oifname "wan0" accept
                    	}
                    	chain srcnat {
                    		type nat hook postrouting priority srcnat; policy accept;
                    		oifname "wan0" ip saddr {{LabAddresses.LanSubnet}} masquerade
                    	}
                    }
                    EOF
                    """);
                try { return measure("NAT alone"); }
                finally { bench.InRouter("nft delete table inet natonly"); }
            case Bare:
                string wan = Stop();
                lab.RunIn(lab.IspNs, $"ip route add {LabAddresses.LanSubnet} via {wan}").EnsureOk();
                try { return measure("bare forwarding"); }
                finally { lab.RunIn(lab.IspNs, $"ip route del {LabAddresses.LanSubnet} via {wan}"); }
            default:
                throw new ArgumentException($"no set-up {setup}", nameof(setup));
        }
    }

    /// <summary>Stops routerd, its ruleset and its queues (<see cref="BenchLab.StopRouterdAndClear"/>).
    /// Returns the WAN address, for the ISP's route back.</summary>
    string Stop()
    {
        string wan = bench.WanIp();
        if (running)
        {
            bench.StopRouterdAndClear();
            running = queues = false;
        }
        return wan;
    }

    void RemoveQueues()
    {
        bench.RemoveQueues();
        queues = false;
    }

    /// <summary>routerd running with its ruleset and queues again.</summary>
    public Task Restore() => queues ? Task.CompletedTask : Restart();

    async Task Restart()
    {
        await bench.RestartRouterd(settle);
        running = queues = true;
        if (restarted is not null) await restarted();
    }
}
