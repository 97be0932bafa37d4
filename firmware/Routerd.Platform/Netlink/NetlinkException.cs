using System.Runtime.InteropServices;

namespace Routerd.Platform.Netlink;

/// <summary>A failed socket call or a kernel NLMSG_ERROR reply; Errno is the positive errno.</summary>
public sealed class NetlinkException(int errno, string operation)
    : IOException($"netlink {operation}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})")
{
    public int Errno { get; } = errno;
}
