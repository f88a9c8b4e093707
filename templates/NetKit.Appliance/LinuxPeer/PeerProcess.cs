using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace NetKit.Appliance.LinuxPeer;

/// <summary>
/// A background program this process started (a listener, the appliance). Its output is collected as it comes;
/// <see cref="Dispose"/> stops it (SIGTERM, then SIGKILL) and waits for it. Only this process is ever signalled, by
/// its own PID, and only while it has not been reaped.
/// </summary>
public sealed class PeerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string?> Done)> _lineWaiters = new();
    private readonly Task _stdoutPump;
    private readonly Task _stderrPump;
    private readonly FileStream? _stdoutFile;
    private int _disposed;
    private int? _exitCode;
    private volatile bool _released; // the Process object is disposed: answer from what was recorded

    private PeerProcess(IReadOnlyList<string> command, string? standardOutputPath)
    {
        Command = command;
        _process = new Process { StartInfo = CommandRunner.StartInfoFor(command, redirectOutput: true) };
        if (standardOutputPath is not null)
            _stdoutFile = new FileStream(standardOutputPath, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
        try
        {
            _process.Start();
        }
        catch (Win32Exception e)
        {
            _stdoutFile?.Dispose();
            _process.Dispose();
            throw new InvalidOperationException($"cannot start {command[0]}: {e.Message}", e);
        }
        Id = _process.Id;
        Janitor.Track(this);
        _process.StandardInput.Close(); // end of file on its stdin, never ours
        _stdoutPump = _stdoutFile is null
            ? PumpLinesAsync(_process.StandardOutput, _stdout, matchLines: true)
            : CopyBytesAsync(_process.StandardOutput.BaseStream, _stdoutFile);
        _stderrPump = PumpLinesAsync(_process.StandardError, _stderr, matchLines: false);
    }

    /// <summary>
    /// Starts <paramref name="command"/> (program, then arguments). With <paramref name="standardOutputPath"/> its
    /// stdout goes, as bytes, to that file (like a shell's <c>&gt; FILE</c>); otherwise it is collected as text.
    /// </summary>
    public static PeerProcess Start(IReadOnlyList<string> command, string? standardOutputPath = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(command.Count, 1, nameof(command));
        return new PeerProcess(command, standardOutputPath);
    }

    public IReadOnlyList<string> Command { get; }

    /// <summary>The PID (of the program itself: <c>ip netns exec</c> execs it).</summary>
    public int Id { get; }

    public bool HasExited => _released || _process.HasExited;

    /// <summary>The exit code, or null while it runs (and after Dispose when it was never observed).</summary>
    public int? ExitCode => _released ? _exitCode : _process.HasExited ? _process.ExitCode : null;

    /// <summary>True when it had to be killed (SIGKILL) because it did not exit after SIGTERM.</summary>
    public bool WasKilled { get; private set; }

    /// <summary>Text printed on stdout so far (empty when stdout goes to a file).</summary>
    public string StandardOutput { get { lock (_stdout) return _stdout.ToString(); } }

    /// <summary>Text printed on stderr so far.</summary>
    public string StandardError { get { lock (_stderr) return _stderr.ToString(); } }

    /// <summary>
    /// Waits for a stdout line that <paramref name="match"/> accepts (including lines already printed); null when the
    /// program ended or <paramref name="timeout"/> passed first.
    /// </summary>
    public async Task<string?> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var done = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_stdout)
        {
            foreach (var line in _stdout.ToString().Split('\n'))
                if (match(line.TrimEnd('\r'))) return line.TrimEnd('\r');
            if (_stdoutPump.IsCompleted) return null;
            _lineWaiters.Add((match, done));
        }
        using var cancel = new CancellationTokenSource(timeout);
        using var registration = cancel.Token.Register(() => done.TrySetResult(null));
        return await done.Task.ConfigureAwait(false);
    }

    /// <summary>Waits until it exits; returns its exit code, or null when <paramref name="timeout"/> passed first.</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        await DrainAsync().ConfigureAwait(false);
        return _process.ExitCode;
    }

    /// <summary>Sends <paramref name="signal"/> (e.g. 15 = SIGTERM) to this program, if it still runs.</summary>
    public bool Signal(int signal)
    {
        if (_released || _process.HasExited) return false; // not reaped yet means the PID is still ours
        return LinuxNative.Kill(Id, signal) == 0;
    }

    /// <summary>
    /// Stops the program: SIGTERM, up to <paramref name="grace"/> to exit, then SIGKILL (the last resort). Returns the
    /// exit code (negative signal numbers are reported by .NET as 128 + n).
    /// </summary>
    public async Task<int> StopAsync(TimeSpan grace)
    {
        Signal(LinuxNative.SigTerm);
        if (await WaitForExitAsync(grace).ConfigureAwait(false) is { } code) return code;
        KillNow();
        return await WaitForExitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false) ?? -1;
    }

    /// <summary>Synchronous stop for cleanup paths: SIGTERM, a grace period, SIGKILL, wait.</summary>
    public void Stop(TimeSpan grace)
    {
        if (_process.HasExited) return;
        Signal(LinuxNative.SigTerm);
        if (_process.WaitForExit(grace)) return;
        KillNow();
        _process.WaitForExit(TimeSpan.FromSeconds(10));
    }

    private void KillNow()
    {
        WasKilled = true;
        try { _process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { } // already exited
    }

    public override string ToString() =>
        $"`{CommandText.Join(Command)}` (pid {Id}, {(HasExited ? $"exited {ExitCode}" : "running")})" +
        (StandardError.Length > 0 ? $"; stderr: {StandardError.Trim()}" : "");

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        Stop(TimeSpan.FromSeconds(5));
        // The pipes reach end of file once the program is gone (unless a grandchild kept them).
        Task.WaitAny([Task.WhenAll(_stdoutPump, _stderrPump)], TimeSpan.FromSeconds(5));
        if (_process.HasExited) _exitCode = _process.ExitCode;
        _released = true;
        _stdoutFile?.Dispose();
        _process.Dispose();
        Janitor.Untrack(this);
    }

    private async Task DrainAsync()
    {
        // Output written just before exit arrives after the exit notification: wait (bounded) for end of file.
        await Task.WhenAny(Task.WhenAll(_stdoutPump, _stderrPump), Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
        if (_stdoutFile is not null && _stdoutPump.IsCompleted) await _stdoutFile.FlushAsync().ConfigureAwait(false);
    }

    private async Task PumpLinesAsync(StreamReader reader, StringBuilder sink, bool matchLines)
    {
        try
        {
            while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                lock (sink)
                {
                    sink.Append(line).Append('\n');
                    if (matchLines) CompleteWaiters(line);
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The pipe went away with the process.
        }
        finally
        {
            if (matchLines) lock (sink) FailWaiters();
        }
    }

    private async Task CopyBytesAsync(Stream source, FileStream destination)
    {
        try
        {
            await source.CopyToAsync(destination, 1 << 16).ConfigureAwait(false);
            await destination.FlushAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
        }
    }

    private void CompleteWaiters(string line)
    {
        for (int i = _lineWaiters.Count - 1; i >= 0; i--)
        {
            if (!_lineWaiters[i].Match(line)) continue;
            _lineWaiters[i].Done.TrySetResult(line);
            _lineWaiters.RemoveAt(i);
        }
    }

    private void FailWaiters()
    {
        foreach (var (_, done) in _lineWaiters) done.TrySetResult(null);
        _lineWaiters.Clear();
    }
}
