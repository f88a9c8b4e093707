using System;
using System.Buffers;
using System.Threading.Tasks;

namespace NetKit.Appliance.Serve;

/// <summary><c>tcp-echo</c>: sends back every byte a connection receives, and closes after the peer's FIN.</summary>
public sealed class TcpEchoService : TcpService
{
    private const int BufferSize = 64 * 1024;

    public TcpEchoService(ushort port)
        : base(new ServiceSpec(ServiceKind.TcpEcho, port))
    {
    }

    protected override async Task ServeAsync(TcpConnection connection)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            while (true)
            {
                int received = await connection.ReceiveAsync(buffer).ConfigureAwait(false);
                if (received <= 0) return; // FIN (close sends ours after the echoed bytes) or failure
                if (!await connection.SendAsync(buffer.AsMemory(0, received)).ConfigureAwait(false)) return;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
