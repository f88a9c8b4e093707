using Xunit;

// The end-to-end tests read the test transport's process-wide counters and the misuse counters, run protocol threads
// of their own and measure allocations: run one class at a time (the machine has 2 cores anyway).
[assembly: CollectionBehavior(DisableTestParallelization = true)]
