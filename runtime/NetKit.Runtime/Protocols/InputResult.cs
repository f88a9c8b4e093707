namespace NetKit.Runtime.Protocols;

/// <summary>Return values of a link or network <see cref="PacketInputAttribute"/> handler besides a protocol number.</summary>
public static class InputResult
{
    /// <summary>The handler kept or freed the packet; input stops here.</summary>
    public const int Consumed = -1;
}
