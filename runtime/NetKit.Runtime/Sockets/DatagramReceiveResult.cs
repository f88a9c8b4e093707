namespace NetKit.Runtime.Sockets;

/// <summary>What an asynchronous datagram receive produced: the bytes copied, the datagram's full length and its source.</summary>
public readonly record struct DatagramReceiveResult(int Received, int DatagramLength, SockAddr Source)
{
    /// <summary>True when the buffer was shorter than the datagram (MSG_TRUNC).</summary>
    public bool Truncated => DatagramLength > Received;
}
