using System.Runtime.Versioning;
using Xunit;

[assembly: SupportedOSPlatform("linux")]
// One lab and one browser at a time: two of each on a 2-core machine only slow each other down.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
