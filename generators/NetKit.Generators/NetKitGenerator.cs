using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NetKit.Generators.Emit;
using NetKit.Generators.Model;
using NetKit.Generators.Parsing;

namespace NetKit.Generators;

/// <summary>
/// NetKit's incremental generator. Three entry points, each through <c>ForAttributeWithMetadataName</c>:
/// <c>[Protocol]</c> classes get their request dispatch and option marshalling, <c>[SocketOptionTable]</c> classes
/// their caller-context option marshalling, and <c>[NetworkStack]</c> classes the whole stack glue. Each step
/// projects into equatable models (no symbols, syntax or locations), so unrelated edits leave outputs cached.
/// Invalid declarations are skipped silently; <c>NetKit.Analyzers</c> reports them.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class NetKitGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var protocols = context.SyntaxProvider.ForAttributeWithMetadataName(
                KnownNames.ProtocolAttribute,
                static (node, _) => node is ClassDeclarationSyntax,
                static (ctx, ct) => ProtocolParser.Parse((INamedTypeSymbol)ctx.TargetSymbol, ct))
            .Where(static model => model is not null)
            .WithTrackingName(GeneratorStepNames.Protocols);

        var tables = context.SyntaxProvider.ForAttributeWithMetadataName(
                KnownNames.SocketOptionTableAttribute,
                static (node, _) => node is ClassDeclarationSyntax,
                static (ctx, ct) => DeclarationRules.Has(ctx.TargetSymbol, KnownNames.ProtocolAttribute)
                    ? null // a protocol that is also marked a table is emitted once, as a protocol
                    : ProtocolParser.Parse((INamedTypeSymbol)ctx.TargetSymbol, ct))
            .Where(static model => model is not null)
            .WithTrackingName(GeneratorStepNames.OptionTables);

        var stacks = context.SyntaxProvider.ForAttributeWithMetadataName(
                KnownNames.NetworkStackAttribute,
                static (node, _) => node is ClassDeclarationSyntax,
                static (ctx, ct) => StackParser.Parse((INamedTypeSymbol)ctx.TargetSymbol, ctx.Attributes[0], ct))
            .Where(static model => model is not null)
            .WithTrackingName(GeneratorStepNames.Stacks);

        context.RegisterSourceOutput(protocols, static (spc, model) => EmitProtocol(spc, model!));
        context.RegisterSourceOutput(tables, static (spc, model) => EmitProtocol(spc, model!));
        context.RegisterSourceOutput(stacks, static (spc, model) =>
            spc.AddSource(GeneratedHeader.HintName(model!.Namespace, model.ClassName, "Stack"), StackEmitter.Emit(model)));
    }

    private static void EmitProtocol(SourceProductionContext context, ProtocolModel model)
    {
        if (ProtocolEmitter.HasDispatch(model))
            context.AddSource(GeneratedHeader.HintName(model.Namespace, model.ClassName, "Dispatch"), ProtocolEmitter.EmitDispatch(model));
        if (model.Options.Count > 0)
            context.AddSource(GeneratedHeader.HintName(model.Namespace, model.ClassName, "Options"), OptionsEmitter.Emit(model));
    }
}
