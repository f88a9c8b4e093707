using System.Buffers;
using System.Threading.Tasks;

namespace NetKit.Appliance.Serve;

/// <summary><c>discard</c>: reads and counts whatever a connection sends, sends nothing, closes after the peer's FIN.</summary>
public sealed class DiscardService : TcpService
{
    private const int BufferSize = 64 * 1024;

    /// <summary>
    /// A bulk receiver's window: the ring bounds what the peer may have in flight, and 256 KiB over a path whose round
    /// trip includes thread wake-ups caps one stream at a few Gbit/s (Linux autotunes up to 6 MiB, tcp_rmem).
    /// </summary>
    protected override int ReceiveBufferBytes => 4 << 20;

    public DiscardService(ushort port)
        : base(new ServiceSpec(ServiceKind.Discard, port))
    {
    }

    protected override async Task ServeAsync(TcpConnection connection)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            while (await connection.ReceiveAsync(buffer).ConfigureAwait(false) > 0)
            {
                // Counted by the connection.
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
