using Routerd.Core.Loop;

namespace Routerd.Platform.Sysctl;

/// <summary>Writes sysctls through /proc/sys. net.* there belongs to the network namespace the
/// process runs in, so routerd in a lab namespace changes only that namespace.</summary>
public sealed class SysctlWriter(string procSys = "/proc/sys") : ISysctls
{
    public void Apply(IReadOnlyList<KeyValuePair<string, string>> values)
    {
        foreach (var (key, value) in values)
        {
            string path = Path.Combine(procSys, key.Replace('.', '/'));
            try
            {
                if (File.ReadAllText(path).Trim() == value) continue;
                File.WriteAllText(path, value + "\n");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ApplyException("system/SYSCTL_FAILED", $"{key} = {value}: {e.Message}");
            }
        }
    }
}
