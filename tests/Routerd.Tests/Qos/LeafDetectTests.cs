using Routerd.Core.Qos;
using Routerd.Platform.Tc;
using Xunit;

namespace Routerd.Tests.Qos;

/// <summary>The leaf qdisc's detection takes a loaded module as the answer, without the namespace
/// probe: tc is given as a path that does not exist, so a probe could only have failed (Fifo).</summary>
public sealed class LeafDetectTests : IDisposable
{
    readonly string modules = Directory.CreateTempSubdirectory("routerd-modules-").FullName;
    const string NoTc = "/nonexistent/tc";

    public void Dispose() => Directory.Delete(modules, recursive: true);

    [Fact]
    public void A_loaded_sch_cake_module_is_cake_without_a_probe()
    {
        Directory.CreateDirectory(Path.Combine(modules, "sch_cake"));
        Directory.CreateDirectory(Path.Combine(modules, "sch_fq_codel"));
        Assert.Equal(LeafQdisc.Cake, TcQueues.Detect(NoTc, modules));
    }

    [Fact]
    public void With_only_sch_fq_codel_loaded_cake_is_probed_and_fq_codel_taken()
    {
        Directory.CreateDirectory(Path.Combine(modules, "sch_fq_codel"));
        Assert.Equal(LeafQdisc.FqCodel, TcQueues.Detect(NoTc, modules));
    }

    [Fact]
    public void With_neither_module_loaded_and_no_tc_the_leaf_is_fifo()
    {
        Assert.Equal(LeafQdisc.Fifo, TcQueues.Detect(NoTc, modules));
    }
}
