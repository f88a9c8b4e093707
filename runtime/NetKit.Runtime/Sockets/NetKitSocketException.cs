using System.Net.Sockets;

namespace NetKit.Runtime.Sockets;

/// <summary>
/// A failed socket operation: a <see cref="SocketException"/> (so .NET code catching those keeps working) that also
/// carries NetKit's <see cref="Errno"/> and says which operation failed and why.
/// </summary>
public sealed class NetKitSocketException : SocketException
{
    public NetKitSocketException(string operation, Errno error)
        : base((int)error.ToSocketError())
    {
        Operation = operation;
        Errno = error;
    }

    /// <summary>The operation that failed ("bind", "setsockopt(6, 1)").</summary>
    public string Operation { get; }

    /// <summary>The errno the stack returned.</summary>
    public Errno Errno { get; }

    public override string Message => $"{Operation}: {Errno} ({Errno.Describe()})";

    /// <summary>Throws for any error other than <see cref="Errno.None"/>.</summary>
    public static void ThrowIfError(Errno error, string operation)
    {
        if (error != Errno.None) throw new NetKitSocketException(operation, error);
    }
}
