namespace Routerd.Lab;

/// <summary>Publishes the router's web UI on the host's loopback. The listening leg is in the
/// root namespace but bound to 127.0.0.1 only; every connection is handed to a socat started
/// inside a LAN client's namespace, so the packets to 192.168.1.1 leave from the phone like a
/// browser's would, and the root namespace never sends to a non-loopback address.</summary>
static class WebRelay
{
    public static string[] Command(int port, LabClient via, string target, int targetPort) =>
    [
        "socat", $"TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr,fork",
        // socat splits an address at ':' even inside EXEC's command, hence the escapes.
        $@"EXEC:ip netns exec {via.Namespace} socat STDIO TCP\:{target}\:{targetPort}",
    ];
}
