using System;
using System.Collections.Generic;

namespace NetKit.Appliance.LinuxPeer;

/// <summary>What a finished (or timed-out) command printed and returned.</summary>
public sealed record CommandResult(IReadOnlyList<string> Command, int ExitCode, string StandardOutput, string StandardError,
    bool TimedOut, TimeSpan Elapsed)
{
    /// <summary>True when the command ran to completion and exited with 0.</summary>
    public bool Succeeded => !TimedOut && ExitCode == 0;

    /// <summary>The command line as one readable string (for messages only; nothing executes it).</summary>
    public string CommandLine => CommandText.Join(Command);

    /// <summary>Returns this result when it succeeded; throws with the command, exit code and stderr otherwise.</summary>
    public CommandResult EnsureSuccess() => Succeeded ? this : throw new PeerCommandException(this);

    public override string ToString() =>
        $"`{CommandLine}` {(TimedOut ? "timed out" : $"exited {ExitCode}")} after {Elapsed.TotalSeconds:F1} s" +
        (StandardError.Length > 0 ? $"; stderr: {Trim(StandardError)}" : "") +
        (StandardOutput.Length > 0 ? $"; stdout: {Trim(StandardOutput)}" : "");

    private static string Trim(string text)
    {
        text = text.Trim();
        return text.Length <= 2000 ? text : text[..1000] + " ... " + text[^1000..];
    }
}

/// <summary>A peer command that failed; the message carries its command line, exit code and output.</summary>
public sealed class PeerCommandException(CommandResult result) : Exception(result.ToString())
{
    public CommandResult Result { get; } = result;
}
