using Routerd;

// routerd's verbs. Everything after the verb that is not a verb option goes to the
// configuration (e.g. --RunDir=/tmp/r1), so several instances can run side by side.
return args.FirstOrDefault() switch
{
    "serve" => await ServeCommand.Run(args[1..]),
    "render" => RenderCommand.Run(args[1..]),
    "devices" => await DevicesCommand.Run(args[1..]),
    "priority" => await PriorityCommand.Run(args[1..]),
    "qos" => await QosCommand.Run(args[1..]),
    "trace" => await TraceCommand.Run(args[1..]),
    "hook" => await HookCommand.Run(args[1..]),
    "probe-wan" => ProbeWanCommand.Run(args[1..]),
    "firmware" => await FirmwareCommand.Run(args[1..]),
    "version" or "--version" => Version(),
    "help" or "--help" or "-h" or null => Help(0),
    var other => Help(2, $"unknown verb '{other}'"),
};

static int Version()
{
    Console.WriteLine($"routerd {BuildInfo.Version}");
    return 0;
}

static int Help(int code, string? error = null)
{
    if (error is not null) Console.Error.WriteLine($"routerd: {error}");
    (code == 0 ? Console.Out : Console.Error).WriteLine("""
        usage: routerd <verb> [--board FILE] [--Key=Value ...]

        verbs:
          serve              run the router: apply the settings, supervise dnsmasq and the
                             WAN client, serve the web UI and the control socket
          render [FILE]      print every rendered config (network plan, sysctls, nftables,
                             dnsmasq, DHCP client) for a settings JSON file, or the stored settings
          devices            list the devices the running router sees, with their traffic
          priority MAC on [for DURATION | until TIME]
          priority MAC off   put a device in the VIP lane (optionally for 90s, 30m, 1h, 2d or
                             until a time) or take it out
          qos                show the VIP lane's queues: shaper rates and per-class counters
          trace tcp|udp|both PORT [--from ADDR] [--to ADDR] [--seconds N]
                             follow new connections to PORT through the firewall for N seconds
                             (default 10, at most 30) and print the path each took, in words
          probe-wan [DEVICE] send PPPoE discovery on the WAN port (or DEVICE) and list the
                             access concentrators that answer (--timeout S, --service NAME, --json)
          firmware           the running version and slot, the other slot, the last update
          firmware install FILE [--force]
                             upload an update bundle (.raucb) to the running router: checked
                             (signature, board, newer unless --force), then written to the other slot
          version            print the version
          hook dhcp EVENT    (called by udhcpc) report a WAN DHCP event to the running router
          hook ppp up|down   (called by pppd) report the PPPoE session to the running router

        configuration: --board FILE (or ROUTERD_BOARD) names the board JSON; any board key can be
        overridden by environment (ROUTERD_RunDir=/run/r1) or command line (--RunDir=/run/r1).
        """);
    return code;
}
