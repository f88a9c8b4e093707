using System;
using System.Buffers.Binary;
using NetKit.Generators.TestProtocols;
using NetKit.Runtime;
using NetKit.Runtime.Buffers;
using NetKit.Runtime.Threading;

// Receives one UDP-shaped frame on a stack that lists only the link and network protocols: the network input
// runs and the transport number is counted as unclaimed, because the transport is not part of this stack.
using var threads = new ProtocolThreadGroup(new ProtocolThreadOptions { ThreadCount = 1, PinThreads = false }).Start();
var stack = new NetworkOnlyStack(threads);
using var pool = new PacketBufferPool();
var frame = pool.TryRent() ?? throw new InvalidOperationException("no buffer");
var data = frame.Append(TestLink.HeaderLength + TestNetwork.HeaderLength + 8);
data.Clear();
BinaryPrimitives.WriteUInt16BigEndian(data[12..], 0x0800);
data[TestLink.HeaderLength + 9] = 17;
stack.Receive(frame);
if (threads.Sync() != Errno.None || stack.UnknownTransportDrops != 1)
{
    Console.Error.WriteLine($"unexpected: {stack.UnknownTransportDrops} unclaimed transport packets");
    return 1;
}
Console.WriteLine("trim smoke: network-only stack received 1 frame, 1 unclaimed transport packet");
return 0;
