using Microsoft.CodeAnalysis;
using NetKit.Generators.Model;

namespace NetKit.Generators.Parsing;

/// <summary>Which C# types an option value may have, and how each is copied (shared with the analyzer).</summary>
internal static class OptionValueTypes
{
    /// <summary>The copy kind of <paramref name="type"/>, or null when it is not a supported option value type.</summary>
    public static OptionValueKind? Classify(ITypeSymbol type, out bool isUnsigned)
    {
        isUnsigned = false;
        switch (type.SpecialType)
        {
            case SpecialType.System_Int32:
            case SpecialType.System_Int64:
            case SpecialType.System_Int16:
            case SpecialType.System_SByte:
                return OptionValueKind.SignedInteger;
            case SpecialType.System_UInt32:
            case SpecialType.System_UInt64:
            case SpecialType.System_UInt16:
            case SpecialType.System_Byte:
                isUnsigned = true;
                return OptionValueKind.UnsignedInteger;
            case SpecialType.System_Boolean:
                return OptionValueKind.Boolean;
            case SpecialType.None:
                break;
            default:
                return null; // char, float, double, decimal, nint, string, object ...
        }
        string display = HandlerShapes.Display(type);
        if (display == KnownNames.Span || display == KnownNames.ReadOnlySpan) return OptionValueKind.Bytes;
        if (type is INamedTypeSymbol { TypeKind: TypeKind.Enum, EnumUnderlyingType: { } underlying })
        {
            isUnsigned = underlying.SpecialType is SpecialType.System_Byte or SpecialType.System_UInt16 or
                SpecialType.System_UInt32 or SpecialType.System_UInt64;
            return OptionValueKind.Enum;
        }
        if (type.TypeKind == TypeKind.Struct && type.IsUnmanagedType && !type.IsRefLikeType &&
            type is INamedTypeSymbol { IsGenericType: false })
            return OptionValueKind.Struct;
        return null;
    }

    /// <summary>True for kinds a Minimum/Maximum range may be declared on.</summary>
    public static bool AllowsRange(OptionValueKind kind) =>
        kind is OptionValueKind.SignedInteger or OptionValueKind.UnsignedInteger or OptionValueKind.Enum;

    /// <summary>
    /// Checks Minimum, Maximum and Length against the value kind and access; returns the reason they are invalid,
    /// or null.
    /// </summary>
    public static string? CheckDeclaration(OptionValueKind kind, bool isUnsigned, SockOptAccess access, long minimum, long maximum, int length)
    {
        bool hasMin = minimum != OptionHandlerModel.Unbounded, hasMax = maximum != OptionHandlerModel.Unbounded;
        if (kind == OptionValueKind.Bytes)
        {
            if (length < 1 || length > KnownNames.InlineValueCapacity)
                return $"a fixed-length byte option needs Length between 1 and {KnownNames.InlineValueCapacity}";
        }
        else if (length != 0)
        {
            return "Length applies only to fixed-length byte options";
        }
        if (!hasMin && !hasMax) return null;
        if (!AllowsRange(kind)) return "Minimum and Maximum apply only to integer and enum options";
        if (access == SockOptAccess.Get) return "Minimum and Maximum are checked on set; a get handler cannot declare them";
        if (hasMin && hasMax && minimum > maximum) return "Minimum is greater than Maximum";
        if (isUnsigned && ((hasMin && minimum < 0) || (hasMax && maximum < 0))) return "an unsigned option cannot have a negative bound";
        return null;
    }
}
