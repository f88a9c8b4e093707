using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using NetKit.Protocols.Diagnostics;
using NetKit.Runtime.Sockets;
using Xunit;

namespace NetKit.Protocols.Tests.EndToEnd;

public sealed class StackMetricsTests
{
    [Fact]
    public void CountersArePublishedPerCpuThroughSystemDiagnosticsMetrics()
    {
        using var hosts = new TwoHosts();
        using var meter = StackMetrics.Publish(hosts.B, "hostB");
        using var server = NetKitSocket.Create(hosts.B, SocketType.Datagram);
        server.Bind(SockAddr.IPv4(TwoHosts.AddressB.Value, 7));
        server.Handle.ReceiveTimeout = TimeSpan.FromSeconds(10);
        using var client = NetKitSocket.Create(hosts.A, SocketType.Datagram);
        for (int i = 0; i < 5; i++) client.SendTo(new byte[] { 1 }, SockAddr.IPv4(TwoHosts.AddressB.Value, 7));
        for (int i = 0; i < 5; i++) server.Receive(new byte[8]);

        var delivered = new Dictionary<int, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, meter)) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument.Name != "netkit.udp.delivered") return;
            int cpu = -1;
            string? stack = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "cpu") cpu = (int)tag.Value!;
                if (tag.Key == "stack") stack = (string?)tag.Value;
            }
            Assert.Equal("hostB", stack);
            delivered[cpu] = value;
        });
        listener.Start();
        listener.RecordObservableInstruments();

        Assert.Equal(2, delivered.Count);
        Assert.Equal(5, delivered[0] + delivered[1]);
    }
}
