namespace Routerd.Lab;

using static LabAddresses;

/// <summary>The screen `./build.sh lab` shows once the lab is up: what exists, where, and how to use it.</summary>
static class LabPicture
{
    public static void Print(Lab lab, int relayPort)
    {
        string Lease(LabClient c) => lab.LeaseOf(c) is { } l ? $"{l.Address}/{l.Prefix} via {l.Router}" : "no lease";
        string wan = lab.WanAddress() ?? "(no address yet)";
        Console.WriteLine($"""

            routerd lab {lab.Prefix} is up

              {lab.IspNs,-22} ISP: isp0 {Isp}/{IspPrefix}, DHCP pool {WanPoolStart}-{WanPoolEnd}, DNS
              {"",-22} internet host {InternetHost}: http :{HttpPort}, whoami :{WhoamiPort}, iperf3 :{IperfPort}
                    │ wan0 {wan}
              {lab.RouterNs,-22} routerd (pid {lab.Routerd?.Pid}), LAN {RouterLan} on br-lan = lan1 + lan2
                    │ lan1                         │ lan2
              {lab.Phone.Namespace,-30} {lab.Laptop.Namespace}
              {"eth0 " + lab.Phone.Mac,-30} {"eth0 " + lab.Laptop.Mac}
              {Lease(lab.Phone),-30} {Lease(lab.Laptop)}

            Web UI:          http://127.0.0.1:{relayPort}   (relayed from inside the phone to {RouterLan}:80)
            A phone shell:   sudo ip netns exec {lab.Phone.Namespace} bash
                             e.g.  curl http://{InternetHost}{HelloPath}
            The router:      sudo ip netns exec {lab.RouterNs} nft list table inet routerd
            Its API:         sudo curl --unix-socket {lab.ControlSocket} http://routerd/api/status
            Process output:  {lab.OutputDir}

            Ctrl-C removes the whole lab.
            """);
    }
}
