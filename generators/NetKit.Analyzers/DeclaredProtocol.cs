using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using NetKit.Generators.Model;
using NetKit.Generators.Parsing;

namespace NetKit.Analyzers;

/// <summary>
/// What a stack needs to know about one listed [Protocol] or [SocketOptionTable] class: layer, number, socket
/// type, what it requires and the options it declares. Read from attributes, so it works for source and metadata
/// types alike.
/// </summary>
internal sealed class DeclaredProtocol
{
    private DeclaredProtocol(
        INamedTypeSymbol type, bool isTable, ProtocolLayer layer, int number, SocketType socketType,
        ImmutableArray<INamedTypeSymbol> requires, ImmutableArray<(int Level, int Name, SockOptAccess Access)> options)
    {
        Type = type;
        IsTable = isTable;
        Layer = layer;
        Number = number;
        SocketType = socketType;
        Requires = requires;
        Options = options;
    }

    public INamedTypeSymbol Type { get; }
    public bool IsTable { get; }
    public ProtocolLayer Layer { get; }
    public int Number { get; }
    public SocketType SocketType { get; }
    public ImmutableArray<INamedTypeSymbol> Requires { get; }

    /// <summary>Distinct option keys in declaration order (duplicates within the class are reported on the class).</summary>
    public ImmutableArray<(int Level, int Name, SockOptAccess Access)> Options { get; }

    public bool IsProtocol => !IsTable;

    public static DeclaredProtocol? Read(INamedTypeSymbol type, NetKitSymbols symbols)
    {
        var protocol = NetKitSymbols.Find(type, symbols.Protocol);
        bool isTable = protocol is null;
        if (isTable && NetKitSymbols.Find(type, symbols.SocketOptionTable) is null) return null;

        var layer = ProtocolLayer.Link;
        int number = 0;
        var socketType = SocketType.None;
        if (protocol is not null)
        {
            layer = (ProtocolLayer)DeclarationRules.Positional(protocol, 1, 0);
            number = DeclarationRules.Positional(protocol, 2, 0);
            socketType = (SocketType)DeclarationRules.Named(protocol, "SocketType", 0);
        }

        var requires = ImmutableArray.CreateBuilder<INamedTypeSymbol>();
        foreach (var attribute in type.GetAttributes())
        {
            if (NetKitSymbols.Is(attribute, symbols.RequiresProtocol) &&
                DeclarationRules.Positional<ITypeSymbol?>(attribute, 0, null) is INamedTypeSymbol { TypeKind: not TypeKind.Error } required)
                requires.Add(required);
        }

        var options = ImmutableArray.CreateBuilder<(int, int, SockOptAccess)>();
        var seen = new HashSet<(int, int, SockOptAccess)>();
        foreach (var member in type.GetMembers())
        {
            if (member is not IMethodSymbol { MethodKind: MethodKind.Ordinary } method) continue;
            foreach (var attribute in method.GetAttributes())
                if (NetKitSymbols.Is(attribute, symbols.SockOpt) && seen.Add(new SockOptDeclaration(attribute).Key))
                    options.Add(new SockOptDeclaration(attribute).Key);
        }

        return new DeclaredProtocol(type, isTable, layer, number, socketType, requires.ToImmutable(), options.ToImmutable());
    }
}
