using System.Runtime.InteropServices;

namespace NetKit.Drivers.Queues;

/// <summary>
/// A ring position alone on its cache lines (64 bytes of padding each side, against adjacent-line prefetch), so the
/// producers' compare-exchanges do not keep invalidating the consumer's line. Not nested in the generic ring: generic
/// types cannot have explicit layout.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 128)]
internal struct PaddedPosition
{
    [FieldOffset(64)] public long Value;
}
