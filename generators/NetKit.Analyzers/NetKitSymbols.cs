using Microsoft.CodeAnalysis;
using NetKit.Generators.Parsing;

namespace NetKit.Analyzers;

/// <summary>Which handler attribute an <see cref="AttributeData"/> is.</summary>
internal enum HandlerAttributeKind
{
    None,
    UserRequest,
    PacketInput,
    ControlInput,
    FlowClassifier,
    SockOpt,
}

/// <summary>
/// NetKit.Runtime's declaration attributes, resolved once per compilation so every check compares symbols rather
/// than display strings. <see cref="Create"/> returns null when the runtime is not referenced: then nothing can be
/// declared and the analyzers do nothing.
/// </summary>
internal sealed class NetKitSymbols
{
    private NetKitSymbols(Compilation compilation)
    {
        Protocol = compilation.GetTypeByMetadataName(KnownNames.ProtocolAttribute)!;
        SocketOptionTable = compilation.GetTypeByMetadataName(KnownNames.SocketOptionTableAttribute);
        NetworkStack = compilation.GetTypeByMetadataName(KnownNames.NetworkStackAttribute);
        RequiresProtocol = compilation.GetTypeByMetadataName(KnownNames.RequiresProtocolAttribute);
        UserRequest = compilation.GetTypeByMetadataName(KnownNames.UserRequestAttribute);
        PacketInput = compilation.GetTypeByMetadataName(KnownNames.PacketInputAttribute);
        ControlInput = compilation.GetTypeByMetadataName(KnownNames.ControlInputAttribute);
        FlowClassifier = compilation.GetTypeByMetadataName(KnownNames.FlowClassifierAttribute);
        SockOpt = compilation.GetTypeByMetadataName(KnownNames.SockOptAttribute);
    }

    public INamedTypeSymbol Protocol { get; }
    public INamedTypeSymbol? SocketOptionTable { get; }
    public INamedTypeSymbol? NetworkStack { get; }
    public INamedTypeSymbol? RequiresProtocol { get; }
    public INamedTypeSymbol? UserRequest { get; }
    public INamedTypeSymbol? PacketInput { get; }
    public INamedTypeSymbol? ControlInput { get; }
    public INamedTypeSymbol? FlowClassifier { get; }
    public INamedTypeSymbol? SockOpt { get; }

    public static NetKitSymbols? Create(Compilation compilation) =>
        compilation.GetTypeByMetadataName(KnownNames.ProtocolAttribute) is null ? null : new NetKitSymbols(compilation);

    public static AttributeData? Find(ISymbol symbol, INamedTypeSymbol? attributeType)
    {
        if (attributeType is null) return null;
        foreach (var attribute in symbol.GetAttributes())
            if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, attributeType)) return attribute;
        return null;
    }

    public static bool Is(AttributeData attribute, INamedTypeSymbol? attributeType) =>
        attributeType is not null && SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, attributeType);

    /// <summary>A [Protocol] or [SocketOptionTable] class (a class with both counts as a protocol, as the generator emits it).</summary>
    public bool IsProtocolOrTable(INamedTypeSymbol type) =>
        Find(type, Protocol) is not null || Find(type, SocketOptionTable) is not null;

    public HandlerAttributeKind Classify(AttributeData attribute)
    {
        if (Is(attribute, UserRequest)) return HandlerAttributeKind.UserRequest;
        if (Is(attribute, PacketInput)) return HandlerAttributeKind.PacketInput;
        if (Is(attribute, ControlInput)) return HandlerAttributeKind.ControlInput;
        if (Is(attribute, FlowClassifier)) return HandlerAttributeKind.FlowClassifier;
        if (Is(attribute, SockOpt)) return HandlerAttributeKind.SockOpt;
        return HandlerAttributeKind.None;
    }
}
