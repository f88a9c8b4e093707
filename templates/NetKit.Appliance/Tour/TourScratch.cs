using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;

namespace NetKit.Appliance.Tour;

/// <summary>
/// A private directory for the files Linux's tools read and write (<c>/dev/shm/nktour-PID-N</c>: tmpfs, so a 256 MiB
/// upload is read from memory, not a disk). Deleted on Dispose, and on SIGINT / SIGTERM, which end the process
/// without running finally blocks.
/// </summary>
public sealed class TourScratch : IDisposable
{
    private static int s_next;
    private readonly PosixSignalRegistration[] _signals;
    private int _disposed;

    public TourScratch()
    {
        string parent = Directory.Exists("/dev/shm") ? "/dev/shm" : System.IO.Path.GetTempPath();
        Path = System.IO.Path.Combine(parent, $"nktour-{Environment.ProcessId}-{Interlocked.Increment(ref s_next)}");
        Directory.CreateDirectory(Path);
        // Not cancelled: the signal still ends the process, after the files are gone.
        _signals =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => Delete()),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => Delete()),
        ];
    }

    public string Path { get; }

    /// <summary>The path of <paramref name="name"/> in the directory (not created).</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>
    /// Creates <paramref name="name"/> as <paramref name="length"/> zero bytes. The file is sparse: tmpfs reads the
    /// holes as zeros (like /dev/zero, but with an end) and stores nothing for them.
    /// </summary>
    public string ZeroFile(string name, long length)
    {
        string path = File(name);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write);
        stream.SetLength(length);
        return path;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        foreach (var signal in _signals) signal.Dispose();
        Delete();
    }

    private void Delete()
    {
        try
        {
            if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"warning: could not delete {Path}: {e.Message}");
        }
    }
}
