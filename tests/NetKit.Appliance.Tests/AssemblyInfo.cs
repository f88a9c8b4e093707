// End-to-end tests share the machine's network namespaces, TAP devices and CPU: run test classes one at a time.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
