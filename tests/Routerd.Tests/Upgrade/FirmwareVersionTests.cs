using Xunit;
using Routerd.Core.Upgrade;

namespace Routerd.Tests.Upgrade;

public class FirmwareVersionTests
{
    [Theory]
    [InlineData("0.1.1", "0.1.0", 1)]
    [InlineData("0.1.0", "0.1.1", -1)]
    [InlineData("0.1.10", "0.1.9", 1)]   // numbers, not text
    [InlineData("1.0", "1.0.0", 0)]
    [InlineData("0.2.0-rc1", "0.2.0", -1)] // a pre-release before its release
    [InlineData("0.2.0-rc2", "0.2.0-rc1", 1)]
    [InlineData("0.2.0-rc1", "0.1.9", 1)]
    public void Orders_versions_number_by_number(string a, string b, int expected)
    {
        Assert.Equal(expected, FirmwareVersion.Compare(a, b));
        Assert.Equal(-expected, FirmwareVersion.Compare(b, a));
    }

    [Theory]
    [InlineData("0.1.0", true)]
    [InlineData("2.10.3-test.1", true)]
    [InlineData("", false)]
    [InlineData("v1", false)]
    [InlineData("1.x", false)]
    [InlineData("1.0-bad;rm", false)]
    public void Knows_what_a_version_is(string v, bool valid) => Assert.Equal(valid, FirmwareVersion.IsValid(v));
}
