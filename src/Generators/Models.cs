using System;
using System.Collections;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace FastLoad.Generators;

// Everything the pipeline caches is a plain, equatable value: no Compilation, ISymbol or syntax node
// survives the transform step, so an unrelated edit leaves these equal and the emit step is skipped.

/// <summary>What the parser made of one [RlpSerializable] type: a model to emit (null when the type has errors) and diagnostics.</summary>
internal sealed record RlpParseResult(RlpTypeModel? Type, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>A type to emit an RLP encoder for.</summary>
/// <param name="HintName">File name of the generated source, unique per type.</param>
/// <param name="Namespace">Namespace to emit into, keywords escaped; null for the global namespace.</param>
/// <param name="ContainingTypes">Enclosing type declarations, outermost first.</param>
/// <param name="Declaration">The struct itself.</param>
/// <param name="ReadOnlyMembers">True when every member read is readonly, so the generated methods can be <c>readonly</c>.</param>
/// <param name="Members">[RlpField] members sorted by order.</param>
internal sealed record RlpTypeModel(
    string HintName,
    string? Namespace,
    EquatableArray<TypeDeclarationModel> ContainingTypes,
    TypeDeclarationModel Declaration,
    bool ReadOnlyMembers,
    EquatableArray<RlpMemberModel> Members);

/// <summary>One partial type declaration header: <c>partial {Keyword} {Name}{TypeParameters}</c>.</summary>
/// <param name="Keyword"><c>class</c>, <c>struct</c>, <c>record</c>, <c>record struct</c> or <c>interface</c>, with a leading <c>ref</c> for ref structs.</param>
internal sealed record TypeDeclarationModel(string Keyword, string Name, string TypeParameters);

/// <summary>A member of the RLP list.</summary>
/// <param name="Name">Identifier as it must appear in code (keywords escaped with @).</param>
/// <param name="HelperSuffix">Unescaped name, used to build helper method names.</param>
internal sealed record RlpMemberModel(string Name, string HelperSuffix, int Order, RlpShape Shape);

internal enum RlpShapeKind
{
    /// <summary>A value with <c>Rlp.LengthOf</c>/<c>Rlp.Write</c> overloads (integers, UInt256, Address, Hash256, byte strings).</summary>
    Scalar,

    /// <summary>Another [RlpSerializable] struct: a nested list.</summary>
    Serializable,

    /// <summary><c>ReadOnlyMemory&lt;T&gt;</c> of a supported T (other than byte): a list of items.</summary>
    List,
}

/// <summary>How a type encodes. <see cref="Element"/> is set for lists only.</summary>
/// <param name="TypeName">Fully qualified C# type name (<c>global::...</c>).</param>
internal sealed record RlpShape(RlpShapeKind Kind, string TypeName, RlpShape? Element);

/// <summary>A diagnostic to report later, with its location as plain values.</summary>
internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo? Location, EquatableArray<string> MessageArgs)
{
    public Diagnostic ToDiagnostic() =>
        Diagnostic.Create(Descriptor, Location?.ToLocation(), MessageArgs.ToObjectArray());
}

/// <summary>A source location without the syntax tree it came from.</summary>
internal sealed record LocationInfo(string FilePath, TextSpan TextSpan, LinePositionSpan LineSpan)
{
    public Location ToLocation() => Location.Create(FilePath, TextSpan, LineSpan);

    public static LocationInfo? From(Location? location)
    {
        if (location is null || !location.IsInSource) return null;
        return new LocationInfo(location.SourceTree?.FilePath ?? string.Empty, location.SourceSpan, location.GetLineSpan().Span);
    }
}

/// <summary>An immutable array compared by its elements, so records holding it compare by value.</summary>
internal readonly struct EquatableArray<T> : IEquatable<EquatableArray<T>>, IReadOnlyList<T>
    where T : IEquatable<T>
{
    public static readonly EquatableArray<T> Empty = new([]);

    private readonly T[]? _items;

    public EquatableArray(T[] items) => _items = items;

    public int Count => _items?.Length ?? 0;

    public bool IsEmpty => Count == 0;

    public T this[int index] => _items![index];

    public bool Equals(EquatableArray<T> other)
    {
        T[] left = _items ?? [];
        T[] right = other._items ?? [];
        if (left.Length != right.Length) return false;
        for (int i = 0; i < left.Length; i++)
        {
            if (!EqualityComparer<T>.Default.Equals(left[i], right[i])) return false;
        }
        return true;
    }

    public override bool Equals(object? obj) => obj is EquatableArray<T> other && Equals(other);

    public override int GetHashCode()
    {
        int hash = HashCombiner.Seed;
        if (_items is null) return hash;
        foreach (T item in _items)
        {
            hash = HashCombiner.Combine(hash, item is null ? 0 : item.GetHashCode());
        }
        return hash;
    }

    public object[] ToObjectArray()
    {
        object[] result = new object[Count];
        for (int i = 0; i < result.Length; i++) result[i] = _items![i]!;
        return result;
    }

    public Enumerator GetEnumerator() => new(_items ?? []);

    IEnumerator<T> IEnumerable<T>.GetEnumerator() => ((IEnumerable<T>)(_items ?? [])).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => (_items ?? []).GetEnumerator();

    public static bool operator ==(EquatableArray<T> left, EquatableArray<T> right) => left.Equals(right);

    public static bool operator !=(EquatableArray<T> left, EquatableArray<T> right) => !left.Equals(right);

    /// <summary>Allocation-free enumerator for <c>foreach</c>.</summary>
    public struct Enumerator
    {
        private readonly T[] _array;
        private int _index;

        internal Enumerator(T[] array)
        {
            _array = array;
            _index = -1;
        }

        public readonly T Current => _array[_index];

        public bool MoveNext() => ++_index < _array.Length;
    }
}

/// <summary><c>System.HashCode</c> is not in netstandard2.0; this is the usual multiply-add combine.</summary>
internal static class HashCombiner
{
    public const int Seed = 17;

    public static int Combine(int hash, int value) => unchecked((hash * 31) + value);
}

internal static class EquatableArrayExtensions
{
    public static EquatableArray<T> ToEquatableArray<T>(this List<T> list)
        where T : IEquatable<T> =>
        list.Count == 0 ? EquatableArray<T>.Empty : new EquatableArray<T>(list.ToArray());
}
