namespace FastLoad.Engine.Rlp;

/// <summary>
/// Marks a <c>partial struct</c> whose RLP encoder is emitted by the FastLoad source generator.
/// The generator adds <c>GetRlpContentLength()</c>, <c>GetRlpLength()</c>,
/// <c>EncodeRlpContent&lt;TWriter&gt;(ref TWriter)</c> and <c>EncodeRlp&lt;TWriter&gt;(ref TWriter)</c>:
/// the struct is encoded as an RLP list of its <see cref="RlpFieldAttribute"/> members, in order.
/// </summary>
[AttributeUsage(AttributeTargets.Struct, Inherited = false, AllowMultiple = false)]
public sealed class RlpSerializableAttribute : Attribute;

/// <summary>
/// A member (field or property) that is part of the RLP list, at position <see cref="Order"/>.
/// Orders must be unique and run 0, 1, 2, ... without gaps.
/// Supported member types: <c>byte</c>, <c>uint</c>, <c>ulong</c>, <see cref="Primitives.UInt256"/>,
/// <see cref="Primitives.Address"/>, <c>Address?</c> (null encodes as the empty string),
/// <see cref="Primitives.Hash256"/>, <c>ReadOnlyMemory&lt;byte&gt;</c> (a byte string),
/// <c>ReadOnlyMemory&lt;T&gt;</c> of any supported type (an RLP list), and other
/// <see cref="RlpSerializableAttribute"/> structs (a nested list).
/// </summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, Inherited = false, AllowMultiple = false)]
public sealed class RlpFieldAttribute(int order) : Attribute
{
    public int Order { get; } = order;
}
