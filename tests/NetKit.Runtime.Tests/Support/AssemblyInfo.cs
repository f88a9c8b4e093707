using Xunit;

// Tests switch the process-wide misuse policy and run their own threads: run them one class at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
