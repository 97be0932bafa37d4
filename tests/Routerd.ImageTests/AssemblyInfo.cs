using Xunit;

// One VM at a time: two TCG guests on 2 cores each run about half as fast (LAB.md).
[assembly: CollectionBehavior(DisableTestParallelization = true)]
