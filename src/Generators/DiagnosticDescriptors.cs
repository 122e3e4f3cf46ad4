using Microsoft.CodeAnalysis;

namespace FastLoad.Generators;

/// <summary>
/// Diagnostics of the RLP generator, one descriptor each. Every one is an error, and a type that
/// gets any of them gets no generated code (the compiler then also reports the missing methods at
/// their call sites, which is expected).
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "FastLoad.Rlp";

    /// <summary>FLRLP001: the [RlpSerializable] struct, or a type containing it, is not partial.</summary>
    public static readonly DiagnosticDescriptor TypeNotPartial = new(
        id: "FLRLP001",
        title: "RLP serializable type must be partial",
        messageFormat: "'{0}' must be declared partial so that the RLP encoder of '{1}' can be generated into it",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    /// <summary>FLRLP002: an [RlpField] member's type has no RLP encoding.</summary>
    public static readonly DiagnosticDescriptor UnsupportedMemberType = new(
        id: "FLRLP002",
        title: "Unsupported RLP member type",
        messageFormat: "Member '{0}' of '{1}' has type '{2}', which has no RLP encoding; supported: byte, uint, ulong, UInt256, Address, Address?, Hash256, ReadOnlyMemory<byte> (a byte string), an [RlpSerializable] struct (a nested list), or ReadOnlyMemory<T> of any of these (a list)",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    /// <summary>FLRLP003: two members share an order.</summary>
    public static readonly DiagnosticDescriptor DuplicateOrder = new(
        id: "FLRLP003",
        title: "Duplicate RLP field order",
        messageFormat: "Members '{0}' and '{1}' of '{2}' both have [RlpField] order {3}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    /// <summary>FLRLP004: the orders skip a number (they must be 0..n-1).</summary>
    public static readonly DiagnosticDescriptor MissingOrder = new(
        id: "FLRLP004",
        title: "Gap in RLP field orders",
        messageFormat: "The [RlpField] orders of '{0}' must run from 0 without gaps, but no member has order {1}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    /// <summary>FLRLP005: an [RlpSerializable] type has no [RlpField] members.</summary>
    public static readonly DiagnosticDescriptor NoFields = new(
        id: "FLRLP005",
        title: "RLP serializable type has no fields",
        messageFormat: "'{0}' is marked [RlpSerializable] but has no [RlpField] members",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    /// <summary>FLRLP006: an order is negative.</summary>
    public static readonly DiagnosticDescriptor NegativeOrder = new(
        id: "FLRLP006",
        title: "Negative RLP field order",
        messageFormat: "Member '{0}' of '{1}' has [RlpField] order {2}, but orders start at 0",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    /// <summary>FLRLP007: [RlpField] on something that is not a readable instance field or property.</summary>
    public static readonly DiagnosticDescriptor MemberNotReadable = new(
        id: "FLRLP007",
        title: "RLP field must be a readable instance member",
        messageFormat: "Member '{0}' of '{1}' cannot be an RLP field: it must be an instance field or an instance property with a getter, not static, write-only or an indexer",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);
}
