using System.Threading;

namespace NetKit.Runtime.Messaging;

/// <summary>
/// The port a socket or pcb currently lives on (DragonFly <c>so_port</c>). Requests are sent to
/// <see cref="Port"/>; a protocol thread that receives a message whose home has moved forwards it there
/// ("chasing the port"). The port changes only from a put-receipt (<see cref="NetMsg.ForwardAndRehome"/>),
/// so no request issued after a migration can overtake it.
/// </summary>
public sealed class HomePort
{
    private MessagePort _port;

    public HomePort(MessagePort initial) => _port = initial;

    /// <summary>The owner's current port.</summary>
    public MessagePort Port => Volatile.Read(ref _port);

    /// <summary>Moves the home. Call it only from a put-receipt or from the current owner thread.</summary>
    public void MoveTo(MessagePort port) => Volatile.Write(ref _port, port);
}
