using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using NetKit.Generators.Model;
using NetKit.Generators.Parsing;

namespace NetKit.Analyzers;

/// <summary>
/// Checks [Protocol] and [SocketOptionTable] classes and every method carrying a handler attribute: the class can
/// take generated parts, each handler has its kind's shape (the generator's own <see cref="HandlerShapes"/> and
/// <see cref="OptionValueTypes"/>), sits in a class and layer that can have it, and is not a duplicate.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ProtocolDeclarationAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.WrongHandlerSignature,
        DiagnosticDescriptors.DeclaringTypeNotExtensible,
        DiagnosticDescriptors.DuplicateSocketOption,
        DiagnosticDescriptors.UnsupportedOptionValueType,
        DiagnosticDescriptors.HandlerCannotReply,
        DiagnosticDescriptors.DuplicateHandler,
        DiagnosticDescriptors.InvalidOptionDeclaration,
        DiagnosticDescriptors.MisplacedHandler,
        DiagnosticDescriptors.UnsafeCodeRequired);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (NetKitSymbols.Create(start.Compilation) is not { } symbols) return; // NetKit.Runtime not referenced
            start.RegisterSymbolAction(c => AnalyzeType(c, symbols), SymbolKind.NamedType);
            start.RegisterSymbolAction(c => AnalyzeMethod(c, symbols), SymbolKind.Method);
        });
    }

    private static void AnalyzeType(SymbolAnalysisContext context, NetKitSymbols symbols)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        var protocol = NetKitSymbols.Find(type, symbols.Protocol);
        bool isTable = protocol is null;
        if (isTable && NetKitSymbols.Find(type, symbols.SocketOptionTable) is null) return;
        DeclaringClassChecks.Check(context, type, isStack: false);

        var layer = protocol is null ? ProtocolLayer.Link : (ProtocolLayer)DeclarationRules.Positional(protocol, 1, 0);
        var handlers = new Dictionary<string, IMethodSymbol>();
        var options = new Dictionary<(int, int, SockOptAccess), IMethodSymbol>();
        // Declaration order, as the generator keeps the first of two.
        foreach (var member in type.GetMembers())
        {
            if (member is not IMethodSymbol { MethodKind: MethodKind.Ordinary } method) continue;
            foreach (var attribute in method.GetAttributes())
            {
                var kind = symbols.Classify(attribute);
                if (kind == HandlerAttributeKind.SockOpt)
                {
                    var option = new SockOptDeclaration(attribute);
                    if (options.TryGetValue(option.Key, out var first))
                        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.DuplicateSocketOption,
                            AttributeLocation(attribute, method, context), option.Level, option.Name, option.Access,
                            $" in '{type.Name}'", MemberName(first), MemberName(method)));
                    else
                        options.Add(option.Key, method);
                    continue;
                }
                // Misplaced handlers (NETKIT0011) are not handlers of this class, so they cannot duplicate one.
                if (kind == HandlerAttributeKind.None || Misplacement(kind, attribute, isTable, layer, type) is not null) continue;
                string key = kind == HandlerAttributeKind.UserRequest
                    ? "UserRequest." + DeclarationRules.Positional(attribute, 0, 0)
                    : kind.ToString();
                if (handlers.TryGetValue(key, out var earlier))
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.DuplicateHandler,
                        AttributeLocation(attribute, method, context), MemberName(method), HandlerName(kind, attribute),
                        type.Name, MemberName(earlier)));
                else
                    handlers.Add(key, method);
            }
        }
    }

    private static void AnalyzeMethod(SymbolAnalysisContext context, NetKitSymbols symbols)
    {
        var method = (IMethodSymbol)context.Symbol;
        var type = method.ContainingType;
        if (type is null) return;
        foreach (var attribute in method.GetAttributes())
        {
            var kind = symbols.Classify(attribute);
            if (kind == HandlerAttributeKind.None) continue;

            var protocol = NetKitSymbols.Find(type, symbols.Protocol);
            bool isTable = protocol is null && NetKitSymbols.Find(type, symbols.SocketOptionTable) is not null;
            if (protocol is null && !isTable)
            {
                Report(context, DiagnosticDescriptors.MisplacedHandler, AttributeLocation(attribute, method, context),
                    AttributeName(kind), MemberName(method),
                    $"'{type.Name}' is neither a [Protocol] nor a [SocketOptionTable] class");
                continue;
            }
            var layer = protocol is null ? ProtocolLayer.Link : (ProtocolLayer)DeclarationRules.Positional(protocol, 1, 0);
            if (Misplacement(kind, attribute, isTable, layer, type) is { } misplaced)
            {
                Report(context, DiagnosticDescriptors.MisplacedHandler, AttributeLocation(attribute, method, context),
                    AttributeName(kind), MemberName(method), misplaced);
                if (kind != HandlerAttributeKind.SockOpt) continue; // a wrong level still leaves a checkable shape
            }
            if (kind == HandlerAttributeKind.SockOpt)
                CheckOption(context, method, attribute);
            else
                CheckHandler(context, method, attribute, kind, layer);
        }
    }

    private static void CheckHandler(SymbolAnalysisContext context, IMethodSymbol method, AttributeData attribute,
        HandlerAttributeKind kind, ProtocolLayer layer)
    {
        var requestKind = (UserRequestKind)DeclarationRules.Positional(attribute, 0, 0);
        string expected = kind switch
        {
            HandlerAttributeKind.UserRequest => HandlerShapes.DescribeRequest(requestKind),
            HandlerAttributeKind.PacketInput => HandlerShapes.DescribeInput(layer),
            HandlerAttributeKind.ControlInput => HandlerShapes.ControlInputShape,
            _ => HandlerShapes.ClassifierShape,
        };
        var problem = method.MethodKind != MethodKind.Ordinary ? ShapeProblem.WrongSignature : kind switch
        {
            HandlerAttributeKind.UserRequest => HandlerShapes.CheckRequest(method, requestKind),
            HandlerAttributeKind.PacketInput => HandlerShapes.CheckInput(method, layer),
            HandlerAttributeKind.ControlInput => HandlerShapes.CheckControlInput(method),
            _ => HandlerShapes.CheckClassifier(method),
        };
        string handler = HandlerName(kind, attribute) + (kind == HandlerAttributeKind.PacketInput ? " of a " + LayerName(layer) : "");
        ReportShape(context, method, problem, handler, expected);
    }

    private static void CheckOption(SymbolAnalysisContext context, IMethodSymbol method, AttributeData attribute)
    {
        var option = new SockOptDeclaration(attribute);
        var problem = HandlerShapes.CheckOption(method, option.Access, out var valueType, out _);
        if (method.MethodKind != MethodKind.Ordinary) problem = ShapeProblem.WrongSignature;
        if (problem != ShapeProblem.None || valueType is null)
        {
            ReportShape(context, method, problem, HandlerName(HandlerAttributeKind.SockOpt, attribute), HandlerShapes.DescribeOption(option.Access));
            return;
        }
        if (OptionValueTypes.Classify(valueType, out bool isUnsigned) is not { } valueKind)
        {
            Report(context, DiagnosticDescriptors.UnsupportedOptionValueType, ParameterLocation(method, 1),
                MemberName(method), valueType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat));
            return;
        }
        if (OptionValueTypes.CheckDeclaration(valueKind, isUnsigned, option.Access, option.Minimum, option.Maximum, option.Length) is { } reason)
            Report(context, DiagnosticDescriptors.InvalidOptionDeclaration, AttributeLocation(attribute, method, context),
                MemberName(method), reason);
    }

    private static void ReportShape(SymbolAnalysisContext context, IMethodSymbol method, ShapeProblem problem, string handler, string expected)
    {
        var location = method.Locations.FirstOrDefault();
        if (problem == ShapeProblem.CannotReply)
            Report(context, DiagnosticDescriptors.HandlerCannotReply, location, MemberName(method), expected);
        else if (problem == ShapeProblem.WrongSignature)
            Report(context, DiagnosticDescriptors.WrongHandlerSignature, location, MemberName(method), handler, expected);
    }

    /// <summary>Why this handler attribute cannot be in <paramref name="type"/>, or null when it can.</summary>
    private static string? Misplacement(HandlerAttributeKind kind, AttributeData attribute, bool isTable, ProtocolLayer layer, INamedTypeSymbol type)
    {
        if (kind == HandlerAttributeKind.SockOpt)
        {
            int level = new SockOptDeclaration(attribute).Level;
            if (isTable && level != SockOptDeclaration.SocketLevel)
                return $"'{type.Name}' is a [SocketOptionTable], which holds SOL_SOCKET ({SockOptDeclaration.SocketLevel}) " +
                       $"options only; level {level} belongs in its protocol's class";
            if (!isTable && level == SockOptDeclaration.SocketLevel)
                return $"SOL_SOCKET ({SockOptDeclaration.SocketLevel}) options run in the caller's context; " +
                       "move it to a [SocketOptionTable] class";
            return null;
        }
        if (isTable) return $"'{type.Name}' is a [SocketOptionTable], which holds socket-level [SockOpt] handlers only";
        if (kind == HandlerAttributeKind.ControlInput && layer != ProtocolLayer.Transport)
            return $"'{type.Name}' is a {LayerName(layer)} protocol; only transports take control input";
        if (kind == HandlerAttributeKind.FlowClassifier && layer == ProtocolLayer.Transport)
            return $"'{type.Name}' is a transport; flow classifiers belong to link and network protocols";
        return null;
    }

    private static void Report(SymbolAnalysisContext context, DiagnosticDescriptor descriptor, Location? location, params object[] arguments) =>
        context.ReportDiagnostic(Diagnostic.Create(descriptor, location ?? Location.None, arguments));

    private static Location AttributeLocation(AttributeData attribute, IMethodSymbol method, SymbolAnalysisContext context) =>
        attribute.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken).GetLocation()
        ?? method.Locations.FirstOrDefault() ?? Location.None;

    private static Location? ParameterLocation(IMethodSymbol method, int index) =>
        method.Parameters.Length > index ? method.Parameters[index].Locations.FirstOrDefault() ?? method.Locations.FirstOrDefault()
            : method.Locations.FirstOrDefault();

    private static string MemberName(IMethodSymbol method) => method.ContainingType.Name + "." + method.Name;

    private static string AttributeName(HandlerAttributeKind kind) => kind.ToString();

    private static string HandlerName(HandlerAttributeKind kind, AttributeData attribute) => kind switch
    {
        HandlerAttributeKind.UserRequest => $"[UserRequest(UserRequestKind.{(UserRequestKind)DeclarationRules.Positional(attribute, 0, 0)})]",
        HandlerAttributeKind.SockOpt => $"[SockOpt] {(new SockOptDeclaration(attribute).Access == SockOptAccess.Set ? "set" : "get")}",
        _ => "[" + kind + "]",
    };

    private static string LayerName(ProtocolLayer layer) => layer switch
    {
        ProtocolLayer.Link => "link",
        ProtocolLayer.Network => "network",
        _ => "transport",
    };
}
