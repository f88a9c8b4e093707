using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace NetKit.Generators.Parsing;

/// <summary>Rules every declaring class (protocol, option table, stack) must follow so generated parts can join it.</summary>
internal static class DeclarationRules
{
    /// <summary>
    /// Top-level, non-generic, and declared <c>partial</c> in every part this compilation has. Types from metadata
    /// (a protocol in a referenced assembly) were generated when that assembly was built, so they pass.
    /// </summary>
    public static bool CanBeExtended(INamedTypeSymbol type)
    {
        if (type.ContainingType is not null || type.IsGenericType || type.TypeKind != TypeKind.Class) return false;
        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax() is not ClassDeclarationSyntax declaration) return false;
            if (!declaration.Modifiers.Any(m => m.IsKind(SyntaxKind.PartialKeyword))) return false;
        }
        return true;
    }

    public static AttributeData? Find(ISymbol symbol, string metadataName)
    {
        foreach (var attribute in symbol.GetAttributes())
            if (attribute.AttributeClass?.ToDisplayString() == metadataName) return attribute;
        return null;
    }

    public static bool Has(ISymbol symbol, string metadataName) => Find(symbol, metadataName) is not null;

    /// <summary>Value of a named attribute argument, or <paramref name="fallback"/>.</summary>
    public static T Named<T>(AttributeData attribute, string name, T fallback)
    {
        foreach (var pair in attribute.NamedArguments)
            if (pair.Key == name && pair.Value.Value is T value) return value;
        return fallback;
    }

    public static T Positional<T>(AttributeData attribute, int index, T fallback) =>
        attribute.ConstructorArguments.Length > index && attribute.ConstructorArguments[index].Value is T value ? value : fallback;
}
