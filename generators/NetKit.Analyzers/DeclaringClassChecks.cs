using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using NetKit.Generators.Parsing;

namespace NetKit.Analyzers;

/// <summary>
/// Rules every declaring class shares, whichever attribute makes it one: generated parts must be able to join it
/// (NETKIT0002) and the compilation must allow the unsafe code they contain (NETKIT0014).
/// </summary>
internal static class DeclaringClassChecks
{
    public static void Check(SymbolAnalysisContext context, INamedTypeSymbol type, bool isStack)
    {
        var location = type.Locations.FirstOrDefault() ?? Location.None;
        if (Problem(type, context.CancellationToken, ref location) is { } reason)
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.DeclaringTypeNotExtensible, location, type.Name, reason));
        else if (isStack && type.IsStatic)
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.DeclaringTypeNotExtensible, location, type.Name,
                "a stack is instantiated; remove 'static'"));

        // Once per class, on its first declaration (the generated parts are marked unsafe).
        if (context.Compilation.Options is CSharpCompilationOptions { AllowUnsafe: false })
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnsafeCodeRequired, type.Locations.FirstOrDefault(), type.Name));
    }

    /// <summary>Why <see cref="DeclarationRules.CanBeExtended"/> fails, with the most precise location; null when it passes.</summary>
    private static string? Problem(INamedTypeSymbol type, CancellationToken cancellationToken, ref Location location)
    {
        if (DeclarationRules.CanBeExtended(type)) return null;
        if (type.ContainingType is { } outer) return $"it is nested in '{outer.Name}'; declare it directly in a namespace";
        if (type.IsGenericType) return "it is generic; remove its type parameters";
        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            var syntax = reference.GetSyntax(cancellationToken);
            if (syntax is not ClassDeclarationSyntax declaration)
            {
                if (syntax is BaseTypeDeclarationSyntax other) location = other.Identifier.GetLocation();
                return "declare it as a class, not a record";
            }
            if (!declaration.Modifiers.Any(m => m.IsKind(SyntaxKind.PartialKeyword)))
            {
                location = declaration.Identifier.GetLocation();
                return "declare it 'partial' in every part";
            }
        }
        return "declare it as a top-level, non-generic partial class";
    }
}
