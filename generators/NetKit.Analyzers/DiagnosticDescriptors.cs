using Microsoft.CodeAnalysis;

namespace NetKit.Analyzers;

/// <summary>
/// Every diagnostic NetKit reports. Each covers a declaration the generator skips or resolves arbitrarily, so all
/// are errors except a stack without a link layer, which compiles and runs but drops every received frame.
/// </summary>
internal static class DiagnosticDescriptors
{
    public const string Category = "NetKit";

    public static readonly DiagnosticDescriptor WrongHandlerSignature = new(
        DiagnosticIds.WrongHandlerSignature,
        "Handler has the wrong signature",
        "'{0}' does not fit {1}: declare it as {2}",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description:
            "A NetKit handler must be an ordinary static, non-generic method whose parameters, ref kinds and return type " +
            "match the shape its attribute documents; the generator leaves out any other. Change the signature to the " +
            "one the message shows.");

    public static readonly DiagnosticDescriptor DeclaringTypeNotExtensible = new(
        DiagnosticIds.DeclaringTypeNotExtensible,
        "Declaring type must be a top-level, non-generic partial class",
        "'{0}' cannot receive generated members: {1}",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description:
            "The generator adds members to [Protocol], [SocketOptionTable] and [NetworkStack] classes through partial " +
            "declarations, so each must be a top-level, non-generic class declared 'partial' in every part, and a stack " +
            "must not be static. Change the declaration as the message says.");

    public static readonly DiagnosticDescriptor DuplicateSocketOption = new(
        DiagnosticIds.DuplicateSocketOption,
        "Duplicate socket option",
        "Socket option (level {0}, name {1}, {2}) is declared twice{3}: by '{4}' and by '{5}'",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description:
            "A (level, name, access) may have one handler wherever a socket looks it up: within one class, along a " +
            "socket protocol's option chain in a stack (the protocol and the listed protocols it requires), and across " +
            "a stack's socket option tables. Remove one of the two handlers or give it another level or name.");

    public static readonly DiagnosticDescriptor UnsupportedOptionValueType = new(
        DiagnosticIds.UnsupportedOptionValueType,
        "Unsupported option value type",
        "Option handler '{0}' takes a value of type '{1}', which cannot be copied to or from the caller: use int, " +
        "uint, long, ulong, short, ushort, byte, sbyte, bool, an enum, a blittable non-generic struct, or " +
        "ReadOnlySpan<byte> (set) or Span<byte> (get) with Length",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description:
            "Option values are copied byte for byte between the caller and the owner thread, so only integers, bool, " +
            "enums, unmanaged non-generic structs and fixed-length byte spans can be option values. Change the value " +
            "parameter's type, or handle the option untyped in the protocol's ControlOutput request.");

    public static readonly DiagnosticDescriptor DuplicateProtocolNumber = new(
        DiagnosticIds.DuplicateProtocolNumber,
        "Protocol number claimed twice in a stack",
        "Stack '{0}' lists '{1}' and '{2}', which both claim {3}",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description:
            "A stack demultiplexes received packets by number: one link layer, one network protocol per ethertype and " +
            "one transport per IP protocol number over each network protocol. Remove one of the two protocols from the " +
            "[NetworkStack] list or change its number.");

    public static readonly DiagnosticDescriptor MissingRequiredProtocol = new(
        DiagnosticIds.MissingRequiredProtocol,
        "Stack lacks a required protocol",
        "Stack '{0}' lists '{1}', which requires '{2}', but does not list '{2}'",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description:
            "A protocol runs over, or calls into, the protocols named by its [RequiresProtocol] attributes, and a " +
            "transport is demultiplexed from the network protocols it requires. Add the required protocol to the " +
            "[NetworkStack] list.");

    public static readonly DiagnosticDescriptor HandlerCannotReply = new(
        DiagnosticIds.HandlerCannotReply,
        "Handler cannot reply",
        "'{0}' cannot answer its caller: declare it as {1}, returning the Errno synchronously",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description:
            "A request or option handler answers the waiting caller with the Errno it returns on the owner protocol " +
            "thread; a void, Task or ValueTask return or an async method gives no answer. Return Errno and finish the " +
            "work before returning.");

    public static readonly DiagnosticDescriptor DuplicateHandler = new(
        DiagnosticIds.DuplicateHandler,
        "Duplicate handler",
        "'{0}' is a second {1} handler in '{2}', which '{3}' already handles",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description:
            "A protocol has at most one handler per user-request kind and one packet input, control input and flow " +
            "classifier; the generator would keep the first. Remove the duplicate or merge it into the first.");

    public static readonly DiagnosticDescriptor InvalidOptionDeclaration = new(
        DiagnosticIds.InvalidOptionDeclaration,
        "Invalid option declaration",
        "Option handler '{0}' has an invalid [SockOpt] declaration: {1}",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description:
            "Length is required for, and only allowed on, fixed-length byte options (1 to 256 bytes); Minimum and " +
            "Maximum apply only to integer and enum set handlers, must be in order, and cannot be negative for an " +
            "unsigned value. Correct the attribute's arguments.");

    public static readonly DiagnosticDescriptor InvalidStackMember = new(
        DiagnosticIds.InvalidStackMember,
        "Invalid stack member",
        "Stack '{0}' cannot list '{1}': {2}",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description:
            "Every type in a [NetworkStack(...)] list must be a [Protocol] or [SocketOptionTable] class, listed once. " +
            "Remove the entry, or give the type the attribute it lacks.");

    public static readonly DiagnosticDescriptor MisplacedHandler = new(
        DiagnosticIds.MisplacedHandler,
        "Handler attribute in the wrong place",
        "[{0}] on '{1}' is misplaced: {2}",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description:
            "User requests, packet input, control input and flow classifiers belong in [Protocol] classes, control input " +
            "on transports only and flow classifiers on link and network protocols only; socket-level (SOL_SOCKET) " +
            "options belong in a [SocketOptionTable] class and every other level in a [Protocol] class. Move the method " +
            "or change its attribute.");

    public static readonly DiagnosticDescriptor StackDeclaresBaseClass = new(
        DiagnosticIds.StackDeclaresBaseClass,
        "Stack declares a base class",
        "Stack '{0}' derives from '{1}': remove the base class, the generator makes the stack derive from NetStack",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description:
            "The generated part of a [NetworkStack] class derives it from NetStack, so the declared part must name no " +
            "base class (interfaces are fine). Remove the base class from the declaration.");

    public static readonly DiagnosticDescriptor StackWithoutLink = new(
        DiagnosticIds.StackWithoutLink,
        "Stack has no link-layer protocol",
        "Stack '{0}' lists network protocols but no link-layer protocol, so every frame it receives is dropped",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description:
            "Received frames enter a stack through its link layer, which hands them to the network " +
            "protocol of their ethertype. Add a [Protocol(..., ProtocolLayer.Link, 0)] class to the " +
            "[NetworkStack] list, or suppress this warning for a stack that only sends.");

    public static readonly DiagnosticDescriptor UnsafeCodeRequired = new(
        DiagnosticIds.UnsafeCodeRequired,
        "Generated NetKit code needs unsafe code",
        "'{0}' is a NetKit declaration and its generated code uses unsafe code, which this project does not allow: " +
        "set <AllowUnsafeBlocks>true</AllowUnsafeBlocks>",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description:
            "The generated dispatch calls handlers through function pointers and copies option values through pointers. " +
            "Set <AllowUnsafeBlocks>true</AllowUnsafeBlocks> in the project that declares NetKit protocols, socket " +
            "option tables or stacks.");
}
