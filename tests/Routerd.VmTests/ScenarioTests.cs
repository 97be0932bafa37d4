using Routerd.Vm;
using Xunit;

namespace Routerd.VmTests;

/// <summary>Every scenario script is a test: it passes when the script exits 0 in the guest.
/// Scenario-specific checks of the values scenarios write back live in their own classes.</summary>
[Collection(VmSuite.Name)]
public sealed class ScenarioTests(VmSuiteFixture vm)
{
    public static TheoryData<string> Names() => new(Scenario.InDirectory(VmPaths.Scenarios).Select(s => s.Name));

    [Theory]
    [MemberData(nameof(Names))]
    public void Scenario_exits_0_in_the_guest(string name) => vm.Passed(name);
}
