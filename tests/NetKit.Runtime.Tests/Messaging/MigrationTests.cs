using System;
using System.Threading;
using System.Threading.Tasks;
using NetKit.Runtime.Messaging;
using NetKit.Runtime.Threading;
using Xunit;

namespace NetKit.Runtime.Tests.Messaging;

/// <summary>
/// Forward + put-receipt ordering: a socket migrates between protocol threads (as TCP/UDP connect does) while the
/// application keeps sending requests to its home port. No request sent after the migration may run before it.
/// </summary>
public sealed unsafe class MigrationTests
{
    private sealed class Socket
    {
        public HomePort Home = null!;
        public int MigrationsCompleted;   // touched only by the owner thread
        public int Violations;
        public int WrongThread;
        public long Requests;
    }

    /// <summary>Runs on the old home, then migrates: forward + receipt-switch of the home port.</summary>
    private sealed class ConnectMsg : NetMsg
    {
        public ConnectMsg() : base(&Handle) { }
        public MessagePort Target = null!;
        public bool Migrated;

        private static void Handle(NetMsg msg)
        {
            var m = (ConnectMsg)msg;
            var so = (Socket)msg.Owner!;
            if (!m.Migrated)
            {
                m.Migrated = true;
                msg.ForwardAndRehome(m.Target);   // DragonFly tcp_connect: unlink, receipt tcp_sosetport, forward
                return;
            }
            // On the new home: the receipt has already switched the home port.
            if (so.Home.Port != ProtocolThread.Current!.Port) so.WrongThread++;
            so.MigrationsCompleted++;
            msg.Reply();
        }
    }

    /// <summary>A later request: it must observe every migration sent before it as completed.</summary>
    private sealed class RequestMsg : NetMsg
    {
        public RequestMsg() : base(&Handle) { }
        public int MigrationsSentBefore;

        private static void Handle(NetMsg msg)
        {
            var m = (RequestMsg)msg;
            var so = (Socket)msg.Owner!;
            if (so.MigrationsCompleted < m.MigrationsSentBefore) so.Violations++;
            if (so.Home.Port != ProtocolThread.Current!.Port) so.WrongThread++;
            so.Requests++;
            msg.Reply();
        }
    }

    /// <summary>Keeps a port busy so migrating messages wait in its queue (widening the race window).</summary>
    private sealed class BusyMsg : NetMsg
    {
        public BusyMsg() : base(&Handle) { }
        private static void Handle(NetMsg msg)
        {
            Thread.SpinWait(200);
            msg.Reply();
        }
    }

    [Fact]
    public void Requests_sent_after_a_migration_never_run_before_it()
    {
        using var group = new ProtocolThreadGroup(new ProtocolThreadOptions { ThreadCount = 2 }).Start();
        var so = new Socket();
        so.Home = new HomePort(group[0].Port);
        var connect = new ConnectMsg { Owner = so, Home = so.Home };
        var requests = new RequestMsg[64];
        for (int i = 0; i < requests.Length; i++) requests[i] = new RequestMsg { Owner = so, Home = so.Home };

        using var stop = new CancellationTokenSource();
        var busy = Task.Factory.StartNew(() =>
        {
            var msgs = new BusyMsg[16];
            for (int i = 0; i < msgs.Length; i++) msgs[i] = new BusyMsg();
            int n = 0;
            while (!stop.IsCancellationRequested)
            {
                var b = msgs[n++ % msgs.Length];
                if (b.IsDone) group[n % 2].Port.Send(b);
                else Thread.Yield();
            }
        }, TaskCreationOptions.LongRunning);

        int migrationsSent = 0;
        int next = 0;
        for (int round = 0; round < 2000; round++)
        {
            // Migrate to the other thread; the application does not wait for it.
            while (!connect.IsDone) Thread.SpinWait(10);
            connect.Migrated = false;
            connect.Target = so.Home.Port == group[0].Port ? group[1].Port : group[0].Port;
            so.Home.Port.Send(connect);
            migrationsSent++;
            // Immediately keep sending requests to whatever the home port looks like now.
            for (int k = 0; k < 8; k++)
            {
                var r = requests[next++ % requests.Length];
                while (!r.IsDone) Thread.SpinWait(10);
                r.MigrationsSentBefore = migrationsSent;
                so.Home.Port.Send(r);
            }
        }
        while (!connect.IsDone) Thread.SpinWait(10);
        foreach (var r in requests) SpinWait.SpinUntil(() => r.IsDone, 10_000);
        stop.Cancel();
        busy.Wait();
        Assert.Equal(Errno.None, group.Sync());

        Assert.Equal(2000, so.MigrationsCompleted);
        Assert.Equal(2000 * 8, so.Requests);
        Assert.Equal(0, so.Violations);
        Assert.Equal(0, so.WrongThread);
        Assert.True(group[0].Chased + group[1].Chased > 0, "the test never exercised port chasing");
    }

    private sealed class ReceiptProbe : NetMsg
    {
        public ReceiptProbe() : base(&Handle) { }
        public static int ReceiptRuns;
        public bool ReceiptSeenByHandler;

        public static void OnReceipt(NetMsg msg, MessagePort port) => Interlocked.Increment(ref ReceiptRuns);

        private static void Handle(NetMsg msg)
        {
            ((ReceiptProbe)msg).ReceiptSeenByHandler = Volatile.Read(ref ReceiptRuns) > 0;
            msg.Reply();
        }
    }

    [Fact]
    public void The_put_receipt_runs_once_before_the_message_can_run()
    {
        using var group = new ProtocolThreadGroup(new ProtocolThreadOptions { ThreadCount = 1 }).Start();
        for (int i = 0; i < 1000; i++)
        {
            ReceiptProbe.ReceiptRuns = 0;
            var probe = new ReceiptProbe();
            probe.SetReceipt(&ReceiptProbe.OnReceipt);
            group[0].Port.Do(probe);
            Assert.True(probe.ReceiptSeenByHandler);
            Assert.Equal(1, ReceiptProbe.ReceiptRuns);
            // One-shot: a second send does not run it again.
            group[0].Port.Do(probe);
            Assert.Equal(1, ReceiptProbe.ReceiptRuns);
        }
    }
}
