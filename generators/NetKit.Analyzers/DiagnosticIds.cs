namespace NetKit.Analyzers;

/// <summary>
/// Stable ids of NetKit's diagnostics. Never renumber or reuse one: suppressions and AnalyzerReleases.*.md refer
/// to them.
/// </summary>
internal static class DiagnosticIds
{
    public const string WrongHandlerSignature = "NETKIT0001";
    public const string DeclaringTypeNotExtensible = "NETKIT0002";
    public const string DuplicateSocketOption = "NETKIT0003";
    public const string UnsupportedOptionValueType = "NETKIT0004";
    public const string DuplicateProtocolNumber = "NETKIT0005";
    public const string MissingRequiredProtocol = "NETKIT0006";
    public const string HandlerCannotReply = "NETKIT0007";
    public const string DuplicateHandler = "NETKIT0008";
    public const string InvalidOptionDeclaration = "NETKIT0009";
    public const string InvalidStackMember = "NETKIT0010";
    public const string MisplacedHandler = "NETKIT0011";
    public const string StackDeclaresBaseClass = "NETKIT0012";
    public const string StackWithoutLink = "NETKIT0013";
    public const string UnsafeCodeRequired = "NETKIT0014";
}
