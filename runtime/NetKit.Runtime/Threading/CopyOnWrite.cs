using System;

namespace NetKit.Runtime.Threading;

/// <summary>
/// Lists a protocol thread reads on every pass without a lock (poll sources, wait descriptors): writers build a new
/// array under their own lock and publish it with one volatile write; the reader keeps whatever snapshot it loaded.
/// </summary>
internal static class CopyOnWrite
{
    public static T[] Add<T>(T[] items, T item)
    {
        var copy = new T[items.Length + 1];
        items.CopyTo(copy, 0);
        copy[^1] = item;
        return copy;
    }

    /// <summary>The array without the first <paramref name="item"/>, or the same array when it is absent.</summary>
    public static T[] Remove<T>(T[] items, T item)
    {
        int at = Array.IndexOf(items, item);
        if (at < 0) return items;
        var copy = new T[items.Length - 1];
        Array.Copy(items, 0, copy, 0, at);
        Array.Copy(items, at + 1, copy, at, copy.Length - at);
        return copy;
    }
}
