using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using NetKit.Generators.Model;

namespace NetKit.Generators.Parsing;

/// <summary>
/// Reads a <c>[NetworkStack(...)]</c> class: the listed protocols and option tables, each parsed as its own
/// declaration would be. Listed types that are not valid protocols or tables are skipped, as are types listed twice.
/// </summary>
internal static class StackParser
{
    public static StackModel? Parse(INamedTypeSymbol type, AttributeData attribute, CancellationToken cancellationToken)
    {
        if (!DeclarationRules.CanBeExtended(type) || type.IsStatic) return null;
        if (type.BaseType is { SpecialType: not SpecialType.System_Object }) return null;

        var members = new List<ProtocolModel>();
        var seen = new HashSet<string>();
        if (attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Kind == TypedConstantKind.Array)
        {
            foreach (var item in attribute.ConstructorArguments[0].Values)
            {
                if (item.Value is not INamedTypeSymbol listed) continue;
                if (ProtocolParser.Parse(listed, cancellationToken) is { } model && seen.Add(model.FullName))
                    members.Add(model);
            }
        }

        string ns = type.ContainingNamespace.IsGlobalNamespace ? "" : type.ContainingNamespace.ToDisplayString();
        return new StackModel(ns, type.Name, HandlerShapes.Display(type), members.ToEquatableArray());
    }
}
