using System;
using Xunit;

namespace NetKit.Appliance.Tests.Support;

/// <summary>The theory form of <see cref="LinuxFactAttribute"/>: skipped with the reason when root, /dev/net/tun or a tool is missing.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LinuxTheoryAttribute : TheoryAttribute
{
    public LinuxTheoryAttribute(params string[] tools)
    {
        if (LinuxFactAttribute.SkipReason(tools) is { } reason) Skip = reason;
    }
}
