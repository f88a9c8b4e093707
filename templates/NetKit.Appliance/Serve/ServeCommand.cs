using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using NetKit.Drivers.Tap;
using NetKit.Protocols.Wire;

namespace NetKit.Appliance.Serve;

/// <summary>
/// The <c>serve</c> verb: parse, create the TAP, start the appliance, print <c>ready</c>, serve until SIGINT or
/// SIGTERM, then print the counters. Exit status: 0 after a signal, 1 when the TAP or a service cannot start,
/// 2 for bad arguments (one <c>error: …</c> line on stderr in both failure cases).
/// </summary>
public static class ServeCommand
{
    public const int ExitOk = 0, ExitFailure = 1, ExitUsage = 2;

    public static int Run(ReadOnlySpan<string> args) => Run(args, Console.Out, Console.Error);

    public static int Run(ReadOnlySpan<string> args, TextWriter output, TextWriter error)
    {
        if (!ServeOptions.TryParse(args, out var options, out string? problem))
        {
            error.WriteLine($"error: {problem}");
            error.Flush();
            return ExitUsage;
        }
        if (options!.ShowHelp)
        {
            output.WriteLine(ServeOptions.Usage);
            output.Flush();
            return ExitOk;
        }
        return Serve(options, output, error);
    }

    private static int Serve(ServeOptions options, TextWriter output, TextWriter error)
    {
        if (!TapDevice.IsAvailable(out string reason)) return Fail(error, $"cannot create TAP {options.TapName}: {reason}");

        // Registered before "ready", so a signal sent as soon as it shows is not lost; Cancel keeps the process alive
        // for the orderly stop below instead of the runtime's default termination.
        using var stop = new ManualResetEventSlim();
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Set();
        }
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

        TapDevice device;
        try
        {
            device = new TapDevice(new TapDeviceOptions
            {
                Name = options.TapName,
                HardwareAddress = options.HardwareAddress,
                Mtu = ServeOptions.Mtu,
                ReceiveImpairments = options.Impairments.Receive,
                TransmitImpairments = options.Impairments.Transmit,
            });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return Fail(error, $"cannot create TAP {options.TapName}: {e.Message}");
        }

        ApplianceHost host;
        var log = new StringWriter(); // shown only once everything runs: a failure stays a single error line
        try
        {
            host = ApplianceHost.Start(options, device, log);
        }
        catch (ServiceStartException e)
        {
            return Fail(error, e.Message);
        }
        catch (Exception e)
        {
            // The pcap file cannot be created, or anything else: still one line and status 1, not a stack trace.
            return Fail(error, $"cannot start: {e.Message}");
        }

        using (host)
        {
            error.WriteLine(
                $"netkit serve: {device} {options.Address}/{options.PrefixLength}" +
                (options.Gateway.IsUnspecified ? "" : $" via {options.Gateway}") +
                $", mac {MacAddress.Read(options.HardwareAddress)}, {host.Threads.Count} protocol thread(s)" +
                (options.PcapPath is null ? "" : $", capturing to {options.PcapPath}"));
            error.Write(log.ToString());
            error.Flush();
            output.WriteLine("ready");
            output.Flush();

            stop.Wait();

            host.StopServices();
            host.WriteCounters(output);
            output.Flush();
        }
        return ExitOk;
    }

    private static int Fail(TextWriter error, string message)
    {
        error.WriteLine($"error: {message.ReplaceLineEndings(" ")}");
        error.Flush();
        return ExitFailure;
    }
}
