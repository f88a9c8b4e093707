using System;
using System.Linq;
using System.Threading.Tasks;
using NetKit.Protocols.Tcp;
using NetKit.Protocols.Wire;
using NetKit.Runtime.Buffers;
using NetKit.Runtime.Sockets;
using Xunit;
using TcpStateOf = NetKit.Protocols.Tcp.TcpState;
using TcpProtocol = NetKit.Protocols.Tcp.Tcp;

namespace NetKit.Protocols.Tests.EndToEnd;

/// <summary>ICMP errors about TCP segments reach the connection's thread: fragmentation needed shrinks the MSS (tcp_mtudisc); forged ones are ignored.</summary>
public sealed class TcpIcmpTests : IDisposable
{
    private readonly TwoHosts _hosts = new();
    private readonly PacketBufferPool _pool = new();

    public void Dispose()
    {
        _hosts.Dispose();
        _pool.Dispose();
    }

    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    /// <summary>An ICMP "fragmentation needed" from B's address to A, quoting a segment A sent with <paramref name="sequence"/>.</summary>
    private PacketBuffer FragmentationNeeded(TcpPcb pcb, uint sequence, int mtu)
    {
        var quotedIp = new byte[20];
        new IPv4Repr(new IPv4Address(pcb.LocalAddress), new IPv4Address(pcb.ForeignAddress), IpProtocol.Tcp, 1000).Emit(quotedIp);
        var icmp = new byte[8 + 20 + 8];
        icmp[0] = 3; // destination unreachable
        icmp[1] = 4; // fragmentation needed and DF set
        icmp[6] = (byte)(mtu >> 8);
        icmp[7] = (byte)mtu;
        quotedIp.CopyTo(icmp, 8);
        icmp[28] = (byte)(pcb.LocalPort >> 8);
        icmp[29] = (byte)pcb.LocalPort;
        icmp[30] = (byte)(pcb.ForeignPort >> 8);
        icmp[31] = (byte)pcb.ForeignPort;
        icmp[32] = (byte)(sequence >> 24);
        icmp[33] = (byte)(sequence >> 16);
        icmp[34] = (byte)(sequence >> 8);
        icmp[35] = (byte)sequence;
        ushort checksum = InternetChecksum.Compute(icmp);
        icmp[2] = (byte)(checksum >> 8);
        icmp[3] = (byte)checksum;

        var frame = _pool.TryRent()!;
        var bytes = frame.Append(14 + 20 + icmp.Length);
        new EthernetRepr(MacAddress.Parse("02:00:00:00:00:02"), MacAddress.Parse("02:00:00:00:00:01"), EtherType.IPv4).Emit(bytes);
        new IPv4Repr(TwoHosts.AddressB, TwoHosts.AddressA, IpProtocol.Icmp, icmp.Length).Emit(bytes[14..]);
        icmp.CopyTo(bytes[34..]);
        frame.InterfaceIndex = 0;
        return frame;
    }

    [Fact]
    public async Task FragmentationNeededShrinksTheMssAndTheDataStillArrives()
    {
        using var pair = await TcpPair.ConnectAsync(_hosts, 8000).WaitAsync(Limit);
        var pcb = _hosts.A.State<TcpStateOf>().Tables.SelectMany(t => t.Connections()).Single();
        Assert.Equal(1448, pcb.MaxSegmentSize);

        // Forged: a sequence number outside [SND.UNA, SND.MAX) is not believed.
        _hosts.A.Receive(FragmentationNeeded(pcb, pcb.SendUnacknowledged + 1_000_000, 1000));
        await Task.Delay(100);
        Assert.Equal(1448, pcb.MaxSegmentSize);

        // Data in flight that B cannot acknowledge (its interface is down), then a believable ICMP.
        _hosts.DeviceB.AdminUp = false;
        var data = new byte[20_000];
        new Random(3).NextBytes(data);
        pair.Client.Send(data);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (pcb.SendMax == pcb.SendUnacknowledged && DateTime.UtcNow < deadline) await Task.Delay(5);
        _hosts.A.Receive(FragmentationNeeded(pcb, pcb.SendUnacknowledged, 1000));
        deadline = DateTime.UtcNow.AddSeconds(10);
        while (pcb.MaxSegmentSize == 1448 && DateTime.UtcNow < deadline) await Task.Delay(5);
        Assert.Equal(1000 - 40 - 12, pcb.MaxSegmentSize);
        Assert.Equal(1, _hosts.A.State<TcpStateOf>().Counters[TcpCounter.MtuShrinks]);

        // A larger MTU later never grows it back, and a tiny one stops at the floor.
        _hosts.A.Receive(FragmentationNeeded(pcb, pcb.SendUnacknowledged, 1400));
        _hosts.A.Receive(FragmentationNeeded(pcb, pcb.SendUnacknowledged, 100));
        deadline = DateTime.UtcNow.AddSeconds(10);
        while (pcb.MaxSegmentSize != TcpProtocol.MinimumMss && DateTime.UtcNow < deadline) await Task.Delay(5);
        Assert.Equal(TcpProtocol.MinimumMss, pcb.MaxSegmentSize);

        _hosts.DeviceB.AdminUp = true;
        var received = new byte[data.Length];
        int total = 0;
        while (total < data.Length) total += pair.Server.Receive(received.AsSpan(total));
        Assert.Equal(data, received);
    }
}
