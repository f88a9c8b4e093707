using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using NetKit.Generators.Model;

namespace NetKit.Generators.Parsing;

/// <summary>
/// Reads a <c>[Protocol]</c> or <c>[SocketOptionTable]</c> class into a <see cref="ProtocolModel"/>. Invalid
/// handlers are left out silently (the analyzer reports them); a duplicate keeps the first declaration.
/// </summary>
internal static class ProtocolParser
{
    public static ProtocolModel? Parse(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        if (!DeclarationRules.CanBeExtended(type)) return null;
        var protocol = DeclarationRules.Find(type, KnownNames.ProtocolAttribute);
        bool isTable = protocol is null;
        if (isTable && !DeclarationRules.Has(type, KnownNames.SocketOptionTableAttribute)) return null;

        string name = type.Name;
        var layer = ProtocolLayer.Link;
        int number = 0;
        var flowHash = FlowHashKind.Thread0;
        var socketType = SocketType.None;
        bool isDefault = false;
        if (protocol is not null)
        {
            name = DeclarationRules.Positional(protocol, 0, type.Name);
            layer = (ProtocolLayer)DeclarationRules.Positional(protocol, 1, 0);
            number = DeclarationRules.Positional(protocol, 2, 0);
            flowHash = (FlowHashKind)DeclarationRules.Named(protocol, "FlowHash", (int)FlowHashKind.Thread0);
            socketType = (SocketType)DeclarationRules.Named(protocol, "SocketType", 0);
            isDefault = DeclarationRules.Named(protocol, "IsDefaultForType", false);
        }

        var requires = new List<string>();
        foreach (var attribute in type.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() != KnownNames.RequiresProtocolAttribute) continue;
            if (DeclarationRules.Positional<ITypeSymbol?>(attribute, 0, null) is INamedTypeSymbol required)
                requires.Add(HandlerShapes.Display(required));
        }

        var requests = new List<RequestHandlerModel>();
        var options = new List<OptionHandlerModel>();
        var seenKinds = new HashSet<UserRequestKind>();
        var seenOptions = new HashSet<(int, int, SockOptAccess)>();
        string? input = null, controlInput = null, classifier = null;

        foreach (var member in type.GetMembers())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (member is not IMethodSymbol method || method.MethodKind != MethodKind.Ordinary) continue;
            foreach (var attribute in method.GetAttributes())
            {
                switch (attribute.AttributeClass?.ToDisplayString())
                {
                    case KnownNames.UserRequestAttribute when !isTable:
                        var kind = (UserRequestKind)DeclarationRules.Positional(attribute, 0, 0);
                        if (HandlerShapes.CheckRequest(method, kind) == ShapeProblem.None && seenKinds.Add(kind))
                            requests.Add(new RequestHandlerModel(kind, method.Name));
                        break;
                    case KnownNames.PacketInputAttribute when !isTable:
                        if (input is null && HandlerShapes.CheckInput(method, layer) == ShapeProblem.None) input = method.Name;
                        break;
                    case KnownNames.ControlInputAttribute when !isTable && layer == ProtocolLayer.Transport:
                        if (controlInput is null && HandlerShapes.CheckControlInput(method) == ShapeProblem.None) controlInput = method.Name;
                        break;
                    case KnownNames.FlowClassifierAttribute when !isTable && layer != ProtocolLayer.Transport:
                        if (classifier is null && HandlerShapes.CheckClassifier(method) == ShapeProblem.None) classifier = method.Name;
                        break;
                    case KnownNames.SockOptAttribute:
                        if (ParseOption(method, attribute) is { } option && seenOptions.Add((option.Level, option.Name, option.Access)))
                            options.Add(option);
                        break;
                }
            }
        }

        string ns = type.ContainingNamespace.IsGlobalNamespace ? "" : type.ContainingNamespace.ToDisplayString();
        return new ProtocolModel(
            ns, type.Name, HandlerShapes.Display(type), type.IsStatic, isTable, name, layer, number, flowHash, socketType,
            isDefault, requires.ToEquatableArray(), requests.ToEquatableArray(), input, controlInput, classifier,
            options.ToEquatableArray());
    }

    private static OptionHandlerModel? ParseOption(IMethodSymbol method, AttributeData attribute)
    {
        int level = DeclarationRules.Positional(attribute, 0, 0);
        int name = DeclarationRules.Positional(attribute, 1, 0);
        var access = (SockOptAccess)DeclarationRules.Positional(attribute, 2, 0);
        long minimum = DeclarationRules.Named(attribute, "Minimum", OptionHandlerModel.Unbounded);
        long maximum = DeclarationRules.Named(attribute, "Maximum", OptionHandlerModel.Unbounded);
        int length = DeclarationRules.Named(attribute, "Length", 0);

        if (HandlerShapes.CheckOption(method, access, out var valueType, out bool passByIn) != ShapeProblem.None) return null;
        if (OptionValueTypes.Classify(valueType!, out bool isUnsigned) is not { } kind) return null;
        if (OptionValueTypes.CheckDeclaration(kind, isUnsigned, access, minimum, maximum, length) is not null) return null;
        return new OptionHandlerModel(level, name, access, method.Name, kind, HandlerShapes.Display(valueType!), passByIn,
            minimum, maximum, length, isUnsigned);
    }
}
