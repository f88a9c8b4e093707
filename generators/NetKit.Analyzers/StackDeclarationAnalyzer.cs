using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using NetKit.Generators.Model;

namespace NetKit.Analyzers;

/// <summary>
/// Checks [NetworkStack] classes: the class can become a generated <c>NetStack</c>, and its list is one the
/// generator can turn into demultiplexing and option dispatch without silently dropping or shadowing anything
/// (the generator's StackPlan resolves every conflict reported here to the first declaration).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class StackDeclarationAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.DeclaringTypeNotExtensible,
        DiagnosticDescriptors.DuplicateSocketOption,
        DiagnosticDescriptors.DuplicateProtocolNumber,
        DiagnosticDescriptors.MissingRequiredProtocol,
        DiagnosticDescriptors.InvalidStackMember,
        DiagnosticDescriptors.StackDeclaresBaseClass,
        DiagnosticDescriptors.StackWithoutLink,
        DiagnosticDescriptors.UnsafeCodeRequired);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (NetKitSymbols.Create(start.Compilation) is not { NetworkStack: not null } symbols) return;
            start.RegisterSymbolAction(c => AnalyzeStack(c, symbols), SymbolKind.NamedType);
            // Syntax, not BaseType: the generated part adds ': NetStack', and generated code is not analyzed here.
            start.RegisterSyntaxNodeAction(c => AnalyzeBaseList(c, symbols), SyntaxKind.ClassDeclaration);
        });
    }

    /// <summary>One listed entry: its type (once valid) and where the list names it.</summary>
    private sealed class Member
    {
        public Member(DeclaredProtocol protocol, Location location)
        {
            Protocol = protocol;
            Location = location;
        }

        public DeclaredProtocol Protocol { get; }
        public Location Location { get; }
        public INamedTypeSymbol Type => Protocol.Type;
        public string Name => Protocol.Type.Name;
    }

    private static void AnalyzeStack(SymbolAnalysisContext context, NetKitSymbols symbols)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (NetKitSymbols.Find(type, symbols.NetworkStack) is not { } attribute) return;
        // A class that is also a protocol or table had these reported by ProtocolDeclarationAnalyzer.
        if (!symbols.IsProtocolOrTable(type)) DeclaringClassChecks.Check(context, type, isStack: true);
        else if (type.IsStatic)
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.DeclaringTypeNotExtensible,
                type.Locations.FirstOrDefault(), type.Name, "a stack is instantiated; remove 'static'"));

        var attributeSyntax = attribute.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken) as AttributeSyntax;
        var attributeLocation = attributeSyntax?.GetLocation() ?? type.Locations.FirstOrDefault() ?? Location.None;
        var members = ReadMembers(context, symbols, type, attribute, attributeSyntax, attributeLocation);
        var listed = new HashSet<INamedTypeSymbol>(members.Select(m => m.Type), SymbolEqualityComparer.Default);

        CheckRequirements(context, type, members, listed, attributeLocation);
        CheckNumbers(context, type, members);
        CheckOptions(context, type, members, listed);

        if (members.Any(m => m.Protocol.IsProtocol && m.Protocol.Layer == ProtocolLayer.Network) &&
            !members.Any(m => m.Protocol.IsProtocol && m.Protocol.Layer == ProtocolLayer.Link))
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.StackWithoutLink, attributeLocation, type.Name));
    }

    /// <summary>The valid listed types, in order; reports NETKIT0010 for the others.</summary>
    private static List<Member> ReadMembers(SymbolAnalysisContext context, NetKitSymbols symbols, INamedTypeSymbol stack,
        AttributeData attribute, AttributeSyntax? syntax, Location fallback)
    {
        var members = new List<Member>();
        if (attribute.ConstructorArguments.Length != 1 || attribute.ConstructorArguments[0].Kind != TypedConstantKind.Array)
            return members;
        var values = attribute.ConstructorArguments[0].Values;
        // typeof arguments map one to one onto the params array unless an explicit array was passed.
        var arguments = syntax?.ArgumentList?.Arguments;
        bool mapped = arguments is { } list && list.Count == values.Length && list.All(a => a.Expression is TypeOfExpressionSyntax);
        var seen = new HashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default);
        for (int i = 0; i < values.Length; i++)
        {
            if (values[i].Value is not INamedTypeSymbol { TypeKind: not TypeKind.Error } listedType) continue;
            var location = mapped ? arguments!.Value[i].GetLocation() : fallback;
            if (!seen.Add(listedType))
            {
                Report(context, DiagnosticDescriptors.InvalidStackMember, location, stack.Name, Display(listedType), "it is already listed");
                continue;
            }
            if (DeclaredProtocol.Read(listedType, symbols) is not { } protocol)
            {
                Report(context, DiagnosticDescriptors.InvalidStackMember, location, stack.Name, Display(listedType),
                    "it has neither [Protocol] nor [SocketOptionTable]");
                continue;
            }
            members.Add(new Member(protocol, location));
        }
        return members;
    }

    private static void CheckRequirements(SymbolAnalysisContext context, INamedTypeSymbol stack, List<Member> members,
        HashSet<INamedTypeSymbol> listed, Location location)
    {
        foreach (var member in members)
            foreach (var required in member.Protocol.Requires)
                if (!listed.Contains(required))
                    Report(context, DiagnosticDescriptors.MissingRequiredProtocol, location, stack.Name, member.Name, required.Name);
    }

    /// <summary>One link; one network per ethertype; one transport per IP protocol number over each network.</summary>
    private static void CheckNumbers(SymbolAnalysisContext context, INamedTypeSymbol stack, List<Member> members)
    {
        var protocols = members.Where(m => m.Protocol.IsProtocol).ToList();
        Member? link = null;
        var networks = new Dictionary<int, Member>();
        var transports = new List<Member>();
        foreach (var member in protocols)
        {
            switch (member.Protocol.Layer)
            {
                case ProtocolLayer.Link:
                    if (link is null) link = member;
                    else Report(context, DiagnosticDescriptors.DuplicateProtocolNumber, member.Location, stack.Name, link.Name, member.Name, "the link layer");
                    break;
                case ProtocolLayer.Network:
                    if (networks.TryGetValue(member.Protocol.Number, out var network))
                        Report(context, DiagnosticDescriptors.DuplicateProtocolNumber, member.Location, stack.Name, network.Name, member.Name,
                            "ethertype 0x" + member.Protocol.Number.ToString("X4", CultureInfo.InvariantCulture));
                    else networks.Add(member.Protocol.Number, member);
                    break;
                case ProtocolLayer.Transport:
                    foreach (var earlier in transports)
                    {
                        if (earlier.Protocol.Number != member.Protocol.Number) continue;
                        if (CommonNetwork(earlier, member, protocols) is not { } over) continue;
                        Report(context, DiagnosticDescriptors.DuplicateProtocolNumber, member.Location, stack.Name, earlier.Name, member.Name,
                            $"IP protocol {member.Protocol.Number.ToString(CultureInfo.InvariantCulture)}{over}");
                        break;
                    }
                    transports.Add(member);
                    break;
            }
        }
    }

    /// <summary>
    /// A network both transports are demultiplexed from, as text for the message ("" when neither requires a listed
    /// network: both are then reached from every network), or null when they share none. As StackPlan.TransportsOver:
    /// a transport is reached from the listed networks it requires, or from all of them when it requires none.
    /// </summary>
    private static string? CommonNetwork(Member a, Member b, List<Member> protocols)
    {
        var networks = protocols.Where(m => m.Protocol.Layer == ProtocolLayer.Network).ToList();
        List<Member> Over(Member transport)
        {
            var required = networks.Where(n => transport.Protocol.Requires.Contains(n.Type, SymbolEqualityComparer.Default)).ToList();
            return required.Count > 0 ? required : networks;
        }
        if (networks.Count == 0) return "";
        var overB = Over(b);
        var common = Over(a).FirstOrDefault(n => overB.Contains(n));
        return common is null ? null : $" over '{common.Name}'";
    }

    /// <summary>
    /// Within a socket protocol's option chain (itself, then the listed protocols it requires, transitively, as
    /// StackPlan.OptionChain walks it) and across option tables, one class per (level, name, access).
    /// </summary>
    private static void CheckOptions(SymbolAnalysisContext context, INamedTypeSymbol stack, List<Member> members,
        HashSet<INamedTypeSymbol> listed)
    {
        var byType = members.ToDictionary(m => m.Type, m => m, (IEqualityComparer<INamedTypeSymbol>)SymbolEqualityComparer.Default);
        var reported = new HashSet<(INamedTypeSymbol, INamedTypeSymbol, (int, int, SockOptAccess))>();
        foreach (var socketProtocol in members.Where(m => m.Protocol.IsProtocol && m.Protocol.SocketType != SocketType.None))
        {
            var chain = new List<Member>();
            var seen = new HashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default);
            var queue = new Queue<Member>();
            queue.Enqueue(socketProtocol);
            while (queue.Count > 0)
            {
                var entry = queue.Dequeue();
                if (!seen.Add(entry.Type)) continue;
                chain.Add(entry);
                foreach (var required in entry.Protocol.Requires)
                    if (listed.Contains(required) && byType.TryGetValue(required, out var next) && next.Protocol.IsProtocol)
                        queue.Enqueue(next);
            }
            ReportOverlaps(context, chain, reported, $" for '{socketProtocol.Name}' sockets in stack '{stack.Name}'");
        }
        ReportOverlaps(context, members.Where(m => m.Protocol.IsTable).ToList(), reported,
            $" by the socket option tables of stack '{stack.Name}'");
    }

    private static void ReportOverlaps(SymbolAnalysisContext context, List<Member> classes,
        HashSet<(INamedTypeSymbol, INamedTypeSymbol, (int, int, SockOptAccess))> reported, string where)
    {
        var owners = new Dictionary<(int, int, SockOptAccess), Member>();
        foreach (var member in classes)
        {
            foreach (var key in member.Protocol.Options)
            {
                if (!owners.TryGetValue(key, out var first))
                {
                    owners.Add(key, member);
                    continue;
                }
                if (reported.Add((first.Type, member.Type, key)))
                    Report(context, DiagnosticDescriptors.DuplicateSocketOption, member.Location, key.Item1, key.Item2, key.Item3,
                        where, first.Name, member.Name);
            }
        }
    }

    private static void AnalyzeBaseList(SyntaxNodeAnalysisContext context, NetKitSymbols symbols)
    {
        var declaration = (ClassDeclarationSyntax)context.Node;
        if (declaration.BaseList is null) return;
        if (context.SemanticModel.GetDeclaredSymbol(declaration, context.CancellationToken) is not { } type) return;
        if (NetKitSymbols.Find(type, symbols.NetworkStack) is null) return;
        foreach (var baseType in declaration.BaseList.Types)
        {
            if (context.SemanticModel.GetTypeInfo(baseType.Type, context.CancellationToken).Type is { TypeKind: TypeKind.Class } declared)
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.StackDeclaresBaseClass, baseType.GetLocation(),
                    type.Name, Display(declared)));
        }
    }

    private static string Display(ITypeSymbol type) => type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);

    private static void Report(SymbolAnalysisContext context, DiagnosticDescriptor descriptor, Location location, params object[] arguments) =>
        context.ReportDiagnostic(Diagnostic.Create(descriptor, location, arguments));
}
