using System.Runtime.Versioning;
using Xunit;

[assembly: SupportedOSPlatform("linux")]
// One lab at a time: on a 2-core machine parallel labs slow each other down enough to break the
// timing assertions (dnsmasq back within 2 s), and a whole lab per class is cheap enough.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
