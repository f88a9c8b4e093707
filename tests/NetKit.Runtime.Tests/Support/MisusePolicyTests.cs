using NetKit.Runtime.Diagnostics;
using Xunit;

namespace NetKit.Runtime.Tests.Support;

public sealed class MisusePolicyTests
{
    [Fact]
    public void Debug_builds_throw_on_misuse_and_release_builds_count_it()
    {
        // The test assembly and the runtime are built in the same configuration.
#if DEBUG
        Assert.Equal(MisusePolicy.Throw, Misuse.Policy);
#else
        Assert.Equal(MisusePolicy.Count, Misuse.Policy);
#endif
    }

    [Fact]
    public void Counters_are_per_kind_and_reset()
    {
        using var scope = new MisuseScope(MisusePolicy.Count);
        Misuse.Report(MisuseKind.RingOverrun, "test");
        Misuse.Report(MisuseKind.RingOverrun, "test");
        Misuse.Report(MisuseKind.DoubleFree, "test");
        Assert.Equal(2, Misuse.Count(MisuseKind.RingOverrun));
        Assert.Equal(1, Misuse.Count(MisuseKind.DoubleFree));
        Assert.Equal(3, Misuse.Total);
        Misuse.Reset();
        Assert.Equal(0, Misuse.Total);
    }
}
