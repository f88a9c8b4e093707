using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using NetKit.Drivers.Tap.Interop;
using NetKit.Drivers.Virtio;
using Xunit;
using Xunit.Sdk;

namespace NetKit.Drivers.Tests.Tap;

/// <summary>
/// The TAP driver's interop declarations against the system's C headers (the approach of Tmds.LibC's struct tests): a C
/// file is generated with one <c>_Static_assert</c> per constant, struct size and field offset, the expected values
/// taken from the C# declarations at run time, and compiled with <c>-fsyntax-only</c>; a mismatch fails the build and
/// the compiler's message names it.
/// </summary>
public sealed class NativeLayoutTests
{
    /// <summary>One assertion: a C expression and the value the C# code says it has.</summary>
    public readonly record struct Check(string Expression, long Expected, string Source);

    /// <summary>The C names of <see cref="VirtioNetHeader"/>'s constants (its C# names are not the C ones).</summary>
    private static readonly Dictionary<string, string> s_virtioNames = new()
    {
        [nameof(VirtioNetHeader.Size)] = "sizeof(struct virtio_net_hdr_mrg_rxbuf)",
        [nameof(VirtioNetHeader.LegacySize)] = "sizeof(struct virtio_net_hdr)",
        [nameof(VirtioNetHeader.FlagNeedsChecksum)] = "VIRTIO_NET_HDR_F_NEEDS_CSUM",
        [nameof(VirtioNetHeader.FlagDataValid)] = "VIRTIO_NET_HDR_F_DATA_VALID",
        [nameof(VirtioNetHeader.GsoNone)] = "VIRTIO_NET_HDR_GSO_NONE",
        [nameof(VirtioNetHeader.GsoTcpV4)] = "VIRTIO_NET_HDR_GSO_TCPV4",
        [nameof(VirtioNetHeader.GsoUdp)] = "VIRTIO_NET_HDR_GSO_UDP",
        [nameof(VirtioNetHeader.GsoTcpV6)] = "VIRTIO_NET_HDR_GSO_TCPV6",
        [nameof(VirtioNetHeader.GsoEcn)] = "VIRTIO_NET_HDR_GSO_ECN",
    };

    /// <summary>Every check: the constants of the interop types (by reflection, so a new one is checked too) and the layouts.</summary>
    public static List<Check> AllChecks()
    {
        var checks = new List<Check>();
        // Classes whose constants carry their C names.
        foreach (var type in new[] { typeof(TunConstants), typeof(LibC), typeof(PollDescriptor) })
            foreach (var field in Constants(type))
                checks.Add(new Check(field.Name, Value(field), $"{type.Name}.{field.Name}"));
        foreach (var field in Constants(typeof(VirtioNetHeader)))
        {
            if (!s_virtioNames.TryGetValue(field.Name, out var c))
                throw new XunitException($"VirtioNetHeader.{field.Name} has no C counterpart in this test's table: add it");
            checks.Add(new Check(c, Value(field), $"VirtioNetHeader.{field.Name}"));
        }
        checks.Add(new Check("IFNAMSIZ", InterfaceRequest.NameSize, "InterfaceRequest.NameSize"));
        checks.Add(new Check("sizeof(void *)", IntPtr.Size, "IntPtr.Size"));

        // struct ifreq
        Struct<InterfaceRequest>(checks, "struct ifreq");
        Field<InterfaceRequest>(checks, "struct ifreq", "ifr_name", nameof(InterfaceRequest.Name));
        Field<InterfaceRequest>(checks, "struct ifreq", "ifr_flags", nameof(InterfaceRequest.Flags));
        Field<InterfaceRequest>(checks, "struct ifreq", "ifr_mtu", nameof(InterfaceRequest.Value));
        Field<InterfaceRequest>(checks, "struct ifreq", "ifr_ifindex", nameof(InterfaceRequest.Value));
        Field<InterfaceRequest>(checks, "struct ifreq", "ifr_hwaddr.sa_family", nameof(InterfaceRequest.AddressFamily));
        Field<InterfaceRequest>(checks, "struct ifreq", "ifr_hwaddr.sa_data", nameof(InterfaceRequest.AddressData));

        // struct iovec
        Struct<IoVector>(checks, "struct iovec");
        Field<IoVector>(checks, "struct iovec", "iov_base", nameof(IoVector.Base));
        Field<IoVector>(checks, "struct iovec", "iov_len", nameof(IoVector.Length));

        // struct pollfd
        Struct<PollDescriptor>(checks, "struct pollfd");
        Field<PollDescriptor>(checks, "struct pollfd", "fd", nameof(PollDescriptor.Descriptor));
        Field<PollDescriptor>(checks, "struct pollfd", "events", nameof(PollDescriptor.Events));
        Field<PollDescriptor>(checks, "struct pollfd", "revents", nameof(PollDescriptor.ReturnedEvents));

        // struct virtio_net_hdr_mrg_rxbuf (its first member is the legacy struct virtio_net_hdr)
        const string virtio = "struct virtio_net_hdr_mrg_rxbuf";
        Struct<VirtioNetHeader>(checks, virtio);
        Field<VirtioNetHeader>(checks, virtio, "hdr.flags", nameof(VirtioNetHeader.Flags));
        Field<VirtioNetHeader>(checks, virtio, "hdr.gso_type", nameof(VirtioNetHeader.GsoType));
        Field<VirtioNetHeader>(checks, virtio, "hdr.hdr_len", nameof(VirtioNetHeader.HeaderLength));
        Field<VirtioNetHeader>(checks, virtio, "hdr.gso_size", nameof(VirtioNetHeader.GsoSize));
        Field<VirtioNetHeader>(checks, virtio, "hdr.csum_start", nameof(VirtioNetHeader.ChecksumStart));
        Field<VirtioNetHeader>(checks, virtio, "hdr.csum_offset", nameof(VirtioNetHeader.ChecksumOffset));
        Field<VirtioNetHeader>(checks, virtio, "num_buffers", nameof(VirtioNetHeader.BufferCount));
        return checks;
    }

