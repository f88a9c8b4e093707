namespace NetKit.Generators.Model;

/// <summary>A declared stack: its class and the listed protocols and option tables, in declaration order.</summary>
internal sealed record StackModel(
    string Namespace,
    string ClassName,
    string FullName,
    EquatableArray<ProtocolModel> Members);
