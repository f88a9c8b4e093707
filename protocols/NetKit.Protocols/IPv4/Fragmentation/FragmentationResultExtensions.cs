using NetKit.Runtime;

namespace NetKit.Protocols.IPv4.Fragmentation;

/// <summary>Maps <see cref="FragmentationResult"/> to the errno a socket call reports (BSD <c>ip_fragment</c>).</summary>
public static class FragmentationResultExtensions
{
    public static Errno ToErrno(this FragmentationResult result) => result switch
    {
        FragmentationResult.Success => Errno.None,
        FragmentationResult.MessageTooLong or FragmentationResult.DatagramTooLong => Errno.EMSGSIZE,
        FragmentationResult.NoBuffers => Errno.ENOBUFS,
        _ => Errno.EINVAL,
    };
}