    [CCompilerFact]
    public void Interop_constants_and_struct_layouts_match_the_system_headers()
    {
        var checks = AllChecks();
        Assert.True(checks.Count > 60, $"only {checks.Count} checks generated");
        var failure = CompileChecks(checks);
        if (failure is not null) throw new XunitException(failure);
    }

    /// <summary>The harness itself: a wrong expected value must fail the compile, naming the constant.</summary>
    [CCompilerFact]
    public void A_wrong_value_fails_the_check_and_names_the_constant()
    {
        var checks = new List<Check>
        {
            new("IFF_TAP", TunConstants.IFF_TAP, "TunConstants.IFF_TAP"),
            new("TUNSETIFF", TunConstants.TUNSETIFF + 1, "a deliberately wrong TUNSETIFF"),
            new("sizeof(struct pollfd)", Unsafe.SizeOf<PollDescriptor>() + 4, "a deliberately wrong sizeof(struct pollfd)"),
        };
        var failure = CompileChecks(checks);
        Assert.NotNull(failure);
        Assert.Contains("a deliberately wrong TUNSETIFF", failure);
        Assert.Contains("a deliberately wrong sizeof(struct pollfd)", failure);
        Assert.DoesNotContain("TunConstants.IFF_TAP", failure.Split("C says:")[0]);
        // The diagnostic program reports what C says.
        Assert.Contains($"TUNSETIFF = {(long)TunConstants.TUNSETIFF}", failure);
    }

    [Fact]
    public void Every_virtio_header_constant_has_a_C_name_in_the_table()
    {
        var missing = Constants(typeof(VirtioNetHeader)).Select(f => f.Name).Where(n => !s_virtioNames.ContainsKey(n)).ToList();
        Assert.Empty(missing);
    }

