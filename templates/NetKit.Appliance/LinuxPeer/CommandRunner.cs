using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.Threading.Tasks;

namespace NetKit.Appliance.LinuxPeer;

/// <summary>
/// Runs a program to completion with an argument list (no shell), a time limit and captured stdout/stderr. A program
/// that outlives its limit is killed together with the processes it started.
/// </summary>
public static class CommandRunner
{
    /// <summary>Runs <paramref name="command"/> (program, then arguments); never throws for a non-zero exit.</summary>
    public static CommandResult Run(IReadOnlyList<string> command, TimeSpan timeout, string? standardInput = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(command.Count, 1, nameof(command));
        var started = Stopwatch.StartNew();
        using var process = new Process { StartInfo = StartInfoFor(command, redirectOutput: true) };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            return new CommandResult(command, 127, "", $"cannot start {command[0]}: {e.Message}", false, started.Elapsed);
        }
        // Read both pipes concurrently so that a chatty program cannot block on a full pipe.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        // Standard input is always a pipe we close: a program waiting for input sees end of file, never our stdin.
        {
            try
            {
                if (standardInput is not null) process.StandardInput.Write(standardInput);
                process.StandardInput.Close();
            }
            catch (System.IO.IOException)
            {
                // The program exited without reading its input; its exit code tells the rest.
            }
        }
        bool timedOut = !process.WaitForExit((int)Math.Min(int.MaxValue, Math.Max(1, timeout.TotalMilliseconds)));
        if (timedOut)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            process.WaitForExit(5_000);
        }
        // A program that left a child holding the pipes open must not hang us: bound the wait for end of file.
        Task.WaitAll([stdout, stderr], TimeSpan.FromSeconds(5));
        string output = stdout.IsCompletedSuccessfully ? stdout.Result : "";
        string error = stderr.IsCompletedSuccessfully ? stderr.Result : "";
        int exitCode = process.HasExited ? process.ExitCode : -1;
        return new CommandResult(command, exitCode, output, error, timedOut, started.Elapsed);
    }

    /// <summary><see cref="Run"/> on a pool thread.</summary>
    public static Task<CommandResult> RunAsync(IReadOnlyList<string> command, TimeSpan timeout, string? standardInput = null) =>
        Task.Run(() => Run(command, timeout, standardInput));

    internal static ProcessStartInfo StartInfoFor(IReadOnlyList<string> command, bool redirectOutput)
    {
        var info = new ProcessStartInfo(command[0])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = redirectOutput,
            RedirectStandardError = true,
        };
        for (int i = 1; i < command.Count; i++) info.ArgumentList.Add(command[i]);
        return info;
    }
}
