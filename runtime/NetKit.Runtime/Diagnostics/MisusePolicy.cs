namespace NetKit.Runtime.Diagnostics;

/// <summary>What the runtime does when it detects API misuse.</summary>
public enum MisusePolicy
{
    /// <summary>Count it and throw <see cref="System.InvalidOperationException"/> (the default in Debug builds).</summary>
    Throw,
    /// <summary>Count it and refuse the operation without touching state (the default in Release builds).</summary>
    Count,
}
