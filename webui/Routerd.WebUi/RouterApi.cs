using Routerd.Core.Devices;
using Routerd.Core.Reconcile;
using Routerd.Core.Status;

namespace Routerd.WebUi;

/// <summary>What the HTTP layer may use: the reconciler for settings and status, the device
/// registry for the device list. The web layer never renders configuration itself.</summary>
public sealed record RouterApi(Reconciler Reconciler, DeviceRegistry Devices, string Version, DateTimeOffset StartedAt)
{
    public RouterStatus Status() => Reconciler.Status(Version, StartedAt);
}
