using Routerd.Vm;
using Xunit;

namespace Routerd.VmTests;

/// <summary>One boot for the whole assembly: every scenario in scenarios/ runs in it, in name
/// order, and each test reads its scenario's outcome. If the VM cannot run, creating the fixture
/// throws with the fix and every test fails with that message.</summary>
public sealed class VmSuiteFixture : IDisposable
{
    readonly VmRunResult result;

    public VmSuiteFixture()
    {
        var scenarios = Scenario.InDirectory(VmPaths.Scenarios);
        if (scenarios.Count == 0)
            throw new InvalidOperationException($"no scenario in {VmPaths.Scenarios} matches ROUTERD_VM_SCENARIOS='{Environment.GetEnvironmentVariable("ROUTERD_VM_SCENARIOS")}'");
        result = LabVm.Run(new VmRunOptions { Scenarios = scenarios.Select(s => s.Path).ToList(), Log = Console.Error.WriteLine });
    }

    public VmRunResult Result => result;

    /// <summary>The scenario's outcome; fails the calling test (with log and console) unless it passed.</summary>
    public ScenarioResult Passed(string name)
    {
        var s = result[name];
        Assert.True(s.Passed, result.Explain(name));
        return s;
    }

    public void Dispose() => result.Dispose();
}

[CollectionDefinition(Name)]
public sealed class VmSuite : ICollectionFixture<VmSuiteFixture>
{
    public const string Name = "lab VM suite";
}
