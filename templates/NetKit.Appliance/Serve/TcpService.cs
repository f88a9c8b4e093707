using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using NetKit.Protocols.Wire;
using NetKit.Runtime;
using NetKit.Runtime.Protocols;
using NetKit.Runtime.Sockets;

namespace NetKit.Appliance.Serve;

/// <summary>
/// A service on a TCP port: one listener, one accept loop, one task per connection (async on the thread pool: the
/// protocol threads only move bytes in and out of the sockets' rings). Subclasses say what a connection does.
/// </summary>
public abstract class TcpService : ApplianceService
{
    /// <summary>Established connections waiting to be accepted (wrk opens hundreds at once).</summary>
    public const int Backlog = 1024;

    /// <summary>How long <see cref="Stop"/> waits for the accept loop and for connections to finish.</summary>
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly HashSet<TcpConnection> _active = [];
    private ServiceCounters _finished; // connections that ended, under _gate
    private NetKitSocket? _listener;
    private Task _acceptLoop = Task.CompletedTask;
    private bool _stopped;

    protected TcpService(ServiceSpec spec)
        : base(spec)
    {
    }

    /// <summary>Serves one connection until it ends; the socket is closed afterwards.</summary>
    protected abstract Task ServeAsync(TcpConnection connection);

    /// <summary>SO_RCVBUF for the service's connections (set on the listener, inherited on accept); 0 keeps the stack's default.</summary>
    protected virtual int ReceiveBufferBytes => 0;

    /// <summary>SO_SNDBUF for the service's connections; 0 keeps the stack's default.</summary>
    protected virtual int SendBufferBytes => 0;

    public override ServiceCounters Counters
    {
        get
        {
            lock (_gate)
            {
                var sum = _finished;
                foreach (var c in _active) sum += new ServiceCounters(0, c.BytesIn, c.BytesOut, c.Requests, 0);
                return sum;
            }
        }
    }

    /// <summary>Connections being served now.</summary>
    public int ActiveConnections
    {
        get
        {
            lock (_gate) return _active.Count;
        }
    }

    public override void Start(NetStack stack, IPv4Address address)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var error = NetKitSocket.TryCreate(stack, SocketType.Stream, 0, out var listener);
        if (error == Errno.None) error = listener!.TryBind(SockAddr.IPv4(address.Value, Spec.Port));
        if (error == Errno.None && ReceiveBufferBytes > 0) error = SetBuffer(listener!, SockOptName.ReceiveBuffer, ReceiveBufferBytes);
        if (error == Errno.None && SendBufferBytes > 0) error = SetBuffer(listener!, SockOptName.SendBuffer, SendBufferBytes);
        if (error == Errno.None) error = listener!.TryListen(Backlog);
        if (error != Errno.None)
        {
            listener?.Dispose();
            throw new ServiceStartException($"cannot start {Spec} on {address}:{Spec.Port}: {error} ({error.Describe()})");
        }
        _listener = listener;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    private static Errno SetBuffer(NetKitSocket listener, int option, int bytes) =>
        listener.TrySetOption(SockOptLevel.Socket, option, System.Runtime.InteropServices.MemoryMarshal.AsBytes(new ReadOnlySpan<int>(in bytes)));

    private async Task AcceptLoopAsync()
    {
        var listener = _listener!;
        while (true)
        {
            NetKitSocket socket;
            try
            {
                socket = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (NetKitSocketException)
            {
                if (_stopping.IsCancellationRequested) return;
                continue; // a connection that died in the queue
            }
            var connection = new TcpConnection(socket);
            lock (_gate)
            {
                if (_stopped)
                {
                    connection.Dispose();
                    return;
                }
                _active.Add(connection);
                _finished = _finished with { Connections = _finished.Connections + 1 };
                // Off the accept loop, so a connection's first burst of work never delays the next accept.
                connection.Completion = Task.Run(() => RunAsync(connection));
            }
        }
    }

    private async Task RunAsync(TcpConnection connection)
    {
        bool failed = false;
        try
        {
            await ServeAsync(connection).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped, or a lingering close ran out of time.
        }
        catch (Exception)
        {
            // A fault in one connection must not take the service down: count it and close that connection.
            failed = true;
        }
        finally
        {
            var counters = new ServiceCounters(0, connection.BytesIn, connection.BytesOut, connection.Requests, failed ? 1 : 0);
            connection.Dispose();
            lock (_gate)
            {
                _active.Remove(connection);
                _finished += counters;
            }
        }
    }

    public override void Stop()
    {
        TcpConnection[] active;
        lock (_gate)
        {
            if (_stopped) return;
            _stopped = true;
            active = [.. _active];
        }
        _stopping.Cancel();
        WaitQuietly(_acceptLoop);
        _listener?.Dispose(); // connections established but not accepted are reset
        var tasks = new Task[active.Length];
        for (int i = 0; i < active.Length; i++)
        {
            active[i].Cancel();
            tasks[i] = active[i].Completion;
        }
        WaitQuietly(Task.WhenAll(tasks));
    }

    private static void WaitQuietly(Task task)
    {
        try
        {
            task.Wait(StopTimeout);
        }
        catch (AggregateException)
        {
            // Faults are counted where they happen.
        }
    }
}
