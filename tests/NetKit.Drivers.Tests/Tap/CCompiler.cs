using System;
using System.Diagnostics;
using System.IO;
using System.Text;
using NetKit.Drivers.Tests.Support;
using Xunit;

namespace NetKit.Drivers.Tests.Tap;

/// <summary>
/// The system's C compiler (<c>gcc</c>, else <c>cc</c>), used to check the interop declarations against the real C
/// headers, as Tmds.LibC's struct tests do.
/// </summary>
internal static class CCompiler
{
    /// <summary>The headers the interop code mirrors. Only <c>linux/if.h</c>, never <c>net/if.h</c>: both define IFF_UP and friends.
    /// <c>sys/ioctl.h</c> brings the <c>_IOW</c> family the ioctl numbers of <c>linux/if_tun.h</c> expand to.</summary>
    public const string Includes = """
        #define _GNU_SOURCE
        #include <stddef.h>
        #include <errno.h>
        #include <fcntl.h>
        #include <poll.h>
        #include <sys/eventfd.h>
        #include <sys/ioctl.h>
        #include <sys/socket.h>
        #include <sys/uio.h>
        #include <linux/if.h>
        #include <linux/if_tun.h>
        #include <linux/sockios.h>
        #include <linux/virtio_net.h>
        """;

    private static readonly Lazy<(string? Path, string Reason)> s_probe = new(Probe);

    /// <summary>The compiler's path, or null when there is none or it cannot compile <see cref="Includes"/>.</summary>
    public static string? Path => s_probe.Value.Path;

    /// <summary>Why <see cref="Path"/> is null.</summary>
    public static string UnavailableReason => s_probe.Value.Reason;

    public readonly record struct Result(int ExitCode, string Output);

    /// <summary>Writes <paramref name="source"/> to a fresh temporary directory and runs the compiler on it with <paramref name="arguments"/>.</summary>
    public static Result Compile(string source, string arguments, out string directory)
    {
        directory = Directory.CreateTempSubdirectory("netkit-cc-").FullName;
        File.WriteAllText(System.IO.Path.Combine(directory, "check.c"), source);
        return Run(Path ?? throw new InvalidOperationException(UnavailableReason), $"{arguments} check.c", directory);
    }

    /// <summary>Runs a program, returning its exit code and its merged output (killed after 30 s).</summary>
    public static Result Run(string program, string arguments, string directory)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["LC_ALL"] = "C";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {program}");
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(30_000))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return new Result(-1, $"{program} {arguments}: timed out after 30 s\n{output}");
        }
        process.WaitForExit(); // drains the asynchronous readers
        lock (output) return new Result(process.ExitCode, output.ToString());
    }

    private static (string?, string) Probe()
    {
        string? compiler = ToolFactAttribute.Find("gcc") ?? ToolFactAttribute.Find("cc");
        if (compiler is null) return (null, "no C compiler (gcc or cc) on PATH");
        string directory = Directory.CreateTempSubdirectory("netkit-cc-probe-").FullName;
        try
        {
            File.WriteAllText(System.IO.Path.Combine(directory, "probe.c"), Includes + "\nint netkit_probe;\n");
            var result = Run(compiler, "-fsyntax-only probe.c", directory);
            if (result.ExitCode != 0)
            {
                string first = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries) is [var line, ..] ? line : "(no output)";
                return (null, $"{compiler} cannot compile the Linux headers (kernel/libc headers not installed?): {first}");
            }
            return (compiler, "");
        }
        catch (Exception e)
        {
            return (null, $"{compiler} failed to run: {e.Message}");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}

/// <summary>A fact that needs a C compiler and the Linux headers; skipped, with the reason, without them.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class CCompilerFactAttribute : FactAttribute
{
    public CCompilerFactAttribute()
    {
        if (CCompiler.Path is null) Skip = CCompiler.UnavailableReason;
    }
}
