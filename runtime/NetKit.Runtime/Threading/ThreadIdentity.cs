using System;
using System.Runtime.CompilerServices;

namespace NetKit.Runtime.Threading;

/// <summary>
/// A per-thread identity object for owner checks on hot paths: one thread-static read and a reference
/// comparison (cheaper than <see cref="System.Environment.CurrentManagedThreadId"/>).
/// </summary>
internal static class ThreadIdentity
{
    [ThreadStatic] private static object? t_identity;

    internal static object Current
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => t_identity ?? Create();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static object Create() => t_identity = new object();
}
