using Microsoft.CodeAnalysis;
using NetKit.Generators.Model;
using NetKit.Generators.Parsing;

namespace NetKit.Analyzers;

/// <summary>The arguments of one <c>[SockOpt(level, name, access, Minimum=, Maximum=, Length=)]</c>, read as the generator reads them.</summary>
internal readonly struct SockOptDeclaration
{
    /// <summary>SOL_SOCKET (NetKit.Runtime.Sockets.SockOptLevel.Socket): the level option tables own.</summary>
    public const int SocketLevel = 1;

    public SockOptDeclaration(AttributeData attribute)
    {
        Level = DeclarationRules.Positional(attribute, 0, 0);
        Name = DeclarationRules.Positional(attribute, 1, 0);
        Access = (SockOptAccess)DeclarationRules.Positional(attribute, 2, 0);
        Minimum = DeclarationRules.Named(attribute, "Minimum", OptionHandlerModel.Unbounded);
        Maximum = DeclarationRules.Named(attribute, "Maximum", OptionHandlerModel.Unbounded);
        Length = DeclarationRules.Named(attribute, "Length", 0);
    }

    public int Level { get; }
    public int Name { get; }
    public SockOptAccess Access { get; }
    public long Minimum { get; }
    public long Maximum { get; }
    public int Length { get; }

    /// <summary>What makes two options the same: one handler per (level, name, access) where a socket looks it up.</summary>
    public (int Level, int Name, SockOptAccess Access) Key => (Level, Name, Access);
}
