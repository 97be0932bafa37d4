using System.Runtime.InteropServices;
using Tmds.Linux;

namespace Routerd.Platform.Netlink;

/// <summary>Owns the socket's file descriptor so it is closed exactly once, even when a
/// finalizer gets there first, and never while a call is using it (SafeHandle ref counting).</summary>
internal sealed class NetlinkSocketHandle : SafeHandle
{
    public NetlinkSocketHandle(int fd) : base(invalidHandleValue: -1, ownsHandle: true) => SetHandle(fd);

    public override bool IsInvalid => handle == -1;

    protected override bool ReleaseHandle() => LibC.close((int)handle) == 0;
}
