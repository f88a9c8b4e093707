using System;
using NetKit.Appliance;

// Command-line entry point. Later issues add `serve --tap ...`; today the appliance runs the runtime demo.
return args switch
{
    ["demo", .. var rest] => RuntimeDemo.Run(rest),
    [] => RuntimeDemo.Run([]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: netkit-appliance demo [--seconds N]");
    return 2;
}
