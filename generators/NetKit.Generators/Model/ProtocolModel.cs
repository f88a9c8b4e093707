using System;

namespace NetKit.Generators.Model;

/// <summary>
/// One protocol or socket-option table as the emitter needs it: names, numbers and the valid handlers only.
/// Strings and numbers throughout, so two parses of the same declaration compare equal and the pipeline caches.
/// </summary>
internal sealed record ProtocolModel(
    string Namespace,
    string ClassName,
    string FullName,
    bool IsStatic,
    bool IsOptionTable,
    string Name,
    ProtocolLayer Layer,
    int Number,
    FlowHashKind FlowHash,
    SocketType SocketType,
    bool IsDefaultForType,
    EquatableArray<string> Requires,
    EquatableArray<RequestHandlerModel> Requests,
    string? InputMethod,
    string? ControlInputMethod,
    string? ClassifierMethod,
    EquatableArray<OptionHandlerModel> Options)
{
    /// <summary>Identifier-safe name used for generated members and protocol-index constants.</summary>
    public string Identifier => ClassName;

    public string? RequestMethod(UserRequestKind kind)
    {
        foreach (var request in Requests)
            if (request.Kind == kind) return request.Method;
        return null;
    }
}

/// <summary>A user-request handler: its kind and method name.</summary>
internal sealed record RequestHandlerModel(UserRequestKind Kind, string Method);

/// <summary>A socket-option handler with everything its copy-in/copy-out needs.</summary>
internal sealed record OptionHandlerModel(
    int Level,
    int Name,
    SockOptAccess Access,
    string Method,
    OptionValueKind ValueKind,
    string ValueType,
    bool PassByIn,
    long Minimum,
    long Maximum,
    int Length,
    bool IsUnsigned)
{
    public const long Unbounded = long.MinValue;

    public bool HasMinimum => Minimum != Unbounded;

    public bool HasMaximum => Maximum != Unbounded;

    /// <summary>Suffix that makes generated member names unique per (level, name, access).</summary>
    public string Key =>
        (Access == SockOptAccess.Set ? "Set_" : "Get_") + Number(Level) + "_" + Number(Name);

    private static string Number(int value) =>
        (value < 0 ? "m" : "") + System.Math.Abs((long)value).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