    [Fact]
    public void Managed_layouts_are_the_blittable_ones_passed_by_pointer()
    {
        // The driver passes these by pointer: the managed layout is what the kernel sees, so it must equal the
        // marshalled one the C checks compare with.
        Assert.Equal(Marshal.SizeOf<InterfaceRequest>(), Unsafe.SizeOf<InterfaceRequest>());
        Assert.Equal(Marshal.SizeOf<IoVector>(), Unsafe.SizeOf<IoVector>());
        Assert.Equal(Marshal.SizeOf<PollDescriptor>(), Unsafe.SizeOf<PollDescriptor>());
        Assert.Equal(Marshal.SizeOf<VirtioNetHeader>(), Unsafe.SizeOf<VirtioNetHeader>());
        var request = default(InterfaceRequest);
        Assert.Equal((long)Marshal.OffsetOf<InterfaceRequest>(nameof(InterfaceRequest.Flags)),
            (long)Unsafe.ByteOffset(ref Unsafe.As<InterfaceRequest, byte>(ref request), ref Unsafe.As<short, byte>(ref request.Flags)));
        var header = default(VirtioNetHeader);
        Assert.Equal((long)Marshal.OffsetOf<VirtioNetHeader>(nameof(VirtioNetHeader.BufferCount)),
            (long)Unsafe.ByteOffset(ref Unsafe.As<VirtioNetHeader, byte>(ref header), ref Unsafe.As<ushort, byte>(ref header.BufferCount)));
    }

    /// <summary>Compiles the checks; null when they all hold, else the compiler's message and the values C has.</summary>
    private static string? CompileChecks(IReadOnlyList<Check> checks)
    {
        var source = new StringBuilder(CCompiler.Includes);
        source.AppendLine();
        source.AppendLine("#define NETKIT_MEMBER_SIZE(type, member) sizeof(((type *)0)->member)");
        foreach (var check in checks)
        {
            source.AppendLine(CultureInfo.InvariantCulture,
                $"_Static_assert((long long)({check.Expression}) == {check.Expected}LL, \"{check.Expression} == {check.Expected} ({check.Source})\");");
        }
        var result = CCompiler.Compile(source.ToString(), "-std=gnu11 -fsyntax-only", out string directory);
        try
        {
            if (result.ExitCode == 0) return null;
            return $"{CCompiler.Path} rejected the interop declarations:\n{result.Output}\nC says:\n{ActualValues(checks)}";
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Best effort, for the failure message: a program printing the C value of each expression that differs.</summary>
    private static string ActualValues(IReadOnlyList<Check> checks)
    {
        var source = new StringBuilder(CCompiler.Includes);
        source.AppendLine();
        source.AppendLine("#include <stdio.h>");
        source.AppendLine("#define NETKIT_MEMBER_SIZE(type, member) sizeof(((type *)0)->member)");
        source.AppendLine("int main(void) {");
        foreach (var check in checks)
        {
            source.AppendLine(CultureInfo.InvariantCulture,
                $"  if ((long long)({check.Expression}) != {check.Expected}LL) printf(\"%s = %lld, not {check.Expected} ({check.Source})\\n\", \"{check.Expression}\", (long long)({check.Expression}));");
        }
        source.AppendLine("  return 0;\n}");
        var build = CCompiler.Compile(source.ToString(), "-std=gnu11 -o check", out string directory);
        try
        {
            if (build.ExitCode != 0) return $"(the value printer did not compile either)\n{build.Output}";
            var run = CCompiler.Run(Path.Combine(directory, "check"), "", directory);
            return run.Output;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static IEnumerable<FieldInfo> Constants(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Where(f => f.IsLiteral && !f.IsInitOnly);

    private static long Value(FieldInfo field) => Convert.ToInt64(field.GetRawConstantValue(), CultureInfo.InvariantCulture);

    private static void Struct<T>(List<Check> checks, string cType) where T : struct =>
        checks.Add(new Check($"sizeof({cType})", Unsafe.SizeOf<T>(), $"Unsafe.SizeOf<{typeof(T).Name}>()"));

    /// <summary>The offset and the size of a field.</summary>
    private static void Field<T>(List<Check> checks, string cType, string cMember, string field) where T : struct
    {
        checks.Add(new Check($"offsetof({cType}, {cMember})", (long)Marshal.OffsetOf<T>(field), $"OffsetOf<{typeof(T).Name}>({field})"));
        checks.Add(new Check($"NETKIT_MEMBER_SIZE({cType}, {cMember})", FieldSize(typeof(T).GetField(field)!), $"size of {typeof(T).Name}.{field}"));
    }

    private static int FieldSize(FieldInfo field)
    {
        if (field.GetCustomAttribute<FixedBufferAttribute>() is { } buffer)
            return buffer.Length * Marshal.SizeOf(buffer.ElementType);
        if (field.FieldType.IsPointer) return IntPtr.Size;
        return Marshal.SizeOf(field.FieldType);
    }
}
