using System;
using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.InteropServices;
using System.IO;
using System.Text.RegularExpressions;

namespace NetKit.Appliance.LinuxPeer;

/// <summary>
/// Last line of cleanup: when this process exits normally (or on SIGTERM) it stops the background programs it started
/// and still holds, then deletes the namespaces it still holds; at the first namespace it also deletes the ones a
/// crashed earlier run left (names <c>PREFIX-PID-N</c> whose PID is gone). Deleting a namespace destroys the virtual
/// links inside it. Processes of earlier runs are never touched: only this process's own children, by PID.
/// </summary>
internal static class Janitor
{
    private static readonly ConcurrentDictionary<string, byte> s_namespaces = new();
    private static readonly ConcurrentDictionary<PeerProcess, byte> s_processes = new();
    private static int s_installed, s_swept;
    private static PosixSignalRegistration[]? s_signals; // kept alive: disposing unregisters

    public static void Track(string namespaceName)
    {
        Install();
        if (System.Threading.Interlocked.Exchange(ref s_swept, 1) == 0) SweepStaleNamespaces();
        s_namespaces[namespaceName] = 0;
    }

    public static void Untrack(string namespaceName) => s_namespaces.TryRemove(namespaceName, out _);

    public static void Track(PeerProcess process)
    {
        Install();
        s_processes[process] = 0;
    }

    public static void Untrack(PeerProcess process) => s_processes.TryRemove(process, out _);

    private static void Install()
    {
        if (System.Threading.Interlocked.Exchange(ref s_installed, 1) != 0) return;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => CleanUp();
        // A SIGTERM or SIGINT that ends the process does not raise ProcessExit: clean up first, then let the signal
        // take its course (Cancel stays as the other handlers set it).
        s_signals = [
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => CleanUp()),
            PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => CleanUp()),
        ];
    }

    private static void CleanUp()
    {
        foreach (var process in s_processes.Keys)
        {
            try { process.Stop(TimeSpan.FromSeconds(2)); }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception) { }
        }
        foreach (var name in s_namespaces.Keys) PeerNamespace.Delete(name);
    }

    /// <summary>Deletes namespaces named like ours whose creating process no longer exists.</summary>
    private static void SweepStaleNamespaces()
    {
        if (!Directory.Exists(PeerNamespace.Directory)) return;
        foreach (var path in Directory.GetFiles(PeerNamespace.Directory))
        {
            var match = Regex.Match(Path.GetFileName(path), @"^nk[a-z]*-(\d+)-\d+$");
            if (!match.Success) continue;
            int pid = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            if (pid != Environment.ProcessId && !Directory.Exists($"/proc/{pid}"))
                PeerNamespace.Delete(Path.GetFileName(path));
        }
    }
}
