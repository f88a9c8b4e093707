using System;
using NetKit.Appliance;
using NetKit.Appliance.Serve;
using NetKit.Appliance.Tour;

// Command-line entry point: `serve` runs the appliance on a TAP (see Serve/ServeCommand.cs), `tour` starts it and
// exchanges traffic with it (Tour/TourCommand.cs), `demo` runs the runtime demo.
return args switch
{
    ["serve", .. var rest] => ServeCommand.Run(rest),
    ["tour", .. var rest] => TourCommand.Run(rest),
    ["demo", .. var rest] => RuntimeDemo.Run(rest),
    [] => RuntimeDemo.Run([]),
    ["--help" or "-h" or "help"] => Usage(Console.Out, 0),
    _ => Usage(Console.Error, 2),
};

static int Usage(System.IO.TextWriter writer, int status)
{
    writer.WriteLine("usage: netkit-appliance serve --tap NAME --address A.B.C.D/P [options]   (serve --help for the options)");
    writer.WriteLine("       netkit-appliance tour [--quick]   (tour --help: what it runs)");
    writer.WriteLine("       netkit-appliance demo [--seconds N] [--cpus N] [--app-cpu N] [--no-pin]");
    return status;
}
