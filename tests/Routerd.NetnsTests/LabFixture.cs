using Routerd.Lab;
using Xunit;

namespace Routerd.NetnsTests;

/// <summary>One lab per test class: routerd running, its WAN up, phone and laptop with leases.
/// If the machine cannot run the lab, creating the fixture throws with the fix, so every test of
/// the class fails with that message (a skipped tier would look green without testing anything).</summary>
public class LabFixture : IAsyncLifetime
{
    static readonly TimeSpan Ready = TimeSpan.FromSeconds(60);

    Lab.Lab? lab;
    RouterdApi? api;

    public Lab.Lab Lab => lab ?? throw new InvalidOperationException("the lab was not created");
    public RouterdApi Api => api ?? throw new InvalidOperationException("the lab was not created");

    protected virtual bool StartRouterd => true;
    protected virtual LabOptions Options => new();

    public virtual async Task InitializeAsync()
    {
        lab = Routerd.Lab.Lab.Create(Options with { StartRouterd = StartRouterd });
        api = new RouterdApi(lab.ControlSocket);
        if (!StartRouterd) return;
        await lab.WaitFor(async () => (await api.GetJson("/api/status"))["wan"]?["address"] is not null, Ready, "routerd's WAN to get an address from the ISP");
        await lab.WaitForLeases(Ready);
    }

    public virtual Task DisposeAsync()
    {
        api?.Dispose();
        lab?.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>The topology without routerd: for tests that start routerd themselves.</summary>
public sealed class LabWithoutRouterdFixture : LabFixture
{
    protected override bool StartRouterd => false;
}
